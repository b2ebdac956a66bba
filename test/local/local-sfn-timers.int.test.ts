// stop() leaves no timer behind. In a file of its own: this worker runs no other service, so the process's
// count of active timers moves only with this service (in the shared file, earlier executions' timeouts expire
// at any moment and make a before/after count meaningless).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { expect, it, vi } from 'vitest';
import { startLocalSfn } from '../../infra/local/sfn/local-sfn.js';

const REGION = 'ap-southeast-1';
const ACCOUNT = '123456789012';
const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:wait-flow`;

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

it('leaves no timer behind after stop()', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'local-sfn-timers-'));
  const tokens: string[] = [];
  const before = timers();
  const service = await startLocalSfn({
    port: 0,
    dataDir,
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: [
      {
        name: 'wait-flow',
        arn: stateMachineArn,
        definition: {
          StartAt: 'Await',
          States: {
            Await: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: { FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:notify`, Payload: { 'token.$': '$$.Task.Token' } },
              TimeoutSeconds: 600,
              HeartbeatSeconds: 300,
              End: true,
            },
          },
        },
      },
    ],
    invokeLambda: async (_arn, payload) => {
      tokens.push(String((payload as { token: string }).token));
      return {};
    },
  });
  const client = new SFNClient({
    endpoint: service.url,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await vi.waitFor(() => expect(tokens).toHaveLength(1), { timeout: 5000, interval: 5 });
    // The waiting task holds its timeout and heartbeat timers.
    expect(timers()).toBeGreaterThanOrEqual(before + 2);
  } finally {
    client.destroy();
    await service.stop();
  }
  expect(timers()).toBeLessThanOrEqual(before);
  await rm(dataDir, { recursive: true, force: true });
});
