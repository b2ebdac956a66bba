// Primary adapter of the local Step Functions emulator: the SFN JSON 1.0 API over HTTP, so that
// `new SFNClient({ endpoint })` (or AWS_ENDPOINT_URL_SFN) drives the very ASL that CDK synthesises.
// 1. prepare every state machine (JSONPath-only rule, Lambda-only tasks) — a bad definition fails the start;
// 2. open the execution store; executions left RUNNING by the previous run become ABORTED (`interrupted`);
// 3. serve `POST /` with `X-Amz-Target: AWSStepFunctions.<Op>`; errors as `{"__type", "message"}` + 400.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { StateMachine } from 'aws-local-stepfunctions';
import { getStatesTimeoutErrorClass, type JsonValue, prepareDefinition } from './asl-definition.js';
import { ExecutionRunner, type RegisteredStateMachine } from './execution-runner.js';
import { type ExecutionRecord, type ExecutionStatus, ExecutionStore, type HistoryEvent } from './execution-store.js';
import { SfnApiError } from './sfn-errors.js';

export interface LocalStateMachine {
  name: string;
  arn: string;
  definition: object /* ASL, plain JSON */;
}

export interface LocalSfnOptions {
  host?: string;
  port: number; // 0 = free port
  dataDir: string; // executions + histories persisted here (JSON files; write atomically: tmp + rename)
  region: string;
  accountId: string;
  stateMachines: LocalStateMachine[];
  /** Invoke a Lambda by its ARN (as written in the ASL: either a Task Resource that is a function ARN, or Parameters.FunctionName for arn:aws:states:::lambda:invoke[.waitForTaskToken]). Returns the function's result; throws an Error whose `name` is the error type (e.g. 'BookNotFound') and `message` the cause, like a Lambda function error. */
  invokeLambda: (functionArn: string, payload: unknown) => Promise<unknown>;
  /** ms per second of TimeoutSeconds, default 1000; tests use small values to make timeouts fire fast */
  timeScale?: number;
  /**
   * Authorisation of each request (the local IAM check, infra/local/iam/): a message means
   * 400 AccessDeniedException with that message. `tokens` tells which state machine a task token belongs to.
   */
  authorize?: (request: {
    headers: IncomingMessage['headers'];
    operation: string;
    body: Record<string, unknown>;
    tokens: TaskTokenLookup;
  }) => string | undefined;
}

/** Which state machine a task token's execution runs (for authorising SendTask*). */
export interface TaskTokenLookup {
  stateMachineOfToken(token: string): string | undefined;
  stateMachineArns(): readonly string[];
}

export interface LocalSfn {
  url: string;
  port: number;
  /** Executions that were RUNNING when the service last stopped; they have been marked ABORTED with cause 'Local runtime stopped'. */
  interrupted: { executionArn: string; stateMachineArn: string; input: unknown }[];
  stop(): Promise<void>; // stops the HTTP server and aborts running executions WITHOUT marking them ABORTED on disk (so the next start reports them as interrupted)
}

export const INTERRUPTED_CAUSE = 'Local runtime stopped';

const TARGET_PREFIX = 'AWSStepFunctions.';
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
/** AWS execution names: 1–80 chars, no whitespace, brackets, wildcards, special or control characters. */
const INVALID_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;

type Body = Record<string, unknown>;
type Operation = (body: Body) => Promise<object> | object;

/**
 * Starts the local Step Functions service.
 * @throws Error when a definition breaks the JSONPath-only rule (JSONata, Assign, …), uses a non-Lambda Task
 *   resource, fails ASL validation, or two state machines share an ARN; or when the port cannot be bound.
 */
export async function startLocalSfn(opts: LocalSfnOptions): Promise<LocalSfn> {
  const timeScale = opts.timeScale ?? 1000;
  if (!(timeScale > 0)) throw new Error(`Local Step Functions: timeScale must be > 0, got ${timeScale}`);
  const host = opts.host ?? '127.0.0.1';
  const startedAt = Date.now();

  const machines = new Map<string, RegisteredStateMachine>();
  for (const sm of opts.stateMachines) {
    if (machines.has(sm.arn)) throw new Error(`Local Step Functions: state machine ARN ${sm.arn} is registered twice`);
    const prepared = prepareDefinition(sm.name, sm.definition, timeScale);
    machines.set(sm.arn, {
      name: sm.name,
      arn: sm.arn,
      definition: sm.definition,
      prepared,
      machine: new StateMachine(prepared.runnable, { validationOptions: { noValidate: true } }),
      roleArn: `arn:aws:iam::${opts.accountId}:role/local-sfn-${sm.name}`,
      creationDate: startedAt,
    });
  }

  const { store, interrupted } = await ExecutionStore.open(opts.dataDir, INTERRUPTED_CAUSE);
  const runner = new ExecutionRunner({
    region: opts.region,
    timeScale,
    store,
    invokeLambda: opts.invokeLambda,
    statesTimeoutError: await getStatesTimeoutErrorClass(),
  });

  const operations = createOperations({ machines, store, runner, region: opts.region, accountId: opts.accountId });
  const tokens: TaskTokenLookup = { stateMachineOfToken: (t) => runner.stateMachineOfToken(t), stateMachineArns: () => [...machines.keys()] };
  const authorize =
    opts.authorize && ((req: IncomingMessage, operation: string, body: Body) => opts.authorize!({ headers: req.headers, operation, body, tokens }));
  const server = createServer((req, res) => {
    void handleRequest(operations, req, res, authorize);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    interrupted: interrupted.map((record) => ({
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      input: parseJson(record.input) ?? null,
    })),
    stop: () => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await runner.shutdown();
        await store.flush();
        await closed;
      })();
      return stopping;
    },
  };
}

async function handleRequest(
  operations: Record<string, Operation>,
  req: IncomingMessage,
  res: ServerResponse,
  authorize?: (req: IncomingMessage, operation: string, body: Body) => string | undefined,
): Promise<void> {
  const requestId = randomUUID();
  const send = (status: number, payload: object, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    const body = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
      ...headers,
    });
    res.end(body);
  };
  try {
    const target = req.headers['x-amz-target'];
    const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const text = await readBody(req);
    const operation = req.method === 'POST' && name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!operation) throw new SfnApiError('UnknownOperationException', `Unknown operation ${String(target)}`);
    let body: unknown;
    try {
      body = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw new SfnApiError('SerializationException', 'The request body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new SfnApiError('SerializationException', 'The request body must be a JSON object');
    }
    const refused = authorize?.(req, name!, body as Body);
    if (refused !== undefined) {
      send(400, { __type: 'com.amazon.coral.service#AccessDeniedException', message: refused }, { 'x-amzn-errortype': 'AccessDeniedException' });
      return;
    }
    send(200, await operation(body as Body));
  } catch (error) {
    if (error instanceof SfnApiError) {
      send(400, { __type: `com.amazonaws.sfn#${error.code}`, message: error.message }, { 'x-amzn-errortype': error.code });
    } else {
      console.error('local-sfn: internal error', error);
      send(500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) });
    }
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new SfnApiError('ValidationException', 'Request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface OperationContext {
  machines: Map<string, RegisteredStateMachine>;
  store: ExecutionStore;
  runner: ExecutionRunner;
  region: string;
  accountId: string;
}

/** The SFN operations, each taking the JSON request and returning the JSON response (dates in epoch seconds). */
function createOperations({ machines, store, runner, region, accountId }: OperationContext): Record<string, Operation> {
  const getStateMachine = (arn: string): RegisteredStateMachine => {
    assertArn(arn);
    const machine = machines.get(arn);
    if (!machine) throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };
  const getExecution = async (arn: string): Promise<ExecutionRecord> => {
    assertArn(arn);
    const record = runner.findLive(arn) ?? (await store.findRecord(arn));
    if (!record) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  };
  const describeMachine = (sm: RegisteredStateMachine) => ({
    stateMachineArn: sm.arn,
    name: sm.name,
    definition: JSON.stringify(sm.definition),
    roleArn: sm.roleArn,
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  });

  return {
    StartExecution: (body) => {
      const sm = getStateMachine(requiredString(body, 'stateMachineArn'));
      const name = optionalString(body, 'name') ?? randomUUID();
      if (name.length < 1 || name.length > 80 || INVALID_NAME_CHARS.test(name)) {
        throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
      }
      const inputText = optionalString(body, 'input') ?? '{}';
      if (Buffer.byteLength(inputText) > MAX_PAYLOAD_BYTES) {
        throw new SfnApiError('InvalidExecutionInput', 'Invalid Execution Input: the input exceeds 256 KiB');
      }
      const input = parseJson(inputText);
      if (input === undefined) throw new SfnApiError('InvalidExecutionInput', 'Invalid Execution Input: the input is not valid JSON');

      const partition = sm.arn.split(':')[1] ?? 'aws';
      const executionArn = `arn:${partition}:states:${region}:${accountId}:execution:${sm.name}:${name}`;
      if (store.findSummary(executionArn)) {
        // AWS (Standard): the same name and input while the execution runs is an idempotent retry.
        const running = runner.findLive(executionArn);
        if (running && isDeepStrictEqual(parseJson(running.input), input)) {
          return { executionArn, startDate: seconds(running.startDate) };
        }
        throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const record = runner.start(sm, executionArn, name, inputText, input);
      return { executionArn, startDate: seconds(record.startDate) };
    },

    DescribeExecution: async (body) => describeExecution(await getExecution(requiredString(body, 'executionArn'))),

    StopExecution: async (body) => {
      const record = await getExecution(requiredString(body, 'executionArn'));
      if (record.status === 'RUNNING') {
        await runner.stopExecution(record.executionArn, optionalString(body, 'error'), optionalString(body, 'cause'));
      }
      const stopped = await getExecution(record.executionArn);
      return { stopDate: seconds(stopped.stopDate ?? Date.now()) };
    },

    ListExecutions: (body) => {
      if (body.mapRunArn !== undefined) throw new SfnApiError('ValidationException', 'mapRunArn is not supported locally');
      const stateMachineArn = requiredString(body, 'stateMachineArn');
      const executions = store.listByStateMachine(stateMachineArn);
      if (!machines.has(stateMachineArn) && executions.length === 0) getStateMachine(stateMachineArn);
      const statusFilter = optionalString(body, 'statusFilter');
      if (statusFilter !== undefined && !STATUSES.includes(statusFilter as ExecutionStatus)) {
        throw new SfnApiError('ValidationException', `statusFilter must be one of ${STATUSES.join(', ')}`);
      }
      const maxResults = pageSize(body);
      const scope = `executions|${stateMachineArn}|${statusFilter ?? ''}`;
      const before = decodeNextToken(body, scope);
      const matching = executions.filter(
        (summary) => (statusFilter === undefined || summary.status === statusFilter) && (before === undefined || summary.seq < before),
      );
      const page = matching.slice(0, maxResults);
      const last = page.at(-1);
      return {
        executions: page.map((summary) => ({
          executionArn: summary.executionArn,
          stateMachineArn: summary.stateMachineArn,
          name: summary.name,
          status: summary.status,
          startDate: seconds(summary.startDate),
          ...(summary.stopDate === undefined ? {} : { stopDate: seconds(summary.stopDate) }),
          redriveCount: 0,
        })),
        ...(matching.length > maxResults && last ? { nextToken: encodeNextToken(scope, last.seq) } : {}),
      };
    },

    GetExecutionHistory: async (body) => {
      const record = await getExecution(requiredString(body, 'executionArn'));
      const reverseOrder = optionalBoolean(body, 'reverseOrder') ?? false;
      const includeExecutionData = optionalBoolean(body, 'includeExecutionData') ?? true;
      const maxResults = pageSize(body);
      const scope = `history|${record.executionArn}|${reverseOrder}`;
      const offset = decodeNextToken(body, scope) ?? 0;
      const ordered = reverseOrder ? [...record.events].reverse() : record.events;
      const page = ordered.slice(offset, offset + maxResults);
      return {
        events: page.map((event) => historyEvent(event, includeExecutionData)),
        ...(offset + maxResults < ordered.length ? { nextToken: encodeNextToken(scope, offset + maxResults) } : {}),
      };
    },

    SendTaskSuccess: (body) => {
      const taskToken = requiredString(body, 'taskToken');
      const outputText = requiredString(body, 'output');
      if (Buffer.byteLength(outputText) > MAX_PAYLOAD_BYTES) throw new SfnApiError('InvalidOutput', 'Invalid Output: the output exceeds 256 KiB');
      const output = parseJson(outputText);
      if (output === undefined) throw new SfnApiError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
      runner.sendTaskSuccess(taskToken, output);
      return {};
    },

    SendTaskFailure: (body) => {
      runner.sendTaskFailure(requiredString(body, 'taskToken'), optionalString(body, 'error'), optionalString(body, 'cause'));
      return {};
    },

    SendTaskHeartbeat: (body) => {
      runner.sendTaskHeartbeat(requiredString(body, 'taskToken'));
      return {};
    },

    DescribeStateMachine: (body) => {
      const sm = getStateMachine(requiredString(body, 'stateMachineArn'));
      return { ...describeMachine(sm), status: 'ACTIVE', type: 'STANDARD', creationDate: seconds(sm.creationDate) };
    },

    DescribeStateMachineForExecution: async (body) => {
      const record = await getExecution(requiredString(body, 'executionArn'));
      const sm = getStateMachine(record.stateMachineArn);
      return { ...describeMachine(sm), updateDate: seconds(sm.creationDate) };
    },

    ListStateMachines: (body) => {
      const all = [...machines.values()];
      const maxResults = pageSize(body);
      const offset = decodeNextToken(body, 'state-machines') ?? 0;
      const page = all.slice(offset, offset + maxResults);
      return {
        stateMachines: page.map((sm) => ({ stateMachineArn: sm.arn, name: sm.name, type: 'STANDARD', creationDate: seconds(sm.creationDate) })),
        ...(offset + maxResults < all.length ? { nextToken: encodeNextToken('state-machines', offset + maxResults) } : {}),
      };
    },

    StartSyncExecution: () => {
      throw new SfnApiError('StateMachineTypeNotSupported', 'StartSyncExecution needs an EXPRESS state machine; local ones are STANDARD');
    },
  };
}

function describeExecution(record: ExecutionRecord): object {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    ...(record.stopDate === undefined ? {} : { stopDate: seconds(record.stopDate) }),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output === undefined ? {} : { output: record.output, outputDetails: { included: true } }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.cause === undefined ? {} : { cause: record.cause }),
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
    ...(record.status === 'RUNNING' ? {} : { redriveStatusReason: 'Redrive is not supported by the local Step Functions runtime' }),
  };
}

function historyEvent(event: HistoryEvent, includeExecutionData: boolean): object {
  const out: Record<string, unknown> = { ...event, timestamp: seconds(event.timestamp) };
  if (!includeExecutionData) {
    for (const [key, value] of Object.entries(out)) {
      if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
      const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
      out[key] = rest;
    }
  }
  return out;
}

function seconds(epochMs: number): number {
  return epochMs / 1000;
}

/** The parsed JSON text, or `undefined` when it is not JSON. */
function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function assertArn(arn: string): void {
  if (!/^arn:[\w-]+:states:/.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
}

function requiredString(body: Body, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw new SfnApiError('ValidationException', `1 validation error detected: '${key}' must not be null`);
  return value;
}

function optionalString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SfnApiError('ValidationException', `'${key}' must be a string`);
  return value;
}

function optionalBoolean(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new SfnApiError('ValidationException', `'${key}' must be a boolean`);
  return value;
}

/** `maxResults`: 0 or absent means the default page of 100; at most 1000. */
function pageSize(body: Body): number {
  const value = body.maxResults;
  if (value === undefined || value === null || value === 0) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new SfnApiError('ValidationException', "'maxResults' must be an integer between 0 and 1000");
  }
  return value;
}

function encodeNextToken(scope: string, position: number): string {
  return Buffer.from(JSON.stringify({ scope, position })).toString('base64url');
}

/** The position stored in `nextToken`, or `undefined` without one; a token from another listing is InvalidToken. */
function decodeNextToken(body: Body, scope: string): number | undefined {
  const token = optionalString(body, 'nextToken');
  if (token === undefined) return undefined;
  const decoded = parseJson(Buffer.from(token, 'base64url').toString('utf8')) as { scope?: unknown; position?: unknown } | undefined;
  if (decoded?.scope !== scope || typeof decoded.position !== 'number') throw new SfnApiError('InvalidToken', 'Invalid nextToken');
  return decoded.position;
}
