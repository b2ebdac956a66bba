// The local Step Functions service, driven over real HTTP by the real SFNClient. Hand-written JSONPath ASL;
// the Lambda ARNs in it map to the in-test functions below through `invokeLambda`.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalSfn, type LocalStateMachine, startLocalSfn } from '../../infra/local/sfn/local-sfn.js';

const REGION = 'ap-southeast-1';
const ACCOUNT = '123456789012';
/** 20 ms per second of TimeoutSeconds: a 5 s timeout fires after 100 ms, 600 s after 12 s. */
const TIME_SCALE = 20;
const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const smArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

// Task (lambda:invoke) → Choice → waitForTaskToken (timeout from the input, caught) → Succeed. The Choice is named
// `StartAt` like the one in our workflow (asl-validator mistakes such a name for a missing transition target).
const bookFlow: LocalStateMachine = {
  name: 'book-flow',
  arn: smArn('book-flow'),
  definition: {
    StartAt: 'Inventory',
    States: {
      Inventory: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: fn('inventory'), 'Payload.$': '$' },
        ResultSelector: { 'pages.$': '$.Payload.pages', 'statusCode.$': '$.StatusCode' },
        ResultPath: '$.inventory',
        Next: 'StartAt',
      },
      StartAt: {
        Type: 'Choice',
        Choices: [{ Variable: '$.inventory.pages', NumericGreaterThan: 0, Next: 'AwaitReview' }],
        Default: 'Empty',
      },
      AwaitReview: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: fn('notify'),
          Payload: {
            'taskToken.$': '$$.Task.Token',
            'bookId.$': '$.bookId',
            'executionId.$': '$$.Execution.Id',
            'state.$': '$$.State.Name',
            'enteredAt.$': '$$.State.EnteredTime',
          },
        },
        TimeoutSecondsPath: '$.reviewTimeoutSeconds',
        ResultPath: '$.review',
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Escalate' },
          { ErrorEquals: ['ReviewRejected'], ResultPath: '$.rejection', Next: 'Rejected' },
        ],
        Next: 'Done',
      },
      Escalate: {
        Type: 'Task',
        Resource: fn('escalate'),
        Parameters: { 'bookId.$': '$.bookId', 'timedOut.$': '$.timeout.Error' },
        ResultPath: '$.reviewTimeoutSeconds',
        Next: 'AwaitReview',
      },
      Rejected: { Type: 'Pass', End: true },
      Empty: { Type: 'Pass', Result: { empty: true }, ResultPath: '$.result', End: true },
      Done: { Type: 'Succeed' },
    },
  },
};

// Lambda errors against Retry/Catch: a named error, States.TaskFailed, a retry, an uncaught error, a timeout.
const errorFlow: LocalStateMachine = {
  name: 'error-flow',
  arn: smArn('error-flow'),
  definition: {
    StartAt: 'Route',
    States: {
      Route: {
        Type: 'Choice',
        Choices: [
          {
            Or: [
              { Variable: '$.mode', StringEquals: 'other' },
              { Variable: '$.mode', StringEquals: 'slow' },
            ],
            Next: 'Generic',
          },
        ],
        Default: 'Explode',
      },
      Explode: {
        Type: 'Task',
        Resource: fn('explode'),
        Parameters: { 'id.$': '$.id', 'mode.$': '$.mode', 'retryCount.$': '$$.State.RetryCount' },
        Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 1, BackoffRate: 1 }],
        Catch: [{ ErrorEquals: ['Boom'], ResultPath: '$.caught', Next: 'CaughtBoom' }],
        End: true,
      },
      Generic: {
        Type: 'Task',
        Resource: fn('explode'),
        TimeoutSeconds: 5,
        Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.caught', Next: 'CaughtGeneric' }],
        End: true,
      },
      CaughtBoom: { Type: 'Pass', End: true },
      CaughtGeneric: { Type: 'Pass', End: true },
    },
  },
};

// HeartbeatSeconds on a wait, an execution-level TimeoutSeconds, and a Map over a Lambda task.
const miscFlow: LocalStateMachine = {
  name: 'misc-flow',
  arn: smArn('misc-flow'),
  definition: {
    StartAt: 'Mode',
    TimeoutSeconds: 30,
    States: {
      Mode: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.mode', StringEquals: 'heartbeat', Next: 'AwaitWithHeartbeat' },
          { Variable: '$.mode', StringEquals: 'deadline', Next: 'AwaitForever' },
        ],
        Default: 'DoubleAll',
      },
      AwaitWithHeartbeat: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: fn('notify'), Payload: { 'taskToken.$': '$$.Task.Token', 'bookId.$': '$.bookId' } },
        TimeoutSeconds: 600,
        HeartbeatSeconds: 10,
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'TimedOut' }],
        End: true,
      },
      AwaitForever: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: fn('notify'), Payload: { 'taskToken.$': '$$.Task.Token', 'bookId.$': '$.bookId' } },
        End: true,
      },
      TimedOut: { Type: 'Pass', End: true },
      DoubleAll: {
        Type: 'Map',
        ItemsPath: '$.numbers',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Double',
          States: { Double: { Type: 'Task', Resource: fn('double'), End: true } },
        },
        ResultPath: '$.doubled',
        End: true,
      },
    },
  },
};

function lambdaError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

type Payload = Record<string, unknown>;
const invocations: { fn: string; payload: Payload }[] = [];
const flakyCalls = new Map<string, number>();

async function invokeLambda(functionArn: string, payload: unknown): Promise<unknown> {
  const name = functionArn.split(':')[6] ?? '';
  const event = payload as Payload;
  invocations.push({ fn: name, payload: event });
  switch (name) {
    case 'inventory':
      if (event.bookId === 'missing') throw lambdaError('BookNotFound', 'no such book');
      return { pages: event.pages ?? 12 };
    case 'notify':
      return { sent: true };
    case 'escalate':
      return 600;
    case 'double':
      return Number(payload) * 2;
    case 'explode': {
      const id = String(event.id);
      if (event.mode === 'boom') throw lambdaError('Boom', 'the press exploded');
      if (event.mode === 'kaput') throw lambdaError('Kaput', 'nobody catches this');
      if (event.mode === 'other') throw lambdaError('Wobble', 'caught as States.TaskFailed');
      if (event.mode === 'slow') {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return { late: true };
      }
      const calls = (flakyCalls.get(id) ?? 0) + 1;
      flakyCalls.set(id, calls);
      if (calls === 1) throw lambdaError('Flaky', 'first call fails');
      return { ok: true, calls, retryCount: event.retryCount };
    }
    default:
      throw lambdaError('ResourceNotFoundException', `no function ${functionArn}`);
  }
}

/** The payload of the nth invocation of a function for a book, once it has happened. */
function invocationFor(fnName: string, bookId: string, nth = 1): Promise<Payload> {
  return vi.waitFor(
    () => {
      const found = invocations.filter((i) => i.fn === fnName && i.payload.bookId === bookId);
      const invocation = found[nth - 1];
      if (!invocation) throw new Error(`${fnName} not yet invoked ${nth} time(s) for ${bookId}`);
      return invocation.payload;
    },
    { timeout: 5000, interval: 5 },
  );
}

function clientFor(sfn: LocalSfn): SFNClient {
  return new SFNClient({
    endpoint: sfn.url,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

let sfn: LocalSfn;
let client: SFNClient;
const dataDirs: string[] = [];

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'local-sfn-'));
  dataDirs.push(dir);
  return dir;
}

function startService(dataDir: string): Promise<LocalSfn> {
  return startLocalSfn({
    port: 0,
    dataDir,
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: [bookFlow, errorFlow, miscFlow],
    invokeLambda,
    timeScale: TIME_SCALE,
  });
}

async function start(stateMachine: LocalStateMachine, input: object, name?: string, on = client): Promise<string> {
  const out = await on.send(new StartExecutionCommand({ stateMachineArn: stateMachine.arn, input: JSON.stringify(input), ...(name ? { name } : {}) }));
  return out.executionArn ?? '';
}

async function settled(executionArn: string, on = client) {
  return vi.waitFor(
    async () => {
      const out = await on.send(new DescribeExecutionCommand({ executionArn }));
      if (out.status === 'RUNNING') throw new Error('still running');
      return out;
    },
    { timeout: 10_000, interval: 10 },
  );
}

async function history(executionArn: string, on = client): Promise<HistoryEvent[]> {
  const out = await on.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return out.events ?? [];
}

beforeAll(async () => {
  sfn = await startService(await newDataDir());
  client = clientFor(sfn);
});

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('waitForTaskToken flow', () => {
  it('runs Task → Choice → waitForTaskToken → Succeed, resumed by SendTaskSuccess', async () => {
    const executionArn = await start(bookFlow, { bookId: 'b-ok', reviewTimeoutSeconds: 600 });
    expect(executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:book-flow:${executionArn.split(':').at(-1)}`);

    const notified = await invocationFor('notify', 'b-ok');
    expect(notified.executionId).toBe(executionArn);
    expect(notified.state).toBe('AwaitReview');
    expect(typeof notified.taskToken).toBe('string');
    expect(notified.taskToken).not.toContain('placeholder');
    expect(invocations.find((i) => i.fn === 'inventory' && i.payload.bookId === 'b-ok')?.payload).toEqual({
      bookId: 'b-ok',
      reviewTimeoutSeconds: 600,
    });

    const running = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(running.status).toBe('RUNNING');
    expect(running.startDate).toBeInstanceOf(Date);
    expect(running.stopDate).toBeUndefined();

    await client.send(new SendTaskSuccessCommand({ taskToken: String(notified.taskToken), output: JSON.stringify({ approved: true }) }));
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(done.input ?? '')).toEqual({ bookId: 'b-ok', reviewTimeoutSeconds: 600 });
    expect(JSON.parse(done.output ?? '')).toEqual({
      bookId: 'b-ok',
      reviewTimeoutSeconds: 600,
      inventory: { pages: 12, statusCode: 200 },
      review: { approved: true },
    });
  });

  it('records an AWS-shaped history: StateEntered/StateExited for each state, in order', async () => {
    const executionArn = await start(bookFlow, { bookId: 'b-history', reviewTimeoutSeconds: 600 });
    const notified = await invocationFor('notify', 'b-history');
    await client.send(new SendTaskSuccessCommand({ taskToken: String(notified.taskToken), output: '"ok"' }));
    await settled(executionArn);

    const events = await history(executionArn);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    expect(events.every((e) => e.timestamp instanceof Date)).toBe(true);

    const stateNames = events.flatMap((e) => e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? []);
    expect(stateNames).toEqual(['Inventory', 'Inventory', 'StartAt', 'StartAt', 'AwaitReview', 'AwaitReview', 'Done', 'Done']);
    expect(JSON.parse(events[1]?.stateEnteredEventDetails?.input ?? '')).toEqual({ bookId: 'b-history', reviewTimeoutSeconds: 600 });
    expect(events[0]?.executionStartedEventDetails?.input).toBe(JSON.stringify({ bookId: 'b-history', reviewTimeoutSeconds: 600 }));

    const scheduled = events.filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails);
    expect(scheduled[0]).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: REGION });
    expect(scheduled[1]).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken', timeoutInSeconds: 600 });
    expect(JSON.parse(scheduled[1]?.parameters ?? '').Payload.taskToken).toBe(notified.taskToken);
    const enteredReview = events.find((e) => e.stateEnteredEventDetails?.name === 'AwaitReview');
    expect(Math.abs(Date.parse(String(notified.enteredAt)) - (enteredReview?.timestamp?.getTime() ?? 0))).toBeLessThan(2);
    const inventoryResult = JSON.parse(events[4]?.taskSucceededEventDetails?.output ?? '');
    expect(inventoryResult).toMatchObject({ Payload: { pages: 12 }, StatusCode: 200 });
    expect(events.at(-2)?.stateExitedEventDetails?.output).toBe(events.at(-1)?.executionSucceededEventDetails?.output);

    const reversed = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 10 }));
    expect(reversed.events?.map((e) => e.id)).toEqual([17, 16, 15, 14, 13, 12, 11, 10, 9, 8]);
    const rest = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 10, nextToken: reversed.nextToken }));
    expect(rest.events?.map((e) => e.id)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(rest.nextToken).toBeUndefined();
  });

  it('routes SendTaskFailure through Catch by its error name', async () => {
    const executionArn = await start(bookFlow, { bookId: 'b-reject', reviewTimeoutSeconds: 600 });
    const notified = await invocationFor('notify', 'b-reject');
    await client.send(new SendTaskFailureCommand({ taskToken: String(notified.taskToken), error: 'ReviewRejected', cause: 'blurry pages' }));
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '').rejection).toEqual({ Error: 'ReviewRejected', Cause: 'blurry pages' });
    const failed = (await history(executionArn)).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({ error: 'ReviewRejected', cause: 'blurry pages' });
  });

  it('refuses a token used twice with InvalidToken, and an unknown token too', async () => {
    const executionArn = await start(bookFlow, { bookId: 'b-twice', reviewTimeoutSeconds: 600 });
    const { taskToken } = await invocationFor('notify', 'b-twice');
    await client.send(new SendTaskSuccessCommand({ taskToken: String(taskToken), output: '{}' }));
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: String(taskToken), output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
    await expect(client.send(new SendTaskFailureCommand({ taskToken: String(taskToken), error: 'X' }))).rejects.toBeInstanceOf(InvalidToken);
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: 'made-up', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
    expect((await settled(executionArn)).status).toBe('SUCCEEDED');
  });

  it('times the wait out (States.Timeout, caught), escalates, and waits again with a fresh token', async () => {
    const executionArn = await start(bookFlow, { bookId: 'b-late', reviewTimeoutSeconds: 5 });
    const first = await invocationFor('notify', 'b-late', 1);
    const second = await invocationFor('notify', 'b-late', 2);
    expect(second.taskToken).not.toBe(first.taskToken);
    expect(await invocationFor('escalate', 'b-late')).toEqual({ bookId: 'b-late', timedOut: 'States.Timeout' });

    const stale = client.send(new SendTaskSuccessCommand({ taskToken: String(first.taskToken), output: '{}' }));
    await expect(stale).rejects.toBeInstanceOf(TaskTimedOut);

    await client.send(new SendTaskSuccessCommand({ taskToken: String(second.taskToken), output: '{"approved":true}' }));
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output ?? '');
    expect(output).toMatchObject({ reviewTimeoutSeconds: 600, review: { approved: true }, timeout: { Error: 'States.Timeout' } });

    const events = await history(executionArn);
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({ error: 'States.Timeout' });
    const entered = events.flatMap((e) => e.stateEnteredEventDetails?.name ?? []);
    expect(entered).toEqual(['Inventory', 'StartAt', 'AwaitReview', 'Escalate', 'AwaitReview', 'Done']);
    expect(events.filter((e) => e.type === 'LambdaFunctionScheduled')).toHaveLength(1);
  });

  it('aborts on StopExecution; the waiting token is then dead', async () => {
    const executionArn = await start(bookFlow, { bookId: 'b-stop', reviewTimeoutSeconds: 600 });
    const { taskToken } = await invocationFor('notify', 'b-stop');
    const stopped = await client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'by the test' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);

    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'by the test' });
    expect(described.output).toBeUndefined();
    const last = (await history(executionArn)).at(-1);
    expect(last?.type).toBe('ExecutionAborted');
    expect(last?.executionAbortedEventDetails).toEqual({ error: 'Cancelled', cause: 'by the test' });
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: String(taskToken), output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });
});

describe('Lambda errors, Retry and Catch', () => {
  it('catches a Lambda error named Boom with ErrorEquals ["Boom"]', async () => {
    const done = await settled(await start(errorFlow, { id: 'e1', mode: 'boom' }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '').caught).toEqual({ Error: 'Boom', Cause: 'the press exploded' });
  });

  it('catches any Lambda error with States.TaskFailed', async () => {
    const done = await settled(await start(errorFlow, { id: 'e2', mode: 'other' }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '').caught).toEqual({ Error: 'Wobble', Cause: 'caught as States.TaskFailed' });
  });

  it('does not let States.TaskFailed catch a task timeout', async () => {
    const executionArn = await start(errorFlow, { id: 'e3', mode: 'slow' });
    const done = await settled(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect((await history(executionArn)).map((e) => e.type)).toContain('LambdaFunctionTimedOut');
  });

  it('retries a Lambda error matched by Retry', async () => {
    const executionArn = await start(errorFlow, { id: 'e4', mode: 'flaky' });
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '')).toEqual({ ok: true, calls: 2, retryCount: 1 });
    const types = (await history(executionArn)).map((e) => e.type);
    expect(types.filter((t) => t === 'LambdaFunctionFailed')).toHaveLength(1);
    expect(types.filter((t) => t === 'LambdaFunctionSucceeded')).toHaveLength(1);
  });

  it('fails the execution with the error and cause of an uncaught Lambda error', async () => {
    const executionArn = await start(errorFlow, { id: 'e5', mode: 'kaput' });
    const done = await settled(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Kaput', cause: 'nobody catches this' });
    expect(done.output).toBeUndefined();
    const events = await history(executionArn);
    expect(events.at(-2)?.lambdaFunctionFailedEventDetails).toEqual({ error: 'Kaput', cause: 'nobody catches this' });
    expect(events.at(-1)?.executionFailedEventDetails).toEqual({ error: 'Kaput', cause: 'nobody catches this' });
  });
});

describe('heartbeats, execution timeout, Map', () => {
  it('keeps a wait alive with SendTaskHeartbeat, then raises States.HeartbeatTimeout, caught by States.Timeout', async () => {
    const executionArn = await start(miscFlow, { mode: 'heartbeat', bookId: 'b-heartbeat' });
    const { taskToken } = await invocationFor('notify', 'b-heartbeat');
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      await client.send(new SendTaskHeartbeatCommand({ taskToken: String(taskToken) }));
    }
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '').timeout).toMatchObject({ Error: 'States.HeartbeatTimeout' });
    await expect(client.send(new SendTaskHeartbeatCommand({ taskToken: String(taskToken) }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('times the whole execution out after the state machine TimeoutSeconds', async () => {
    const executionArn = await start(miscFlow, { mode: 'deadline', bookId: 'b-deadline' });
    const { taskToken } = await invocationFor('notify', 'b-deadline');
    const done = await settled(executionArn);
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await history(executionArn)).at(-1)?.type).toBe('ExecutionTimedOut');
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: String(taskToken), output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('runs a Map state whose iterations call a Lambda', async () => {
    const executionArn = await start(miscFlow, { mode: 'map', numbers: [1, 2, 3] });
    const done = await settled(executionArn);
    expect(JSON.parse(done.output ?? '').doubled).toEqual([2, 4, 6]);
    const types = (await history(executionArn)).map((e) => e.type);
    expect(types.filter((t) => t === 'MapIterationSucceeded')).toHaveLength(3);
    expect(types.filter((t) => t === 'LambdaFunctionSucceeded')).toHaveLength(3);
    expect(types.at(-2)).toBe('MapStateExited');
  });
});

describe('API surface', () => {
  it('is idempotent for the same name and input while RUNNING, ExecutionAlreadyExists otherwise', async () => {
    const input = { bookId: 'b-dup', reviewTimeoutSeconds: 600 };
    const first = await start(bookFlow, input, 'dup-1');
    expect(await start(bookFlow, input, 'dup-1')).toBe(first);
    await expect(start(bookFlow, { ...input, bookId: 'other' }, 'dup-1')).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    const { taskToken } = await invocationFor('notify', 'b-dup');
    expect(invocations.filter((i) => i.fn === 'inventory' && i.payload.bookId === 'b-dup')).toHaveLength(1);
    await client.send(new SendTaskSuccessCommand({ taskToken: String(taskToken), output: '{}' }));
    await settled(first);
    await expect(start(bookFlow, input, 'dup-1')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('lists executions newest first, filtered by status, paginated', async () => {
    const all = await client.send(new ListExecutionsCommand({ stateMachineArn: bookFlow.arn, maxResults: 1000 }));
    const items = all.executions ?? [];
    expect(items.length).toBeGreaterThanOrEqual(7);
    const starts = items.map((e) => e.startDate?.getTime() ?? 0);
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);

    const aborted = await client.send(new ListExecutionsCommand({ stateMachineArn: bookFlow.arn, statusFilter: 'ABORTED' }));
    expect(aborted.executions?.length).toBeGreaterThanOrEqual(1);
    expect(aborted.executions?.every((e) => e.status === 'ABORTED' && e.stopDate instanceof Date)).toBe(true);
    const succeeded = await client.send(new ListExecutionsCommand({ stateMachineArn: bookFlow.arn, statusFilter: 'SUCCEEDED' }));
    expect(succeeded.executions?.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    expect(succeeded.executions?.map((e) => e.name)).toContain('dup-1');

    const page1 = await client.send(new ListExecutionsCommand({ stateMachineArn: bookFlow.arn, maxResults: 2 }));
    const page2 = await client.send(new ListExecutionsCommand({ stateMachineArn: bookFlow.arn, maxResults: 2, nextToken: page1.nextToken }));
    expect([...(page1.executions ?? []), ...(page2.executions ?? [])].map((e) => e.executionArn)).toEqual(items.slice(0, 4).map((e) => e.executionArn));
  });

  it('answers with the SDK’s named exceptions', async () => {
    const missing = `arn:aws:states:${REGION}:${ACCOUNT}:execution:book-flow:nope`;
    await expect(client.send(new DescribeExecutionCommand({ executionArn: missing }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(client.send(new GetExecutionHistoryCommand({ executionArn: missing }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(start({ ...bookFlow, arn: smArn('ghost') }, {})).rejects.toBeInstanceOf(StateMachineDoesNotExist);

    const response = await fetch(sfn.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.DoSomethingElse' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: expect.stringMatching(/UnknownOperationException$/) });
  });

  it('describes and lists the state machines', async () => {
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: bookFlow.arn }));
    expect(described).toMatchObject({ name: 'book-flow', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition ?? '')).toEqual(bookFlow.definition);
    const listed = await client.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.map((s) => s.name)).toEqual(['book-flow', 'error-flow', 'misc-flow']);
  });
});

describe('persistence and restart', () => {
  it('marks executions that were waiting ABORTED on the next start, lists them as interrupted, keeps their history', async () => {
    const dataDir = await newDataDir();
    const first = await startService(dataDir);
    const firstClient = clientFor(first);
    const executionArn = await start(bookFlow, { bookId: 'b-restart', reviewTimeoutSeconds: 600 }, 'restart-1', firstClient);
    const { taskToken } = await invocationFor('notify', 'b-restart');
    const finished = await start(errorFlow, { id: 'r1', mode: 'boom' }, 'restart-done', firstClient);
    await settled(finished, firstClient);
    firstClient.destroy();
    await first.stop();
    expect(first.interrupted).toEqual([]);

    const second = await startService(dataDir);
    const secondClient = clientFor(second);
    try {
      expect(second.interrupted).toEqual([{ executionArn, stateMachineArn: bookFlow.arn, input: { bookId: 'b-restart', reviewTimeoutSeconds: 600 } }]);
      const described = await secondClient.send(new DescribeExecutionCommand({ executionArn }));
      expect(described).toMatchObject({ status: 'ABORTED', cause: 'Local runtime stopped' });
      expect(described.stopDate).toBeInstanceOf(Date);

      const events = await history(executionArn, secondClient);
      expect(events.map((e) => e.type)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateExited',
        'ChoiceStateEntered',
        'ChoiceStateExited',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSubmitted',
        'ExecutionAborted',
      ]);
      expect(events.at(-1)?.executionAbortedEventDetails).toEqual({ cause: 'Local runtime stopped' });
      expect((await secondClient.send(new DescribeExecutionCommand({ executionArn: finished }))).status).toBe('SUCCEEDED');

      const aborted = await secondClient.send(new ListExecutionsCommand({ stateMachineArn: bookFlow.arn, statusFilter: 'ABORTED' }));
      expect(aborted.executions?.map((e) => e.executionArn)).toEqual([executionArn]);
      await expect(secondClient.send(new SendTaskSuccessCommand({ taskToken: String(taskToken), output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
      await expect(start(bookFlow, { bookId: 'b-restart', reviewTimeoutSeconds: 600 }, 'restart-1', secondClient)).rejects.toBeInstanceOf(
        ExecutionAlreadyExists,
      );
      expect((await readdir(dataDir)).sort()).toEqual(['executions', 'index.json']);
      expect((await readdir(join(dataDir, 'executions'))).every((file) => file.endsWith('.json'))).toBe(true);
    } finally {
      secondClient.destroy();
      await second.stop();
    }

    const third = await startService(dataDir);
    expect(third.interrupted).toEqual([]);
    await third.stop();
  });
});

describe('definition checks (JSONPath-only rule)', () => {
  const base = { port: 0, region: REGION, accountId: ACCOUNT, invokeLambda };

  it('rejects a definition that uses JSONata', async () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: { P: { Type: 'Pass', Output: '{% $states.input %}', End: true } },
    };
    await expect(startLocalSfn({ ...base, dataDir: await newDataDir(), stateMachines: [{ name: 'j', arn: smArn('j'), definition }] })).rejects.toThrow(
      /state machine "j".*JSONata/,
    );
  });

  it('rejects $$.State outside a Task Parameters (only resolved there)', async () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, End: true } } };
    await expect(startLocalSfn({ ...base, dataDir: await newDataDir(), stateMachines: [{ name: 's', arn: smArn('s'), definition }] })).rejects.toThrow(
      /state "P" uses \$\$\.State outside a Task's Parameters/,
    );
  });

  it('rejects a transition to a state that does not exist', async () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'Nowhere' } } };
    await expect(startLocalSfn({ ...base, dataDir: await newDataDir(), stateMachines: [{ name: 't', arn: smArn('t'), definition }] })).rejects.toThrow(
      /Nowhere/,
    );
  });

  it('rejects a state that sets QueryLanguage JSONata or uses Assign', async () => {
    const jsonataState = { StartAt: 'P', States: { P: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } } };
    await expect(
      startLocalSfn({ ...base, dataDir: await newDataDir(), stateMachines: [{ name: 'k', arn: smArn('k'), definition: jsonataState }] }),
    ).rejects.toThrow(/state "P" sets QueryLanguage "JSONata"/);
    const assign = { StartAt: 'P', States: { P: { Type: 'Pass', Assign: { bookId: 'x' }, End: true } } };
    await expect(startLocalSfn({ ...base, dataDir: await newDataDir(), stateMachines: [{ name: 'a', arn: smArn('a'), definition: assign }] })).rejects.toThrow(
      /state "P" uses Assign/,
    );
  });
});
