// Errors of the local Step Functions emulator, in the two worlds it speaks to:
// - `SfnApiError` is what the HTTP API answers (the SFN JSON 1.0 `__type`), so that
//   @aws-sdk/client-sfn throws its own named exception (ExecutionDoesNotExist, InvalidToken, …);
// - the `*TaskError` helpers are what a Task state fails with inside the interpreter, so that
//   `Retry`/`Catch` `ErrorEquals` match on `error.name` like they do in AWS.

/** SFN API error codes the emulator answers with (each is a modelled exception of @aws-sdk/client-sfn, except `UnknownOperationException`/`SerializationException`). */
export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'StateMachineTypeNotSupported'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'UnknownOperationException'
  | 'SerializationException';

/** An error answered over HTTP as `{"__type": "com.amazonaws.sfn#<code>", "message": …}` with status 400. */
export class SfnApiError extends Error {
  constructor(
    readonly code: SfnErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * Marks an error as neither retryable nor catchable by the interpreter (aws-local-stepfunctions reads
 * `isRetryable`/`isCatchable`, defaulting to true). Used for aborts and `States.Runtime`, which AWS never
 * lets a `Retry`/`Catch` handle.
 */
function uncatchable<E extends Error>(error: E): E {
  Object.defineProperty(error, 'isRetryable', { value: false });
  Object.defineProperty(error, 'isCatchable', { value: false });
  return error;
}

/** The task was cancelled because its execution is stopping (StopExecution, execution timeout, service stop). */
export function taskAbortedError(): Error {
  const error = new Error('The execution was stopped while the task was running');
  error.name = 'States.Aborted';
  return uncatchable(error);
}

/** `States.Runtime`: a definition/path problem found while running (AWS fails the execution, no Retry/Catch). */
export function statesRuntimeError(message: string): Error {
  const error = new Error(message);
  error.name = 'States.Runtime';
  return uncatchable(error);
}

/** A Lambda function error or a `SendTaskFailure`: `name` is the error type matched by `ErrorEquals`. */
export function taskFailedError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

/** Turns whatever `invokeLambda` threw into a task error named like the Lambda `errorType`. */
export function lambdaFunctionError(thrown: unknown): Error {
  if (thrown instanceof Error) return taskFailedError(thrown.name || 'Error', thrown.message);
  return taskFailedError('Lambda.Unknown', typeof thrown === 'string' ? thrown : JSON.stringify(thrown) ?? String(thrown));
}
