/**
 * Secondary adapter: the book workflow in Step Functions (one execution per book run).
 * Execution names are deterministic (`<bookId>-<seq>`), so a retried start is idempotent.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { sfn } from '../aws/clients.js';
import { getStateMachineArn } from '../config.js';
import { InvalidInput, NotFound } from '../errors.js';
import type { Decision, WorkflowInput } from './stages.js';

export function executionName(bookId: string, seq: number): string {
  return `${bookId}-${seq}`;
}

/** arn:aws:states:r:a:stateMachine:Name → arn:aws:states:r:a:execution:Name:<name> */
export function executionArnFor(name: string, stateMachineArn = getStateMachineArn()): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Starts the run; a second start of the same name and input is a no-op. */
export async function startExecution(name: string, input: WorkflowInput): Promise<string> {
  try {
    const res = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: getStateMachineArn(), name, input: JSON.stringify(input) }),
    );
    return res.executionArn!;
  } catch (err) {
    // Same name, already started earlier (e.g. by the sweeper): the run exists, which is what we wanted.
    if (err instanceof ExecutionAlreadyExists) return executionArnFor(name);
    throw err;
  }
}

/** Hands the decision to the waiting task. Throws SDK errors (TaskTimedOut, InvalidToken, throttling after retries). */
export async function sendDecision(taskToken: string, decision: Decision): Promise<void> {
  await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(decision) }));
}

export async function describeExecution(executionArn: string) {
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/**
 * One page of executions. A `nextToken` is the caller's (a query parameter): one Step Functions did not
 * issue for this listing is a bad request, not a failure.
 * @throws InvalidInput when Step Functions refuses the token (`callerError`).
 */
export async function listExecutions(status: ExecutionStatus | undefined, maxResults: number, nextToken?: string) {
  try {
    return await sfn.send(new ListExecutionsCommand({ stateMachineArn: getStateMachineArn(), statusFilter: status, maxResults, nextToken }));
  } catch (err) {
    throw callerError(err);
  }
}

/**
 * Step Functions errors that mean the caller named something that is wrong (an ARN or a token from a
 * request), as domain errors; anything else is returned unchanged (a failure, retried or a 500).
 */
export function callerError(err: unknown): unknown {
  switch ((err as Error)?.name) {
    case 'ExecutionDoesNotExist':
      return new NotFound('Không tìm thấy lượt xử lý', undefined, { cause: err });
    case 'InvalidArn':
      return new InvalidInput('Mã lượt xử lý (ARN) không hợp lệ', { issues: [{ path: 'path.executionArn', message: 'invalid ARN' }] }, { cause: err });
    case 'InvalidToken':
      return new InvalidInput('Mã trang tiếp theo (nextToken) không hợp lệ', { issues: [{ path: 'query.nextToken', message: 'invalid token' }] }, { cause: err });
    default:
      return err;
  }
}

export async function executionHistory(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const res = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(res.events ?? []));
    nextToken = res.nextToken;
  } while (nextToken);
  return events;
}
