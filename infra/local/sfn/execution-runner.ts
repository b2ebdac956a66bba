// Runs executions of the local Step Functions emulator on aws-local-stepfunctions and records them.
// 1. every Task state is overridden (`taskResourceLocalHandlers`) so no real AWS call is ever made: a Lambda
//    task calls `invokeLambda`; a `.waitForTaskToken` task swaps the `$$.Task.Token` placeholder for a fresh
//    token, invokes, then waits for SendTaskSuccess/SendTaskFailure (`$$.State.*` placeholders are swapped too);
// 2. task timeouts and heartbeats are timers scaled by `timeScale`, raising the library's own States.Timeout;
// 3. the library's event log is translated into AWS history events; task events are appended by the override;
// 4. when the run settles, the final status and the terminal history event are written.

import { randomBytes, randomUUID } from 'node:crypto';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, type RunOptions, type StateMachine } from 'aws-local-stepfunctions';
import { evaluateReferencePath, type JsonValue, MAX_TIMER_MS, type PreparedDefinition, type TaskSpec } from './asl-definition.js';
import { appendEvent, type ExecutionRecord, type ExecutionStatus, type ExecutionStore } from './execution-store.js';
import { lambdaFunctionError, SfnApiError, statesRuntimeError, taskAbortedError, taskFailedError } from './sfn-errors.js';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type LibraryJson = Parameters<StateMachine['run']>[0];

export interface RegisteredStateMachine {
  name: string;
  arn: string;
  /** The definition as given (plain ASL), served by DescribeStateMachine. */
  definition: object;
  prepared: PreparedDefinition;
  machine: StateMachine;
  roleArn: string;
  /** Epoch milliseconds. */
  creationDate: number;
}

export interface ExecutionRunnerOptions {
  region: string;
  timeScale: number;
  store: ExecutionStore;
  invokeLambda: (functionArn: string, payload: unknown) => Promise<unknown>;
  statesTimeoutError: new () => Error;
}

/** One run of a Task state (a retry is a new attempt), settled exactly once. */
class TaskAttempt {
  settled = false;
  readonly promise: Promise<JsonValue>;
  private settle!: { resolve: (value: JsonValue) => void; reject: (error: Error) => void };
  private timeoutTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeat: { ms: number; onExpiry: () => void } | undefined;

  constructor(readonly token: string | undefined) {
    this.promise = new Promise<JsonValue>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  resolve(value: JsonValue): void {
    if (this.settled) return;
    this.dispose();
    this.settle.resolve(value);
  }

  reject(error: Error): void {
    if (this.settled) return;
    this.dispose();
    this.settle.reject(error);
  }

  startTimeout(ms: number, onExpiry: () => void): void {
    if (ms <= MAX_TIMER_MS) this.timeoutTimer = setTimeout(onExpiry, ms);
  }

  startHeartbeat(ms: number, onExpiry: () => void): void {
    this.heartbeat = { ms, onExpiry };
    this.beat();
  }

  /** SendTaskHeartbeat: restarts the heartbeat timer. */
  beat(): void {
    if (!this.heartbeat || this.settled) return;
    clearTimeout(this.heartbeatTimer);
    if (this.heartbeat.ms <= MAX_TIMER_MS) this.heartbeatTimer = setTimeout(this.heartbeat.onExpiry, this.heartbeat.ms);
  }

  private dispose(): void {
    this.settled = true;
    clearTimeout(this.timeoutTimer);
    clearTimeout(this.heartbeatTimer);
  }
}

interface LiveExecution {
  record: ExecutionRecord;
  stateMachine: RegisteredStateMachine;
  /** The `$$` context object given to the library. */
  context: Record<string, unknown>;
  /** Aborted when the run settles: cancels pending task attempts. */
  controller: AbortController;
  abortRun: () => void;
  attempts: Set<TaskAttempt>;
  /** The latest entry into each state: raw input (for TimeoutSecondsPath), time and task attempts (for `$$.State`). */
  entries: Map<string, { input: JsonValue; enteredAt: number; attempts: number }>;
  /** Set by stop(): nothing more is persisted, so the next start finds the execution RUNNING. */
  frozen: boolean;
  stopRequest?: { error?: string; cause?: string };
  done: Promise<void>;
}

type Outcome = { status: 'SUCCEEDED'; output: unknown } | { status: Exclude<ExecutionStatus, 'SUCCEEDED' | 'RUNNING'>; error?: string; cause?: string };

/** What `$$.Task.Token` resolves to inside the library; each waiting task replaces it with a real token. */
const TOKEN_PLACEHOLDER = `local-sfn-task-token-placeholder-${randomUUID()}`;
/** What `$$.State.*` resolves to inside the library; the Task override replaces them with the real values. */
const STATE_PLACEHOLDERS = {
  Name: `local-sfn-state-name-placeholder-${randomUUID()}`,
  EnteredTime: `local-sfn-state-entered-time-placeholder-${randomUUID()}`,
  RetryCount: `local-sfn-state-retry-count-placeholder-${randomUUID()}`,
};
const MAX_REMEMBERED_TOKENS = 100_000;
const FAIL_STATE_DEFAULT_CAUSE = 'Execution failed because of a Fail state';

export class ExecutionRunner {
  private readonly live = new Map<string, LiveExecution>();
  private readonly tokens = new Map<string, { execution: LiveExecution; attempt: TaskAttempt }>();
  /** Tokens no longer usable and why: a used token is an InvalidToken, a timed-out or closed one TaskTimedOut. */
  private readonly deadTokens = new Map<string, 'used' | 'timed-out' | 'closed'>();
  /** The state machine of each token's execution, live or dead (bounded like deadTokens): for authorising SendTask*. */
  private readonly tokenMachines = new Map<string, string>();
  private stopping = false;

  constructor(private readonly options: ExecutionRunnerOptions) {}

  /** The record of a RUNNING execution of this process (history included), if any. */
  findLive(executionArn: string): ExecutionRecord | undefined {
    return this.live.get(executionArn)?.record;
  }

  /** Starts an execution; its record is persisted RUNNING with an `ExecutionStarted` event. */
  start(stateMachine: RegisteredStateMachine, executionArn: string, name: string, inputText: string, input: JsonValue): ExecutionRecord {
    if (this.stopping) throw new Error('The local Step Functions runtime is stopping');
    const { store } = this.options;
    const record: ExecutionRecord = {
      seq: store.nextSeq(),
      executionArn,
      stateMachineArn: stateMachine.arn,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input: inputText,
      events: [],
    };
    appendEvent(record, 'ExecutionStarted', {
      executionStartedEventDetails: { input: inputText, inputDetails: { truncated: false }, roleArn: stateMachine.roleArn },
    });
    store.save(record);

    const execution: LiveExecution = {
      record,
      stateMachine,
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: stateMachine.roleArn, StartTime: new Date(record.startDate).toISOString(), RedriveCount: 0 },
        StateMachine: { Id: stateMachine.arn, Name: stateMachine.name },
        State: { ...STATE_PLACEHOLDERS },
        Task: { Token: TOKEN_PLACEHOLDER },
      },
      controller: new AbortController(),
      abortRun: () => {},
      attempts: new Set(),
      entries: new Map(),
      frozen: false,
      done: Promise.resolve(),
    };
    const handlers: Record<string, (input: LibraryJson) => Promise<LibraryJson>> = {};
    for (const spec of stateMachine.prepared.tasks.values()) {
      handlers[spec.stateName] = async (taskInput) => (await this.runTask(execution, spec, taskInput as JsonValue)) as LibraryJson;
    }
    const runOptions: RunOptions = { overrides: { taskResourceLocalHandlers: handlers }, context: execution.context };
    this.live.set(executionArn, execution);
    const run = stateMachine.machine.run(input as LibraryJson, runOptions);
    execution.abortRun = run.abort;
    const consumer = (async () => {
      for await (const event of run.eventLogs) this.recordLibraryEvent(execution, event);
    })().catch((error: unknown) => console.error('local-sfn: history translation failed', error));
    execution.done = this.settle(execution, run.result, consumer);
    return record;
  }

  /** StopExecution: aborts a RUNNING execution and resolves once it is recorded ABORTED. */
  async stopExecution(executionArn: string, error?: string, cause?: string): Promise<void> {
    const execution = this.live.get(executionArn);
    if (!execution) return;
    execution.stopRequest ??= { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) };
    execution.abortRun();
    await execution.done;
  }

  /**
   * SendTaskSuccess: completes the waiting task with `output`.
   * @throws SfnApiError InvalidToken (unknown or already used), TaskTimedOut (timed out, or its execution ended).
   */
  /** The state machine whose execution issued `token` (undefined for a token this run never issued). */
  stateMachineOfToken(token: string): string | undefined {
    return this.tokenMachines.get(token);
  }

  sendTaskSuccess(token: string, output: JsonValue): void {
    const { attempt } = this.getWaitingTask(token);
    this.killToken(token, 'used');
    attempt.resolve(output);
  }

  /** SendTaskFailure: fails the waiting task with an error named `error`. Throws like sendTaskSuccess. */
  sendTaskFailure(token: string, error: string | undefined, cause: string | undefined): void {
    const { attempt } = this.getWaitingTask(token);
    this.killToken(token, 'used');
    attempt.reject(taskFailedError(error ?? '', cause ?? ''));
  }

  /** SendTaskHeartbeat: restarts the task's HeartbeatSeconds timer. Throws like sendTaskSuccess. */
  sendTaskHeartbeat(token: string): void {
    this.getWaitingTask(token).attempt.beat();
  }

  /** Aborts every running execution without recording it, and waits until none holds a timer. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    const executions = [...this.live.values()];
    for (const execution of executions) {
      execution.frozen = true;
      execution.abortRun();
    }
    await Promise.all(executions.map((execution) => execution.done));
    this.tokens.clear();
  }

  private getWaitingTask(token: string): { execution: LiveExecution; attempt: TaskAttempt } {
    const waiting = this.tokens.get(token);
    if (waiting) return waiting;
    const dead = this.deadTokens.get(token);
    if (dead === 'timed-out') throw new SfnApiError('TaskTimedOut', 'Task Timed Out: the task of this token has timed out');
    if (dead === 'closed') throw new SfnApiError('TaskTimedOut', 'Task Timed Out: the task of this token has already been closed');
    if (dead === 'used') throw new SfnApiError('InvalidToken', 'Invalid Token: this task token has already been used');
    throw new SfnApiError('InvalidToken', 'Invalid Token: no task is waiting for this token');
  }

  private killToken(token: string, reason: 'used' | 'timed-out' | 'closed'): void {
    this.tokens.delete(token);
    this.deadTokens.set(token, reason);
    if (this.deadTokens.size > MAX_REMEMBERED_TOKENS) {
      const oldest = this.deadTokens.keys().next().value;
      if (oldest !== undefined) this.deadTokens.delete(oldest);
    }
  }

  /** The override of every Task state: receives the effective input (after InputPath and Parameters). */
  private async runTask(execution: LiveExecution, spec: TaskSpec, input: JsonValue): Promise<JsonValue> {
    // The library dispatched StateEntered synchronously before calling us; its event log is consumed
    // asynchronously. One macrotask later it has been recorded, so our task events follow it in the history.
    await nextMacrotask();
    if (execution.controller.signal.aborted) throw taskAbortedError();
    const { timeScale, invokeLambda, statesTimeoutError } = this.options;

    const entry = execution.entries.get(spec.stateName) ?? { input, enteredAt: Date.now(), attempts: 0 };
    entry.attempts += 1;
    const stateInput = entry.input;
    const timeoutSeconds = spec.timeoutSeconds ?? this.secondsAt(spec.timeoutSecondsPath, stateInput, execution, 'TimeoutSecondsPath');
    const waits = spec.kind === 'lambda-invoke-wait';
    const heartbeatSeconds = waits
      ? (spec.heartbeatSeconds ?? this.secondsAt(spec.heartbeatSecondsPath, stateInput, execution, 'HeartbeatSecondsPath'))
      : undefined;

    const token = waits ? randomBytes(48).toString('base64url') : undefined;
    const parameters = replacePlaceholders(input, {
      [STATE_PLACEHOLDERS.Name]: spec.stateName,
      [STATE_PLACEHOLDERS.EnteredTime]: new Date(entry.enteredAt).toISOString(),
      [STATE_PLACEHOLDERS.RetryCount]: entry.attempts - 1,
      ...(token ? { [TOKEN_PLACEHOLDER]: token } : {}),
    });
    let functionArn: string;
    let payload: JsonValue;
    let fireAndForget = false;
    if (spec.kind === 'lambda-function') {
      functionArn = spec.resource;
      payload = parameters;
    } else {
      if (!isObject(parameters) || typeof parameters.FunctionName !== 'string') {
        throw statesRuntimeError(`Task state "${spec.stateName}": Parameters of ${spec.resource} must include FunctionName`);
      }
      functionArn = parameters.FunctionName;
      payload = parameters.Payload ?? {};
      fireAndForget = parameters.InvocationType === 'Event';
    }
    const events = taskEvents(spec, functionArn, this.regionOf(functionArn));

    this.append(execution, ...events.scheduled(payload, parameters, timeoutSeconds, heartbeatSeconds));
    this.append(execution, ...events.started());

    const attempt = new TaskAttempt(token);
    execution.attempts.add(attempt);
    const timeoutError = (name: string): Error => {
      const error = new statesTimeoutError();
      error.name = name;
      return error;
    };
    if (timeoutSeconds !== undefined) {
      attempt.startTimeout(timeoutSeconds * timeScale, () => {
        if (token) this.killToken(token, 'timed-out');
        attempt.reject(timeoutError('States.Timeout'));
      });
    }
    if (heartbeatSeconds !== undefined) {
      attempt.startHeartbeat(heartbeatSeconds * timeScale, () => {
        if (token) this.killToken(token, 'timed-out');
        attempt.reject(timeoutError('States.HeartbeatTimeout'));
      });
    }
    if (token) {
      this.tokens.set(token, { execution, attempt });
      this.tokenMachines.set(token, execution.stateMachine.arn);
      if (this.tokenMachines.size > MAX_REMEMBERED_TOKENS) {
        const oldest = this.tokenMachines.keys().next().value;
        if (oldest !== undefined) this.tokenMachines.delete(oldest);
      }
    }

    const invocation = (async () => invokeLambda(functionArn, cloneJson(payload)))();
    if (fireAndForget) {
      invocation.catch(() => {});
      attempt.resolve(null);
    } else if (waits) {
      invocation.then(
        (result) => {
          if (!attempt.settled) this.append(execution, ...events.submitted(lambdaInvokeResponse(toJson(result))));
        },
        (error: unknown) => {
          if (attempt.settled) return;
          if (token) this.killToken(token, 'closed');
          attempt.reject(lambdaFunctionError(error));
        },
      );
    } else {
      invocation.then(
        (result) => attempt.resolve(toJson(result)),
        (error: unknown) => attempt.reject(lambdaFunctionError(error)),
      );
    }

    try {
      const result = await attempt.promise;
      const output = spec.kind === 'lambda-invoke' ? lambdaInvokeResponse(result, fireAndForget) : result;
      this.append(execution, ...events.succeeded(output));
      return output;
    } catch (thrown) {
      const error = thrown as Error;
      if (execution.controller.signal.aborted || error.name === 'States.Aborted') throw error;
      if (error instanceof statesTimeoutError) this.append(execution, ...events.timedOut(error));
      else this.append(execution, ...events.failed(error));
      throw error;
    } finally {
      execution.attempts.delete(attempt);
      if (token && this.tokens.has(token)) this.killToken(token, 'closed');
    }
  }

  private secondsAt(path: string | undefined, stateInput: JsonValue, execution: LiveExecution, field: string): number | undefined {
    if (path === undefined) return undefined;
    const value = evaluateReferencePath(path, stateInput, execution.context);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw statesRuntimeError(`${field} "${path}" must select a positive integer, found ${JSON.stringify(value)}`);
    }
    return value;
  }

  private regionOf(functionArn: string): string {
    const parts = functionArn.split(':');
    return parts[0] === 'arn' && parts[2] === 'lambda' && parts[3] ? parts[3] : this.options.region;
  }

  private append(execution: LiveExecution, type: string, details: Record<string, unknown> = {}): void {
    if (execution.frozen) return;
    appendEvent(execution.record, type, details);
    this.options.store.save(execution.record);
  }

  /** Translates one event of the library's log into AWS history events. */
  private recordLibraryEvent(execution: LiveExecution, event: EventLog): void {
    switch (event.type) {
      case 'StateEntered': {
        const { name, type, input } = event.state;
        execution.entries.set(name, { input: input as JsonValue, enteredAt: event.timestamp, attempts: 0 });
        this.append(execution, `${type}StateEntered`, {
          stateEnteredEventDetails: { name, input: JSON.stringify(input ?? null), inputDetails: { truncated: false } },
        });
        if (type === 'Map') this.append(execution, 'MapStateStarted', { mapStateStartedEventDetails: {} });
        if (type === 'Parallel') this.append(execution, 'ParallelStateStarted');
        return;
      }
      case 'StateExited': {
        const { name, type, output } = event.state;
        if (type === 'Map') this.append(execution, 'MapStateSucceeded');
        if (type === 'Parallel') this.append(execution, 'ParallelStateSucceeded');
        this.append(execution, `${type}StateExited`, {
          stateExitedEventDetails: { name, output: JSON.stringify(output ?? null), outputDetails: { truncated: false } },
        });
        return;
      }
      case 'StateFailed':
        // Task failures are recorded by the override (TaskFailed/TaskTimedOut); AWS has no generic "state failed".
        if (event.state.type === 'Map' || event.state.type === 'Parallel') this.append(execution, `${event.state.type}StateFailed`);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
        this.append(execution, event.type, { [key]: { name: event.parentState.name, index: event.index } });
        return;
      }
      default:
        // Execution* events are written from the run's result; StateRetried/StateCaught/ParallelBranch* have no AWS event.
        return;
    }
  }

  private async settle(execution: LiveExecution, result: Promise<unknown>, consumer: Promise<void>): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = { status: 'SUCCEEDED', output: await result };
    } catch (error) {
      outcome = this.outcomeOf(execution, error);
    }
    // Whatever ended the run (success, failure, StopExecution, execution timeout, stop()), no task may keep waiting.
    execution.controller.abort();
    for (const attempt of execution.attempts) attempt.reject(taskAbortedError());
    await consumer;
    this.live.delete(execution.record.executionArn);
    if (execution.frozen) return;

    const { record } = execution;
    record.status = outcome.status;
    record.stopDate = Date.now();
    switch (outcome.status) {
      case 'SUCCEEDED':
        record.output = JSON.stringify(outcome.output ?? null);
        appendEvent(record, 'ExecutionSucceeded', {
          executionSucceededEventDetails: { output: record.output, outputDetails: { truncated: false } },
        });
        break;
      case 'FAILED':
        assignErrorAndCause(record, outcome);
        appendEvent(record, 'ExecutionFailed', { executionFailedEventDetails: errorAndCause(outcome) });
        break;
      case 'TIMED_OUT':
        assignErrorAndCause(record, outcome);
        appendEvent(record, 'ExecutionTimedOut', { executionTimedOutEventDetails: errorAndCause(outcome) });
        break;
      case 'ABORTED':
        assignErrorAndCause(record, outcome);
        appendEvent(record, 'ExecutionAborted', { executionAbortedEventDetails: errorAndCause(outcome) });
        break;
    }
    this.options.store.save(record);
  }

  private outcomeOf(execution: LiveExecution, error: unknown): Outcome {
    if (error instanceof ExecutionAbortedError) return { status: 'ABORTED', ...execution.stopRequest };
    if (error instanceof ExecutionTimeoutError) {
      return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution ran longer than the TimeoutSeconds of the state machine' };
    }
    const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
    if (!(failure instanceof Error)) return { status: 'FAILED', error: 'States.Runtime', cause: String(failure) };
    if (failure.constructor.name === 'FailStateError') {
      // A Fail state without Error/Cause: the library fills in defaults, AWS leaves them out.
      return {
        status: 'FAILED',
        ...(failure.name === 'FailStateError' ? {} : { error: failure.name }),
        ...(failure.message === FAIL_STATE_DEFAULT_CAUSE ? {} : { cause: failure.message }),
      };
    }
    return { status: 'FAILED', error: failure.name, cause: failure.message };
  }
}

function errorAndCause(outcome: { error?: string; cause?: string }): { error?: string; cause?: string } {
  return {
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    ...(outcome.cause === undefined ? {} : { cause: outcome.cause }),
  };
}

function assignErrorAndCause(record: ExecutionRecord, outcome: { error?: string; cause?: string }): void {
  if (outcome.error !== undefined) record.error = outcome.error;
  if (outcome.cause !== undefined) record.cause = outcome.cause;
}

/** History events of one task attempt: `LambdaFunction*` for a function ARN resource, `Task*` for `lambda:invoke`. */
function taskEvents(spec: TaskSpec, functionArn: string, region: string) {
  type Event = [type: string, details?: Record<string, unknown>];
  const serviceResource = spec.kind === 'lambda-invoke-wait' ? 'invoke.waitForTaskToken' : 'invoke';
  const service = { resourceType: 'lambda', resource: serviceResource };
  const data = (value: unknown) => JSON.stringify(value ?? null);
  const optionalSeconds = (key: string, value: number | undefined) => (value === undefined ? {} : { [key]: value });
  const isFunction = spec.kind === 'lambda-function';
  return {
    scheduled: (payload: JsonValue, parameters: JsonValue, timeout?: number, heartbeat?: number): Event =>
      isFunction
        ? [
            'LambdaFunctionScheduled',
            {
              lambdaFunctionScheduledEventDetails: {
                resource: functionArn,
                input: data(payload),
                inputDetails: { truncated: false },
                ...optionalSeconds('timeoutInSeconds', timeout),
              },
            },
          ]
        : [
            'TaskScheduled',
            {
              taskScheduledEventDetails: {
                ...service,
                region,
                parameters: data(parameters),
                ...optionalSeconds('timeoutInSeconds', timeout),
                ...optionalSeconds('heartbeatInSeconds', heartbeat),
              },
            },
          ],
    started: (): Event => (isFunction ? ['LambdaFunctionStarted'] : ['TaskStarted', { taskStartedEventDetails: service }]),
    submitted: (output: JsonValue): Event => [
      'TaskSubmitted',
      { taskSubmittedEventDetails: { ...service, output: data(output), outputDetails: { truncated: false } } },
    ],
    succeeded: (output: JsonValue): Event =>
      isFunction
        ? ['LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: data(output), outputDetails: { truncated: false } } }]
        : ['TaskSucceeded', { taskSucceededEventDetails: { ...service, output: data(output), outputDetails: { truncated: false } } }],
    failed: (error: Error): Event =>
      isFunction
        ? ['LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: error.name, cause: error.message } }]
        : ['TaskFailed', { taskFailedEventDetails: { ...service, error: error.name, cause: error.message } }],
    timedOut: (error: Error): Event =>
      isFunction
        ? ['LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error: error.name } }]
        : ['TaskTimedOut', { taskTimedOutEventDetails: { ...service, error: error.name } }],
  };
}

/** The result of `arn:aws:states:::lambda:invoke`, as Step Functions returns Lambda's Invoke response. */
function lambdaInvokeResponse(payload: JsonValue, asynchronous = false): JsonValue {
  return {
    ExecutedVersion: '$LATEST',
    Payload: asynchronous ? '' : payload,
    SdkHttpMetadata: { HttpStatusCode: asynchronous ? 202 : 200 },
    SdkResponseMetadata: { RequestId: randomUUID() },
    StatusCode: asynchronous ? 202 : 200,
  };
}

function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a Lambda result looks like after JSON serialisation (undefined becomes null, Dates strings, …). */
function toJson(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

function cloneJson(value: JsonValue): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/**
 * Replaces placeholders in every string of a JSON value: a string that is exactly a placeholder becomes the
 * replacement value (so `RetryCount` stays a number), one that contains it (States.Format) gets it spliced in.
 */
function replacePlaceholders(value: JsonValue, replacements: Record<string, string | number>): JsonValue {
  if (typeof value === 'string') {
    const exact = replacements[value];
    if (exact !== undefined) return exact;
    let result = value;
    for (const [placeholder, replacement] of Object.entries(replacements)) {
      if (result.includes(placeholder)) result = result.split(placeholder).join(String(replacement));
    }
    return result;
  }
  if (Array.isArray(value)) return value.map((item) => replacePlaceholders(item, replacements));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replacePlaceholders(item, replacements)]));
  }
  return value;
}
