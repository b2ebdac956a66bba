/**
 * For integration tests that call a handler in-process: point this process at the running local
 * stack exactly as the local runtime points its functions (endpoints + the CDK-set environment).
 * Call before importing any handler module.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

export function useLocalStackEnv(): { env: Record<string, string> } {
  const { dataDir } = inject('stack');
  const { env } = JSON.parse(readFileSync(path.join(dataDir, 'endpoints.json'), 'utf8')) as { env: Record<string, string> };
  Object.assign(process.env, env, { POWERTOOLS_LOG_LEVEL: 'ERROR' });
  return { env };
}

export function loadEvent<T = any>(file: string): T {
  return JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../events', file), 'utf8')) as T;
}

export const lambdaContext = {
  awsRequestId: 'int-test',
  functionName: 'int-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:000000000000:function:int-test',
  memoryLimitInMB: '512',
  logGroupName: 'int-test',
  logStreamName: 'int-test',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};
