import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asUser, waitFor } from '../support/api-client.js';
import { act, createBook, waitForStage } from '../support/book-flow.js';
import { entryWorkbook, XLSX } from '../support/entry-files.js';
import { faultPlans, type PlannedFault } from '../support/fault-plan.js';
import { postForm } from '../support/scan-files.js';
import { repoRoot, type StackProcess, startStackProcess } from '../support/stack-process.js';

/**
 * Issue 9, faults: its own local stack with the test-only fault hook on (FAULT_PLAN_FILE). Each run
 * uploads a clean 250-row workbook through the presigned POST; the stack delivers the S3 event through
 * its SQS emulation (redelivery with backoff, up to the queue's maxReceiveCount, as CDK declares), and
 * the plan makes the handler fail once at a seeded point. The final state must equal a clean run's.
 */
const RUNS = 20;
const ROWS = 250;
const BATCHES = Math.ceil(ROWS / 100);
const SEED = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Date.now() % 2 ** 31;

type Client = Awaited<ReturnType<typeof asUser>>;

describe('faults injected during entry ingestion', () => {
  const dataDir = path.join(repoRoot, '.local', `faults-${process.pid}`);
  const planFile = path.join(dataDir, 'fault-plan.json');
  let stack: StackProcess | undefined;
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`${RUNS} crashes at seeded points end, after the queue's redelivery, in the state of a clean run`, { timeout: 600_000 }, async () => {
    stack = await startStackProcess({ LOCAL_DATA_DIR: dataDir, FAULT_PLAN_FILE: planFile, POWERTOOLS_LOG_LEVEL: 'ERROR' });
    // Read the final state through our own repositories, pointed at this stack.
    const { env } = JSON.parse(readFileSync(path.join(dataDir, 'endpoints.json'), 'utf8')) as { env: Record<string, string> };
    Object.assign(process.env, env);
    const api = stack.info.urls.api;
    const officer = await asUser('hotich.binhan', api);
    const clerk = await asUser('nhaplieu.binhan', api);

    const plans = faultPlans(SEED, RUNS, BATCHES);
    console.log(`[faults] seed ${SEED} (FAULT_SEED=${SEED} replays it): ${plans.map((p) => `${p.point}${p.hit > 1 ? `#${p.hit}` : ''}`).join(', ')}`);

    const clean = await ingest(officer, clerk, 0, planFile);
    expect(clean.settled).toBe(true);
    expect(clean.state.book).toMatchObject({ stage: 'scan', waiting: true, counts: { records: ROWS }, executionSeq: 1 });
    expect(clean.state.records).toHaveLength(ROWS);
    expect(clean.state.upload.status).toBe('accepted');
    // One receipt, one acceptance, one decision, one transition into Scan: what every faulted run must equal.
    for (const action of ['upload.received', 'entry.accepted', 'action.completeEntry']) expect(clean.state.audit.filter((a) => a.action === action)).toHaveLength(1);
    expect(clean.state.transitions).toEqual(['inventory→entry by hotich.binhan', 'entry→scan by nhaplieu.binhan']);

    const mismatches: { run: number; point: string; what: string[] }[] = [];
    for (const plan of plans) {
      const run = await ingest(officer, clerk, plan.run + 1, planFile, plan);
      const what = Object.keys(clean.state).filter((k) => JSON.stringify(clean.state[k as keyof State]) !== JSON.stringify(run.state[k as keyof State]));
      if (!run.settled) what.unshift('did not settle');
      if (what.length) {
        mismatches.push({ run: plan.run, point: plan.point, what });
        // What differs, without the records' contents (fixture names are still names).
        const { records, ...rest } = run.state;
        console.log(`[faults] run ${plan.run} at ${plan.point}#${plan.hit}: ${what.join(', ')}; ${records.length} records;`, JSON.stringify(rest).slice(0, 1500));
      }
    }
    const fired = existsSync(`${planFile}.fired`) ? readFileSync(`${planFile}.fired`, 'utf8').trim().split('\n').length : 0;
    console.log(`[faults] faults injected ${fired}/${RUNS}, final-state mismatches ${mismatches.length} (seed ${SEED})`);
    expect(fired).toBe(RUNS);
    expect(mismatches).toEqual([]);
  });
});

type State = Awaited<ReturnType<typeof finalState>>;

async function ingest(officer: Client, clerk: Client, run: number, planFile: string, fault?: PlannedFault) {
  const quyenSo = `${1000 + run}/2018`;
  const bookId = await createBook(officer, { quyenSo, yearOpened: 2018, closingTotal: ROWS });
  await act(officer, bookId, 'startDigitisation');
  await waitForStage(clerk, bookId, 'entry');
  const { bytes } = await entryWorkbook({ quyenSo, yearOpened: 2018 }, ROWS);
  const req = await clerk.post(`/books/${bookId}/uploads`, { kind: 'entry', fileName: 'so-nhap-lieu.xlsx', contentType: XLSX, size: bytes.length });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  const uploadId = req.body.uploadId as string;
  if (fault) writeFileSync(planFile, JSON.stringify({ id: `run-${run}`, scope: `upload:${uploadId}`, point: fault.point, hit: fault.hit }));
  else rmSync(planFile, { force: true });
  expect((await postForm(req.body, bytes, 'so-nhap-lieu.xlsx', XLSX)).status).toBe(204);

  const { findUpload } = await import('../../shared/uploads/upload-repo.js');
  const { getBook } = await import('../../shared/books/book-repo.js');
  const settled = await waitFor(
    async () => {
      const [u, b] = await Promise.all([findUpload(bookId, uploadId), getBook(bookId)]);
      return (u?.status === 'accepted' || u?.status === 'rejected') && b.stage === 'scan' && b.taskToken && !b.pendingAction ? true : undefined;
    },
    `run ${run} settled`,
    30_000,
  ).catch(() => false);
  // Anything a late duplicate would still do (a second hand-over, a second transition) lands here.
  await new Promise((r) => setTimeout(r, 400));
  return { settled, state: await finalState(officer, bookId, uploadId, quyenSo) };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** What a run leaves, with the run's own ids and times replaced so two runs compare. */
async function finalState(officer: Client, bookId: string, uploadId: string, quyenSo: string) {
  const { getBook } = await import('../../shared/books/book-repo.js');
  const { isWaiting } = await import('../../shared/books/book-rules.js');
  const { findUpload } = await import('../../shared/uploads/upload-repo.js');
  const { allRecords } = await import('../../shared/records/record-repo.js');
  const { latestEntryReport } = await import('../../shared/entry/entry-report-repo.js');
  const { listAudit } = await import('../../shared/audit/audit.js');
  const book = await getBook(bookId);
  const upload = await findUpload(bookId, uploadId);
  const records = [];
  for await (const r of allRecords(bookId)) records.push({ so: r.so, rowNumber: r.rowNumber, fields: r.fields, entryVersion: r.entryVersion, version: r.version, corrections: r.corrections, atReceipt: r.updatedAt === upload?.receivedAt });
  const report = await latestEntryReport(bookId);
  const audit = (await listAudit('book', bookId)).map((a) => ({ action: a.action, actor: a.actor.username, requestId: a.requestId.startsWith('upload:') ? a.requestId : '<request>', before: a.before, after: a.after, note: a.note }));
  audit.sort((a, b) => a.action.localeCompare(b.action) || JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const history = (await officer.get(`/books/${bookId}/history`)).body.transitions as { from: string; to: string; by: string }[];
  const state = {
    book: { stage: book.stage, waiting: isWaiting(book), counts: book.counts, entry: book.entry && { uploadId: book.entry.uploadId, records: book.entry.records }, executionSeq: book.executionSeq, pendingAction: book.pendingAction ?? null, failure: book.failure ?? null },
    upload: { status: upload?.status, outcome: upload?.outcome, leaseUntil: upload?.leaseUntil ?? null },
    records,
    report: report && { status: report.status, summary: report.summary, issues: report.issues, fileError: report.fileError ?? null },
    audit,
    transitions: history.map((t) => `${t.from}→${t.to} by ${t.by}`),
  };
  return JSON.parse(JSON.stringify(state).replaceAll(bookId, '<book>').replaceAll(uploadId, '<upload>').replaceAll(quyenSo, '<quyenSo>'), (_k, v) =>
    // Times differ per run, and so do workbook sizes (each book's volume number is in its rows).
    _k === 'size' ? '<size>' : typeof v === 'string' && ISO.test(v) ? '<time>' : v,
  ) as typeof state;
}
