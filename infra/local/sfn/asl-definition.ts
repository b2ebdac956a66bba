// Prepares a synthesised ASL definition for aws-local-stepfunctions, which would otherwise run it wrongly
// without a word: it ignores JSONata and `Assign`, calls real AWS Lambda for Task states, has no
// `.waitForTaskToken`, times every Task out after 60 s by default and reads `TimeoutSeconds` unscaled.
// 1. refuse what the library cannot run faithfully (JSONata, variables, non-Lambda resources, Distributed Map,
//    `$$.State` outside a Task's Parameters);
// 2. validate the original definition with the library's own ASL validator (minus its one false positive);
// 3. describe every Task state (resource kind, timeouts) so the emulator can run it through an override;
// 4. rewrite a copy for the library: task timeouts are handled by the emulator (scaled), the execution
//    timeout is scaled, and `States.Timeout` catchers also catch heartbeat timeouts.

import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { statesRuntimeError } from './sfn-errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** How a Task state's `Resource` is run locally. */
export type TaskKind =
  /** `Resource` is a Lambda function ARN: the effective input is the event, the result is the function's return value. */
  | 'lambda-function'
  /** `arn:aws:states:::lambda:invoke`: `Parameters.FunctionName`/`Payload`, result `{ Payload, StatusCode, … }`. */
  | 'lambda-invoke'
  /** `arn:aws:states:::lambda:invoke.waitForTaskToken`: invoke, then wait for SendTaskSuccess/Failure. */
  | 'lambda-invoke-wait';

export interface TaskSpec {
  stateName: string;
  kind: TaskKind;
  resource: string;
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
  heartbeatSeconds?: number;
  heartbeatSecondsPath?: string;
}

export interface PreparedDefinition {
  /** The rewritten definition handed to aws-local-stepfunctions (never validated again by it). */
  runnable: StateMachineDefinition;
  /** Every Task state, by name (ASL state names are unique across the whole machine, nested ones included). */
  tasks: Map<string, TaskSpec>;
  /** Every state of the original definition, by name. */
  states: Map<string, JsonObject>;
}

/** Longest delay a Node timer accepts (larger values fire after 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;
/** Task timeout given to the library so that its own (unscaled, 60 s default) timer never fires. */
const LIBRARY_TASK_TIMEOUT_SECONDS = 2_000_000;

const LAMBDA_FUNCTION_ARN = /^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;
const LAMBDA_INVOKE_ARN = /^arn:[\w-]+:states:::lambda:invoke(\.waitForTaskToken)?$/;

/** Fields that only exist with JSONata or with variables; the library would silently ignore them. */
const JSONATA_OR_VARIABLE_FIELDS = ['Assign', 'Arguments', 'Output', 'Items', 'Condition'] as const;
const DISTRIBUTED_MAP_FIELDS = ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailureCount', 'ToleratedFailurePercentage'];

/**
 * Validates and rewrites a state machine definition for the local runtime.
 * @throws Error naming the state machine and the offending state when the definition uses JSONata, `Assign`
 *   (or another JSONata/variables field), a Task resource other than Lambda, Distributed Map features,
 *   duplicate state names, or fails the library's ASL validation.
 */
export function prepareDefinition(machineName: string, definition: object, timeScale: number): PreparedDefinition {
  const original = JSON.parse(JSON.stringify(definition)) as JsonObject;
  const fail = (message: string): never => {
    throw new Error(`Local Step Functions: state machine "${machineName}": ${message}`);
  };

  assertJsonPathOnly(original, '', fail);

  assertStateContextOnlyInTaskParameters(original, fail);
  validateWithLibrary(original, fail);
  assertTransitions(original, '', fail);

  const runnable = JSON.parse(JSON.stringify(original)) as JsonObject;
  const tasks = new Map<string, TaskSpec>();
  const states = new Map<string, JsonObject>();
  forEachState(original, (name, state) => {
    if (states.has(name)) fail(`state name "${name}" is used more than once; ASL state names must be unique`);
    states.set(name, state);
    if (state.Type === 'Map') {
      const used = DISTRIBUTED_MAP_FIELDS.filter((field) => field in state);
      if (used.length > 0) fail(`Map state "${name}" uses ${used.join(', ')} (Distributed Map), which is not emulated`);
    }
    if (state.Type === 'Task') tasks.set(name, describeTask(name, state, fail));
  });

  forEachState(runnable, (_name, state) => {
    if (state.Type !== 'Task') return;
    const hasHeartbeat = 'HeartbeatSeconds' in state || 'HeartbeatSecondsPath' in state;
    for (const field of ['TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath']) delete state[field];
    state.TimeoutSeconds = LIBRARY_TASK_TIMEOUT_SECONDS;
    if (hasHeartbeat) {
      // AWS: a heartbeat timeout is also a `States.Timeout`; the library matches error names exactly.
      for (const rule of [...asArray(state.Retry), ...asArray(state.Catch)]) {
        const errors = isObject(rule) ? rule.ErrorEquals : undefined;
        if (Array.isArray(errors) && errors.includes('States.Timeout') && !errors.includes('States.HeartbeatTimeout')) {
          errors.push('States.HeartbeatTimeout');
        }
      }
    }
  });

  if (typeof runnable.TimeoutSeconds === 'number') {
    const ms = runnable.TimeoutSeconds * timeScale;
    if (ms <= MAX_TIMER_MS) runnable.TimeoutSeconds = ms / 1000;
    else delete runnable.TimeoutSeconds;
  }

  return { runnable: runnable as unknown as StateMachineDefinition, tasks, states };
}

function describeTask(name: string, state: JsonObject, fail: (message: string) => never): TaskSpec {
  const resource = state.Resource;
  if (typeof resource !== 'string') return fail(`Task state "${name}" has no Resource`);
  let kind: TaskKind;
  if (LAMBDA_FUNCTION_ARN.test(resource)) kind = 'lambda-function';
  else if (LAMBDA_INVOKE_ARN.test(resource)) kind = resource.endsWith('.waitForTaskToken') ? 'lambda-invoke-wait' : 'lambda-invoke';
  else {
    return fail(
      `Task state "${name}" uses Resource "${resource}"; only Lambda function ARNs and ` +
        'arn:aws:states:::lambda:invoke[.waitForTaskToken] are emulated',
    );
  }
  const spec: TaskSpec = { stateName: name, kind, resource };
  if (typeof state.TimeoutSeconds === 'number') spec.timeoutSeconds = state.TimeoutSeconds;
  if (typeof state.TimeoutSecondsPath === 'string') spec.timeoutSecondsPath = state.TimeoutSecondsPath;
  if (typeof state.HeartbeatSeconds === 'number') spec.heartbeatSeconds = state.HeartbeatSeconds;
  if (typeof state.HeartbeatSecondsPath === 'string') spec.heartbeatSecondsPath = state.HeartbeatSecondsPath;
  return spec;
}

/**
 * Runs the library's ASL validation (asl-validator). It collects every `StartAt`/`Next`/`Default` key anywhere,
 * so a state *named* `StartAt`, `Next` or `Default` (our workflow has a Choice named `StartAt`) is reported as a
 * missing target "[object Object]" although AWS accepts it: that one false positive is dropped, and
 * `assertTransitions` checks the targets instead.
 */
function validateWithLibrary(definition: JsonObject, fail: (message: string) => never): void {
  try {
    new StateMachine(JSON.parse(JSON.stringify(definition)) as StateMachineDefinition);
  } catch (error) {
    const [, ...problems] = (error as Error).message.split('\n').map((line) => line.trim());
    const real = problems.filter((line) => line.length > 0 && !line.endsWith('target: [object Object]'));
    if (real.length > 0 || problems.length === 0) fail(`invalid ASL:\n${real.join('\n') || (error as Error).message}`);
  }
}

/** Every `StartAt`, `Next`, `Default` and `Catch[].Next` names a state of the same (sub-)machine. */
function assertTransitions(machine: JsonObject, where: string, fail: (message: string) => never): void {
  const states = isObject(machine.States) ? machine.States : {};
  const scope = where ? ` (${where})` : '';
  if (typeof machine.StartAt !== 'string' || !isObject(states[machine.StartAt])) {
    fail(`StartAt "${String(machine.StartAt)}"${scope} is not a state`);
  }
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    const targets = [state.Next, state.Default, ...[...asArray(state.Catch), ...asArray(state.Choices)].map((rule) => (isObject(rule) ? rule.Next : undefined))];
    for (const target of targets) {
      if (target !== undefined && (typeof target !== 'string' || !isObject(states[target]))) {
        fail(`state "${name}"${scope} transitions to "${String(target)}", which is not a state of the same machine`);
      }
    }
    for (const [index, branch] of asArray(state.Branches).entries()) {
      if (isObject(branch)) assertTransitions(branch, `branch ${index} of "${name}"`, fail);
    }
    for (const field of ['ItemProcessor', 'Iterator']) {
      const processor = state[field];
      if (isObject(processor)) assertTransitions(processor, `${field} of "${name}"`, fail);
    }
  }
}

/**
 * `$$.State.*` (Name, EnteredTime, RetryCount) is resolved by the Task override, which patches the effective
 * input; anywhere else it would stay a placeholder, so it is refused there.
 */
function assertStateContextOnlyInTaskParameters(machine: JsonObject, fail: (message: string) => never): void {
  forEachState(machine, (name, state) => {
    const { Parameters: parameters, Branches: _branches, ItemProcessor: _processor, Iterator: _iterator, ...rest } = state;
    const outside = state.Type === 'Task' ? rest : { ...rest, Parameters: parameters ?? null };
    if (JSON.stringify(outside).includes('$$.State.')) {
      fail(`state "${name}" uses $$.State outside a Task's Parameters; the local runtime only resolves it there`);
    }
  });
}

/** The JSONPath-only rule: no `QueryLanguage: JSONata` anywhere, no variables (`Assign`), no JSONata-only fields. */
function assertJsonPathOnly(machine: JsonObject, where: string, fail: (message: string) => never): void {
  const jsonata = 'JSONata is not supported locally (aws-local-stepfunctions ignores it); author the workflow in JSONPath';
  if (machine.QueryLanguage === 'JSONata') fail(`${where || 'the definition'} sets QueryLanguage "JSONata". ${jsonata}`);
  const states = isObject(machine.States) ? machine.States : {};
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    if (state.QueryLanguage === 'JSONata') fail(`state "${name}" sets QueryLanguage "JSONata". ${jsonata}`);
    const rules = [state, ...asArray(state.Catch), ...asArray(state.Choices)];
    for (const rule of rules) {
      if (!isObject(rule)) continue;
      for (const field of JSONATA_OR_VARIABLE_FIELDS) {
        if (!(field in rule)) continue;
        if (field === 'Assign') {
          fail(`state "${name}" uses Assign; workflow variables are not supported locally (the library ignores them)`);
        }
        fail(`state "${name}" uses the JSONata field "${field}". ${jsonata}`);
      }
    }
    for (const [index, branch] of asArray(state.Branches).entries()) {
      if (isObject(branch)) assertJsonPathOnly(branch, `branch ${index} of state "${name}"`, fail);
    }
    for (const field of ['ItemProcessor', 'Iterator']) {
      const processor = state[field];
      if (isObject(processor)) assertJsonPathOnly(processor, `${field} of state "${name}"`, fail);
    }
  }
}

/** Visits every state, nested Parallel branches and Map processors included. */
function forEachState(machine: JsonObject, visit: (name: string, state: JsonObject) => void): void {
  const states = isObject(machine.States) ? machine.States : {};
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    visit(name, state);
    for (const branch of asArray(state.Branches)) if (isObject(branch)) forEachState(branch, visit);
    for (const field of ['ItemProcessor', 'Iterator']) {
      const processor = state[field];
      if (isObject(processor)) forEachState(processor, visit);
    }
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Evaluates an ASL reference path (`$.a.b`, `$['a'][0]`, `$$.Execution.Id`) — the subset allowed in
 * `TimeoutSecondsPath`/`HeartbeatSecondsPath`. Returns `undefined` when the path selects nothing.
 * @throws States.Runtime error when the path is not a reference path.
 */
export function evaluateReferencePath(path: string, input: unknown, context: unknown): unknown {
  let current: unknown;
  let rest: string;
  if (path.startsWith('$$')) {
    current = context;
    rest = path.slice(2);
  } else if (path.startsWith('$')) {
    current = input;
    rest = path.slice(1);
  } else {
    throw statesRuntimeError(`"${path}" is not a reference path`);
  }
  const segment = /^(?:\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/;
  while (rest.length > 0) {
    const match = segment.exec(rest);
    if (!match) throw statesRuntimeError(`"${path}" is not a reference path`);
    rest = rest.slice(match[0].length);
    const key = match[1] ?? match[3] ?? match[4];
    if (key !== undefined) {
      current = isObject(current as JsonValue) ? (current as JsonObject)[key] : undefined;
    } else {
      const index = Number(match[2]);
      current = Array.isArray(current) ? current[index] : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

let timeoutErrorClass: Promise<new () => Error> | undefined;

/**
 * The library's own `States.Timeout` error class. It is not exported, but the library uses `instanceof` on it to
 * keep `States.TaskFailed` from matching timeouts (as AWS does), so timeouts raised by the emulator must be
 * instances of it. It is obtained once by letting a one-state machine time out after ~1 ms.
 */
export function getStatesTimeoutErrorClass(): Promise<new () => Error> {
  timeoutErrorClass ??= (async () => {
    const probe = new StateMachine(
      {
        StartAt: 'Probe',
        States: {
          Probe: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe', TimeoutSeconds: 0.001, End: true },
        },
      },
      { validationOptions: { noValidate: true } },
    );
    const execution = probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => {}) } } });
    const failure: unknown = await execution.result.then(
      () => undefined,
      (error: unknown) => error,
    );
    const cause = failure instanceof Error ? failure.cause : undefined;
    if (!(cause instanceof Error) || cause.name !== 'States.Timeout') {
      const seen = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(failure);
      throw new Error(
        `Local Step Functions: could not obtain the States.Timeout error class of aws-local-stepfunctions (got ${seen}; it needs Node >= 22)`,
      );
    }
    return cause.constructor as new () => Error;
  })();
  return timeoutErrorClass;
}
