/**
 * Workflow benchmark (issue 2): N books walked concurrently through every stage on a fresh local
 * stack (the same thing `npm start` runs), inventory → … → completed, over the HTTP API.
 * Each book's steps are sequential; books run in parallel, at most BENCH_CONCURRENCY in flight.
 *
 * Measures wall time, books/s, per-book time (p50/p95), where the time goes per step (action POST,
 * workflow hand-over until the next stage is visible, GET latency), then from the ops API:
 * executions per book (must be exactly 1) and state transitions per execution (StateEntered events).
 *
 * Env: BENCH_BOOKS (default 100), BENCH_CONCURRENCY (default 100), BENCH_POLL_MS (default 100, as
 * the e2e tests poll), BENCH_STAGE_TIMEOUT_MS (default 120000), BENCH_KEEP_DATA=1 keeps the data dir.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, type StackProcess, startStackProcess } from '../support/stack-process.js';
import { type BenchResult, cpuCount, envInt, type Goal, mapLimit, mean, percentile, printResult, round } from './bench-result.js';
import { type ApiClient, type ApiResponse, asUser } from './http-client.js';

type Actor = 'officer' | 'officer2' | 'clerk' | 'contractor' | 'police';

const users: Record<Actor | 'ops', string> = {
  officer: 'hotich.binhan',
  officer2: 'hotich2.binhan',
  clerk: 'nhaplieu.binhan',
  contractor: 'scan.binhan',
  police: 'congan.binhan',
  ops: 'vanhanh',
};

/** The happy path: who acts, and which stage the book must reach (parked, waiting) afterwards. */
/** An empty zip (just the end-of-central-directory record): a complete delivery for a book without records. */
/** Presigned POST straight to S3, as the upload form does; the S3 event completes the stage. */
async function deliver(who: ApiClient, bookId: string, kind: 'entry' | 'scans', bytes: Buffer, fileName: string, contentType: string) {
  const req = await who.post(`/books/${bookId}/uploads`, { kind, fileName, contentType, size: bytes.length });
  if (req.status !== 201) return req;
  const form = new FormData();
  for (const [k, v] of Object.entries(req.body.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: contentType }), fileName);
  const res = await fetch(req.body.url, { method: 'POST', body: form });
  return { ...req, status: res.status === 204 ? 201 : res.status };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Each book is a one-record guardianship book (no one to look up in the population register, so
 * Reconciliation completes at once): inventory → start → the clerk's workbook (validated from S3) →
 * the contractor's zip → review (claim, record OK, pass) → approval (export package) → completed.
 */
type Step = { name: string; actor: Actor; next: string; run: (who: ApiClient, bookId: string, quyenSo: string) => Promise<ApiResponse>; expected: number };
const steps: Step[] = [
  { name: 'startDigitisation', actor: 'officer', next: 'entry', expected: 202, run: (w, b) => w.post(`/books/${b}/actions`, { action: 'startDigitisation' }) },
  {
    name: 'uploadEntry',
    actor: 'clerk',
    next: 'scan',
    expected: 201,
    run: async (w, b, quyenSo) => {
      const { entryWorkbook } = await import('../support/entry-files.js');
      const { bytes } = await entryWorkbook({ registerType: 'GH', quyenSo, yearOpened: 2001 }, 1);
      return deliver(w, b, 'entry', bytes, 'so-nhap-lieu.xlsx', XLSX);
    },
  },
  {
    name: 'deliverScans',
    actor: 'contractor',
    next: 'review',
    expected: 201,
    run: async (w, b) => {
      const { pdfFor, zipOf } = await import('../support/scan-files.js');
      return deliver(w, b, 'scans', await zipOf([{ name: '1-2001.pdf', data: await pdfFor(b) }]), 'scans.zip', 'application/zip');
    },
  },
  {
    name: 'review',
    actor: 'officer',
    next: 'approval',
    expected: 202,
    run: async (w, b) => {
      await w.post(`/books/${b}/review/claim`);
      const rec = await w.get(`/books/${b}/records/1-2001`);
      await w.patch(`/books/${b}/records/1-2001`, { version: rec.body.version, status: 'ok' });
      return w.post(`/books/${b}/actions`, { action: 'passReview' });
    },
  },
  { name: 'approve', actor: 'officer2', next: 'completed', expected: 202, run: (w, b) => w.post(`/books/${b}/actions`, { action: 'approve' }) },
];

/** Attempts per request before a book is given up (409s and errors are counted on every attempt). */
const MAX_ATTEMPTS = 3;
const TRANSITION_GOAL = 20;

interface Counters {
  conflicts409: number;
  httpErrors: number;
  networkErrors: number;
  stageTimeouts: number;
  workflowFailures: number;
  polls: number;
  errorSamples: string[];
}

interface BookRun {
  bookId: string;
  ok: boolean;
  ms: number;
  createMs: number;
  /** Per step: the action POST's latency, and the time from its 202 to the next stage being visible. */
  postMs: number[];
  handoverMs: number[];
  error?: string;
}

/**
 * CPU seconds (user + system) used so far by a process and all its descendants, from Linux /proc
 * (the stack runs as tsx → node). Undefined where /proc is not available.
 */
function treeCpuSeconds(rootPid: number | undefined): number | undefined {
  if (rootPid === undefined) return undefined;
  try {
    const stats = new Map<number, { ppid: number; ticks: number }>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const raw = readFileSync(`/proc/${d}/stat`, 'utf8');
        const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
        stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
      } catch {
        /* process ended */
      }
    }
    let ticks = 0;
    const queue = [rootPid];
    while (queue.length) {
      const pid = queue.pop()!;
      ticks += stats.get(pid)?.ticks ?? 0;
      for (const [child, st] of stats) if (st.ppid === pid) queue.push(child);
    }
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<BenchResult> {
  const books = envInt('BENCH_BOOKS', 100);
  const concurrency = envInt('BENCH_CONCURRENCY', 100);
  const pollMs = envInt('BENCH_POLL_MS', 100);
  const stageTimeoutMs = envInt('BENCH_STAGE_TIMEOUT_MS', 120_000);
  if (books > 9999) throw new Error('BENCH_BOOKS must be ≤ 9999 (quyển số n/yyyy has at most 4 digits)');

  const dataDir = path.join(repoRoot, '.local', `bench-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`[workflow] starting the local stack (data in ${path.relative(repoRoot, dataDir)}/)…`);
  const startT = performance.now();
  let stack: StackProcess | undefined;
  const cleanup = async () => {
    const code = await stack?.stop();
    if (process.env.BENCH_KEEP_DATA !== '1') rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    stack = await startStackProcess({ LOCAL_DATA_DIR: dataDir });
    const stackStartMs = performance.now() - startT;
    const bannerEnd = stack.output().length;
    console.log(
      `[workflow] stack ready in ${(stackStartMs / 1000).toFixed(1)} s at ${stack.info.urls.api}; walking ${books} books, ${concurrency} in flight, polling every ${pollMs} ms`,
    );

    const api = stack.info.urls.api;
    const entries = await Promise.all(Object.entries(users).map(async ([k, u]) => [k, await asUser(api, u)] as const));
    const c = Object.fromEntries(entries) as Record<Actor | 'ops', ApiClient>;

    const counters: Counters = { conflicts409: 0, httpErrors: 0, networkErrors: 0, stageTimeouts: 0, workflowFailures: 0, polls: 0, errorSamples: [] };
    const getMs: number[] = [];
    const sample = (s: string) => {
      if (counters.errorSamples.length < 10) counters.errorSamples.push(s);
    };

    /** One request with retries; counts 409s, other non-2xx and network errors. */
    const request = async (what: string, send: () => Promise<ApiResponse>, expected: number): Promise<ApiResponse> => {
      let last = '';
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        try {
          const r = await send();
          if (r.status === expected) return r;
          last = `${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
          if (r.status === 409) counters.conflicts409++;
          else counters.httpErrors++;
        } catch (err) {
          counters.networkErrors++;
          last = `${what}: ${(err as Error).message}${(err as Error).cause ? ` (${String((err as Error).cause)})` : ''}`;
        }
        sample(last);
        await sleep(250 * attempt);
      }
      throw new Error(last);
    };

    const waitForStage = async (bookId: string, stage: string, as: ApiClient) => {
      const until = Date.now() + stageTimeoutMs;
      for (;;) {
        counters.polls++;
        let r: ApiResponse | undefined;
        try {
          r = await as.get(`/books/${bookId}`);
          getMs.push(r.ms);
        } catch (err) {
          counters.networkErrors++;
          sample(`GET ${bookId}: ${(err as Error).message}`);
        }
        if (r && r.status !== 200) {
          counters.httpErrors++;
          sample(`GET ${bookId}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        }
        if (r?.status === 200) {
          const b = r.body as { stage: string; waiting: boolean; failure?: { error: string; cause: string } };
          if (b.stage === stage && (stage === 'completed' || b.waiting)) return;
          if (b.failure) {
            counters.workflowFailures++;
            throw new Error(`${bookId}: workflow failed in ${b.stage}: ${b.failure.error} ${b.failure.cause.slice(0, 200)}`);
          }
        }
        if (Date.now() > until) {
          counters.stageTimeouts++;
          throw new Error(
            `${bookId}: not in ${stage} after ${stageTimeoutMs} ms (last: ${r ? `${r.status} ${JSON.stringify(r.body).slice(0, 200)}` : 'no answer'})`,
          );
        }
        await sleep(pollMs);
      }
    };

    const walk = async (_: unknown, i: number): Promise<BookRun> => {
      const quyenSo = `${i + 1}/2001`;
      const bookId = `90101-GH-${i + 1}.2001-2001`;
      const t0 = performance.now();
      const runInfo: BookRun = { bookId, ok: false, ms: 0, createMs: 0, postMs: [], handoverMs: [] };
      try {
        const created = await request(
          `create ${bookId}`,
          () =>
            c.officer.post('/books', {
              unitCode: '90101',
              registerType: 'GH',
              quyenSo,
              yearOpened: 2001,
              pageCount: 120,
              closingTotal: 1,
              physicalCondition: 'worn',
              custodyLocation: 'Tủ 3, kho lưu trữ UBND xã',
              notes: '',
            }),
          201,
        );
        runInfo.createMs = created.ms;
        if (created.body.bookId !== bookId) throw new Error(`unexpected bookId ${created.body.bookId}, expected ${bookId}`);
        for (const s of steps) {
          const who = c[s.actor];
          const posted = await request(`${s.name} ${bookId}`, () => s.run(who, bookId, quyenSo), s.expected);
          runInfo.postMs.push(posted.ms);
          const accepted = performance.now();
          await waitForStage(bookId, s.next, who);
          runInfo.handoverMs.push(performance.now() - accepted);
        }
        runInfo.ok = true;
      } catch (err) {
        runInfo.error = (err as Error).message;
        sample(runInfo.error);
      }
      runInfo.ms = performance.now() - t0;
      return runInfo;
    };

    const stackCpuBefore = treeCpuSeconds(stack.child.pid);
    const benchCpuBefore = process.cpuUsage();
    const wallStart = performance.now();
    let done = 0;
    const progress = setInterval(
      () => console.log(`[workflow] ${done}/${books} books done after ${((performance.now() - wallStart) / 1000).toFixed(0)} s`),
      15_000,
    );
    const runs = await mapLimit(Array.from({ length: books }), concurrency, async (x, i) => {
      const r = await walk(x, i);
      done++;
      return r;
    }).finally(() => clearInterval(progress));
    const wallMs = performance.now() - wallStart;
    const stackCpuAfter = treeCpuSeconds(stack.child.pid);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const stackCpuS = stackCpuBefore !== undefined && stackCpuAfter !== undefined ? stackCpuAfter - stackCpuBefore : undefined;
    const benchCpuS = (benchCpu.user + benchCpu.system) / 1e6;
    console.log(`[workflow] walked ${books} books in ${(wallMs / 1000).toFixed(1)} s; checking final stages and executions…`);

    // Final stage of every book, read afresh.
    const finals = await mapLimit(runs, 10, async (r) => {
      const g = await c.officer.get(`/books/${r.bookId}`);
      return g.status === 200 ? String(g.body.stage) : `HTTP ${g.status}`;
    });
    const completed = finals.filter((s) => s === 'completed').length;

    // Executions from the ops API, all pages.
    const executions: { executionArn: string; bookId: string; status: string }[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const q = `/ops/executions?limit=100${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`;
      const page = await request('list executions', () => c.ops.get(q), 200);
      executions.push(...(page.body.executions as typeof executions));
      nextToken = page.body.nextToken;
      pages++;
      if (pages > 10_000) throw new Error('ops/executions pagination does not end');
    } while (nextToken);
    const ours = new Set(runs.map((r) => r.bookId));
    const perBook = new Map<string, typeof executions>([...ours].map((id) => [id, []]));
    for (const e of executions) perBook.get(e.bookId)?.push(e);
    const foreign = executions.filter((e) => !ours.has(e.bookId)).length;
    const execCounts = [...perBook.values()].map((l) => l.length);
    const notSucceeded = executions.filter((e) => ours.has(e.bookId) && e.status !== 'SUCCEEDED');

    const histories = await mapLimit(
      executions.filter((e) => ours.has(e.bookId)),
      8,
      async (e) => {
        const h = await request(`history ${e.bookId}`, () => c.ops.get(`/ops/executions/${encodeURIComponent(e.executionArn)}/history`), 200);
        const events = h.body.events as { type: string; state?: string; timestamp?: string }[];
        const times = events.map((x) => Date.parse(x.timestamp ?? '')).filter((t) => Number.isFinite(t));
        return {
          bookId: e.bookId,
          entered: events.filter((x) => x.type.endsWith('StateEntered')).length,
          events: events.length,
          spanMs: times.length ? Math.max(...times) - Math.min(...times) : Number.NaN,
        };
      },
    );
    const transitions = histories.map((h) => h.entered);

    // Figures.
    const okRuns = runs.filter((r) => r.ok);
    const bookMs = okRuns.map((r) => r.ms);
    const allPost = okRuns.flatMap((r) => r.postMs);
    const allHandover = okRuns.flatMap((r) => r.handoverMs);
    const s = (ms: number) => round(ms / 1000, 2);
    const errors = counters.httpErrors + counters.networkErrors + counters.stageTimeouts + counters.workflowFailures;
    const stackOutput = stack.output().slice(bannerEnd);
    const stackLines = stackOutput.split('\n').filter((l) => l.trim() && !/^(Hệ thống| {2}|Người dùng|Ctrl-C)/.test(l));

    const figures: BenchResult['figures'] = {
      'books completed': { value: `${completed}/${books}` },
      'wall time': { value: s(wallMs), unit: 's' },
      throughput: { value: round(okRuns.length / (wallMs / 1000), 2), unit: 'books/s' },
      'per-book time p50': { value: s(percentile(bookMs, 50)), unit: 's' },
      'per-book time p95': { value: s(percentile(bookMs, 95)), unit: 's' },
      'per-book time max': { value: s(Math.max(...bookMs)), unit: 's' },
      'create POST p50 / p95': {
        value: `${s(
          percentile(
            okRuns.map((r) => r.createMs),
            50,
          ),
        )} / ${s(
          percentile(
            okRuns.map((r) => r.createMs),
            95,
          ),
        )} s`,
      },
      'action POST p50 / p95': { value: `${s(percentile(allPost, 50))} / ${s(percentile(allPost, 95))} s` },
      'hand-over (202 → next stage visible) p50 / p95': { value: `${s(percentile(allHandover, 50))} / ${s(percentile(allHandover, 95))} s` },
      'GET /books/{id} p50 / p95': { value: `${s(percentile(getMs, 50))} / ${s(percentile(getMs, 95))} s` },
      'GET polls': { value: counters.polls, unit: '' },
      'executions per book min / max': { value: `${Math.min(...execCounts)} / ${Math.max(...execCounts)}` },
      'executions not SUCCEEDED': { value: notSucceeded.length, unit: '' },
      'state transitions per execution min / max / mean': {
        value: `${Math.min(...transitions)} / ${Math.max(...transitions)} / ${round(mean(transitions), 1)}`,
      },
      'history events per execution (mean)': { value: round(mean(histories.map((h) => h.events)), 1), unit: '' },
      'execution span first→last event p50 / p95': {
        value: `${s(
          percentile(
            histories.map((h) => h.spanMs),
            50,
          ),
        )} / ${s(
          percentile(
            histories.map((h) => h.spanMs),
            95,
          ),
        )} s`,
      },
      '409 responses': { value: counters.conflicts409, unit: '' },
      'errors (HTTP / network / stage timeouts / workflow failures)': {
        value: `${counters.httpErrors} / ${counters.networkErrors} / ${counters.stageTimeouts} / ${counters.workflowFailures}`,
      },
      'CPU during the walk: stack / bench client': {
        value: `${stackCpuS === undefined ? 'n/a' : round(stackCpuS, 1)} / ${round(benchCpuS, 1)} s (of ${round((wallMs / 1000) * cpuCount(), 1)} s available on ${cpuCount()} cores)`,
      },
      'stack start': { value: s(stackStartMs), unit: 's' },
    };
    const perStep = steps.map((st, k) => ({
      step: st.name,
      postP50: s(
        percentile(
          okRuns.map((r) => r.postMs[k]!),
          50,
        ),
      ),
      handoverP50: s(
        percentile(
          okRuns.map((r) => r.handoverMs[k]!),
          50,
        ),
      ),
      handoverP95: s(
        percentile(
          okRuns.map((r) => r.handoverMs[k]!),
          95,
        ),
      ),
    }));
    for (const p of perStep) {
      figures[`step ${p.step}: POST p50, hand-over p50 / p95`] = { value: `${p.postP50} s, ${p.handoverP50} / ${p.handoverP95} s` };
    }

    const goals: Goal[] = [
      { name: 'every book reaches completed', target: `${books}/${books}`, measured: `${completed}/${books}`, pass: completed === books },
      {
        name: 'executions per book',
        target: 'exactly 1',
        measured: `min ${Math.min(...execCounts)}, max ${Math.max(...execCounts)}`,
        pass: execCounts.every((n) => n === 1) && foreign === 0,
      },
      {
        name: 'state transitions per book (happy path)',
        target: `≤ ${TRANSITION_GOAL}`,
        measured: `max ${Math.max(...transitions)} (min ${Math.min(...transitions)}, mean ${round(mean(transitions), 1)})`,
        pass: transitions.length === books && Math.max(...transitions) <= TRANSITION_GOAL,
      },
      { name: '409 responses', target: '0', measured: String(counters.conflicts409), pass: counters.conflicts409 === 0 },
      { name: 'errors', target: '0', measured: String(errors), pass: errors === 0 },
    ];

    const notes: string[] = [];
    if (foreign) notes.push(`${foreign} executions belong to books this run did not create`);
    if (notSucceeded.length)
      notes.push(
        `executions not SUCCEEDED: ${notSucceeded
          .slice(0, 5)
          .map((e) => `${e.bookId} ${e.status}`)
          .join(', ')}`,
      );
    const failed = runs.filter((r) => !r.ok);
    if (failed.length)
      notes.push(
        `${failed.length} books failed, e.g. ${failed
          .slice(0, 3)
          .map((r) => r.error)
          .join(' | ')}`,
      );
    for (const e of counters.errorSamples.slice(0, 5)) notes.push(`error sample: ${e}`);
    const level = (l: string) => /"level":"(\w+)"/.exec(l)?.[1] ?? 'OTHER';
    const byLevel = new Map<string, string[]>();
    for (const l of stackLines) byLevel.set(level(l), [...(byLevel.get(level(l)) ?? []), l]);
    if (stackLines.length) notes.push(`stack log lines during the run by level: ${[...byLevel].map(([k, v]) => `${k} ${v.length}`).join(', ')}`);
    for (const lvl of ['ERROR', 'CRITICAL', 'WARN', 'OTHER']) {
      for (const l of (byLevel.get(lvl) ?? []).slice(0, 3)) notes.push(`stack ${lvl}: ${l.slice(0, 400)}`);
    }

    const result: BenchResult = {
      suite: 'workflow',
      title: 'Workflow (issue 2)',
      parameters: { books, concurrency, pollMs, stageTimeoutMs, timeScale: 'default (1000 ms per s)' },
      figures,
      goals,
      notes,
    };
    printResult(result);
    return result;
  } finally {
    const code = await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (code !== 0 && code !== null) console.log(`[workflow] note: the local stack exited with code ${code}`);
  }
}
