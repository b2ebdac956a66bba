// Secondary adapter of the local Step Functions emulator: executions and their histories on disk.
// Layout under `dataDir`: `executions/<sha256(executionArn)>.json` holds one execution with its whole history
// (AWS-shaped events), `index.json` lists every execution's summary for ListExecutions. Every file is written
// atomically (temporary file + rename); writes to a file are coalesced, so a burst of history events costs one
// write per file at a time. The per-execution files are the source of truth; the index is repaired on open.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One GetExecutionHistory event as AWS shapes it, except `timestamp` is kept in epoch milliseconds. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionRecord {
  /** Start order, used for "newest first" listings and stable pagination. */
  seq: number;
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  /** JSON text, as given to StartExecution. */
  input: string;
  /** JSON text, when SUCCEEDED. */
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
}

export type ExecutionSummary = Pick<ExecutionRecord, 'seq' | 'executionArn' | 'stateMachineArn' | 'name' | 'status' | 'startDate' | 'stopDate'>;

interface IndexFile {
  version: 1;
  nextSeq: number;
  executions: ExecutionSummary[];
}

/** Appends an AWS-shaped history event (`id`, `previousEventId`, `timestamp`, `type`, details) to a record. */
export function appendEvent(record: ExecutionRecord, type: string, details: Record<string, unknown> = {}): HistoryEvent {
  const id = record.events.length + 1;
  const event: HistoryEvent = { timestamp: Date.now(), type, id, previousEventId: id - 1, ...details };
  record.events.push(event);
  return event;
}

let tmpCounter = 0;

async function writeJsonAtomically(path: string, data: string): Promise<void> {
  tmpCounter += 1;
  const tmp = `${path}.${process.pid}.${tmpCounter}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * A JSON file written atomically; `schedule` coalesces: the snapshot is taken when the write starts.
 * Writes follow each other at least `minIntervalMs` apart (a long execution's record is large and
 * changes with every event, so writing it after each one would be quadratic); `flush` skips the wait.
 */
class CoalescingJsonFile {
  private pending: (() => unknown) | undefined;
  private running: Promise<void> | undefined;
  private lastWrite = 0;
  private flushing = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly path: string,
    private readonly onIdle: () => void = () => {},
    private readonly minIntervalMs = 0,
  ) {}

  schedule(snapshot: () => unknown): void {
    this.pending = snapshot;
    this.running ??= this.drain();
  }

  async flush(): Promise<void> {
    this.flushing = true;
    this.wake?.();
    try {
      while (this.running) await this.running;
    } finally {
      this.flushing = false;
    }
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const wait = this.lastWrite + this.minIntervalMs - Date.now();
      if (wait > 0 && !this.flushing) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
      const snapshot = this.pending;
      this.pending = undefined;
      if (!snapshot) continue;
      try {
        await writeJsonAtomically(this.path, JSON.stringify(snapshot()));
      } catch (error) {
        // A failed write must not kill the emulator; the next change rewrites the whole file.
        console.error(`local-sfn: could not write ${this.path}`, error);
      }
      this.lastWrite = Date.now();
    }
    this.running = undefined;
    this.onIdle();
  }
}

/** Minimum time between two writes of one execution's file (the index is written on status changes only). */
const EXECUTION_WRITE_INTERVAL_MS = 1000;

export class ExecutionStore {
  private readonly index: CoalescingJsonFile;
  /** Writers of execution files with a write pending, and the record each will write (fresher than the disk). */
  private readonly writers = new Map<string, { file: CoalescingJsonFile; record: ExecutionRecord }>();

  private constructor(
    private readonly executionsDir: string,
    indexPath: string,
    private readonly summaries: Map<string, ExecutionSummary>,
    private seq: number,
  ) {
    this.index = new CoalescingJsonFile(indexPath);
  }

  /**
   * Opens (creating if needed) the store in `dataDir`. Executions persisted as RUNNING were interrupted by a
   * stop or a crash: they are marked ABORTED with `interruptedCause`, get an `ExecutionAborted` event, and
   * are returned as `interrupted` (oldest first).
   */
  static async open(dataDir: string, interruptedCause: string): Promise<{ store: ExecutionStore; interrupted: ExecutionRecord[] }> {
    const executionsDir = join(dataDir, 'executions');
    const indexPath = join(dataDir, 'index.json');
    await mkdir(executionsDir, { recursive: true });
    await removeTemporaryFiles(dataDir);
    await removeTemporaryFiles(executionsDir);

    const indexFile = await readJson<IndexFile>(indexPath);
    const summaries = new Map<string, ExecutionSummary>();
    for (const summary of indexFile?.executions ?? []) summaries.set(summary.executionArn, summary);

    // Files the index does not know yet (a stop between the two writes) are added back.
    const indexed = new Set([...summaries.keys()].map(fileNameOf));
    for (const fileName of await readdir(executionsDir)) {
      if (!fileName.endsWith('.json') || indexed.has(fileName)) continue;
      const record = await readJson<ExecutionRecord>(join(executionsDir, fileName));
      if (record) summaries.set(record.executionArn, summaryOf(record));
    }

    let seq = indexFile?.nextSeq ?? 1;
    for (const summary of summaries.values()) seq = Math.max(seq, summary.seq + 1);
    const store = new ExecutionStore(executionsDir, indexPath, summaries, seq);

    const interrupted: ExecutionRecord[] = [];
    for (const summary of [...summaries.values()].sort((a, b) => a.seq - b.seq)) {
      if (summary.status !== 'RUNNING') continue;
      const record = await readJson<ExecutionRecord>(join(executionsDir, fileNameOf(summary.executionArn)));
      if (!record) {
        summaries.delete(summary.executionArn);
        continue;
      }
      if (record.status === 'RUNNING') {
        record.status = 'ABORTED';
        record.stopDate = Date.now();
        record.cause = interruptedCause;
        appendEvent(record, 'ExecutionAborted', { executionAbortedEventDetails: { cause: interruptedCause } });
        interrupted.push(record);
      }
      store.save(record);
    }
    store.saveIndex();
    await store.flush();
    return { store, interrupted };
  }

  /** Next start-order number for a new execution. */
  nextSeq(): number {
    const seq = this.seq;
    this.seq += 1;
    return seq;
  }

  /** Persists the record (coalesced, atomic); the index is rewritten when the summary changed. */
  save(record: ExecutionRecord): void {
    const arn = record.executionArn;
    let writer = this.writers.get(arn);
    if (!writer) {
      const file = new CoalescingJsonFile(
        join(this.executionsDir, fileNameOf(arn)),
        () => {
          if (this.writers.get(arn)?.file === file) this.writers.delete(arn);
        },
        EXECUTION_WRITE_INTERVAL_MS,
      );
      writer = { file, record };
      this.writers.set(arn, writer);
    }
    writer.record = record;
    writer.file.schedule(() => record);

    const summary = summaryOf(record);
    const previous = this.summaries.get(arn);
    if (!previous || previous.status !== summary.status || previous.stopDate !== summary.stopDate) {
      this.summaries.set(arn, summary);
      this.saveIndex();
    }
  }

  findSummary(executionArn: string): ExecutionSummary | undefined {
    return this.summaries.get(executionArn);
  }

  /** The full record (history included), or `undefined` when the execution is unknown. */
  async findRecord(executionArn: string): Promise<ExecutionRecord | undefined> {
    const pending = this.writers.get(executionArn);
    if (pending) return pending.record;
    if (!this.summaries.has(executionArn)) return undefined;
    return readJson<ExecutionRecord>(join(this.executionsDir, fileNameOf(executionArn)));
  }

  /** Executions of a state machine, newest first. */
  listByStateMachine(stateMachineArn: string): ExecutionSummary[] {
    return [...this.summaries.values()].filter((s) => s.stateMachineArn === stateMachineArn).sort((a, b) => b.seq - a.seq);
  }

  /** Resolves once every scheduled write has reached the disk. */
  async flush(): Promise<void> {
    while (this.writers.size > 0) await Promise.all([...this.writers.values()].map((w) => w.file.flush()));
    await this.index.flush();
  }

  private saveIndex(): void {
    this.index.schedule((): IndexFile => ({ version: 1, nextSeq: this.seq, executions: [...this.summaries.values()] }));
  }
}

function summaryOf(record: ExecutionRecord): ExecutionSummary {
  const { seq, executionArn, stateMachineArn, name, status, startDate, stopDate } = record;
  return stopDate === undefined
    ? { seq, executionArn, stateMachineArn, name, status, startDate }
    : { seq, executionArn, stateMachineArn, name, status, startDate, stopDate };
}

function fileNameOf(executionArn: string): string {
  return `${createHash('sha256').update(executionArn).digest('hex').slice(0, 40)}.json`;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    console.error(`local-sfn: ignoring unreadable ${path}`);
    return undefined;
  }
}

async function removeTemporaryFiles(dir: string): Promise<void> {
  for (const fileName of await readdir(dir)) {
    if (fileName.endsWith('.tmp')) await unlink(join(dir, fileName)).catch(() => {});
  }
}
