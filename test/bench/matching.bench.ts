/**
 * Matching benchmark (issue 6): book persons matched against an extract of the National Population
 * Database, both synthetic (`population-generator.ts`) with ground truth.
 *
 * 1. The parent generates the data (seed MATCHING_SEED) and writes the extract and the records as
 *    JSON files, as the police's extract would arrive.
 * 2. A forked child (a fresh process, so its peak RSS is the matching's own) reads them, builds the
 *    index and matches, and sends back one compact line per record; it measures wall and CPU time of
 *    `buildIndex` + `matchRecords` and its peak RSS (getrusage maxrss, inputs included).
 * 3. The parent scores the outcome against the truth: precision of MATCHED (right ID / all MATCHED),
 *    recall (MATCHED with the right ID / records whose person is in the extract), share sent to
 *    MISMATCH (the tracking list), NOT_FOUND although present (would be entered as new persons).
 * Then the same at 3× size, for time. At 1× two other policies are also run, to show the trade-off
 * (figures only): without the corroboration rule, and with one-letter name typos accepted.
 *
 * Thresholds were tuned on seed 1 (TUNING_SEED); the reported seed is another one.
 * Env: MATCHING_SEED (default 20240930), MATCHING_EXTRACT (default 100000), MATCHING_RECORDS
 * (default 30000), MATCHING_SKIP_3X=1 skips the 3× run.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIndex, DEFAULT_THRESHOLDS, type MatchOptions, type MatchResult, matchRecords } from '../../shared/matching/engine.js';
import type { IndexOptions, PersonToMatch, PopulationEntry } from '../../shared/matching/engine.js';
import { type BenchResult, envInt, type Figure, type Goal, printResult, round } from './bench-result.js';
import { generateDataset } from './population-generator.js';

export const TUNING_SEED = 1;
export const REPORT_SEED = 20240930;
const CHILD_FLAG = '--matching-child';

interface Policy {
  name: string;
  index?: IndexOptions;
  match?: MatchOptions;
}

/** The default policy first; the others only at 1×, for the trade-off. */
const POLICIES: Policy[] = [
  { name: 'default' },
  { name: 'no corroboration rule', match: { requireCorroboration: false } },
  { name: 'name typos accepted', index: { model: { params: { fullName: { close: { blocksMatch: false } } } } } },
];

interface ChildRequest {
  extractFile: string;
  recordsFile: string;
  policies: Policy[];
}

/** Per record: outcome initial (M/X/N), assigned ID or '', reasons joined by '+'. */
type CompactResult = [string, string, string];

interface ChildReply {
  buildMs: number;
  matchMs: number;
  cpuMs: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  heapAfterMiB: number;
  largestBlock: number;
  results: CompactResult[][];
}

const OUTCOME_CODE = { MATCHED: 'M', MISMATCH: 'X', NOT_FOUND: 'N' } as const;
const compact = (r: MatchResult): CompactResult => [OUTCOME_CODE[r.outcome], r.idNumber ?? '', r.reasons.join('+')];
const mib = (bytes: number) => round(bytes / 1024 ** 2, 0);

/** The child: load, match under each policy (the first one timed and measured), reply. */
async function child(): Promise<void> {
  const req = await new Promise<ChildRequest>((resolve) => process.once('message', (m) => resolve(m as ChildRequest)));
  const extract = JSON.parse(readFileSync(req.extractFile, 'utf8')) as PopulationEntry[];
  const records = JSON.parse(readFileSync(req.recordsFile, 'utf8')) as PersonToMatch[];
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const results: CompactResult[][] = [];
  let buildMs = 0;
  let matchMs = 0;
  let cpuMs = 0;
  let heapAfter = 0;
  let largestBlock = 0;
  let peakRss = 0;
  let index: ReturnType<typeof buildIndex> | undefined;
  for (const [i, policy] of req.policies.entries()) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    if (!index || policy.index) index = buildIndex(extract, policy.index);
    const t1 = performance.now();
    const res = matchRecords(index, records, policy.match);
    const t2 = performance.now();
    results.push(res.map(compact));
    if (i === 0) {
      const cpu = process.cpuUsage(cpu0);
      buildMs = t1 - t0;
      matchMs = t2 - t1;
      cpuMs = (cpu.user + cpu.system) / 1000;
      heapAfter = process.memoryUsage().heapUsed;
      largestBlock = index.blocks.largestBlock();
      peakRss = process.resourceUsage().maxRSS * 1024; // the default policy's peak, before any other policy runs
    }
  }
  const reply: ChildReply = {
    buildMs,
    matchMs,
    cpuMs,
    rssBeforeMiB: mib(rssBefore),
    peakRssMiB: mib(peakRss),
    heapAfterMiB: mib(heapAfter),
    largestBlock,
    results,
  };
  process.send!(reply, () => process.exit(0));
}

function runChild(req: ChildRequest): Promise<ChildReply> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
      execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let reply: ChildReply | undefined;
    proc.on('message', (m) => {
      reply = m as ChildReply;
    });
    proc.on('error', reject);
    proc.on('exit', (code) => (reply ? resolve(reply) : reject(new Error(`matching child exited with code ${code} before replying`))));
    proc.send(req);
  });
}

interface Quality {
  records: number;
  present: number;
  absent: number;
  matched: number;
  correct: number;
  wrong: number;
  mismatch: number;
  notFound: number;
  notFoundPresent: number;
  absentInMismatch: number;
  precision: number;
  recall: number;
  reviewShare: number;
  reasons: Map<string, number>;
  /** Present persons not MATCHED correctly, by the first noise tag that explains it. */
  missedBecause: Map<string, number>;
  wrongSamples: string[];
}

/** Noise tags in the order that best explains a miss (the first one present wins). */
const EXPLAINS = [
  'nameTypo',
  'swapDayMonth',
  'dateError',
  'twin',
  'namesakeInExtract',
  'yearOnly',
  'cardReissued',
  'keyingSlip:telex',
  'keyingSlip:iy',
  'keyingSlip:toneDropped',
  'keyingSlip:wordBare',
  'dropDiacritics',
  'noFather',
  'sexUnknown',
];

function assess(records: PersonToMatch[], results: CompactResult[], truth: Map<string, string | null>, noise: Map<string, string[]>): Quality {
  const q: Quality = {
    records: records.length,
    present: 0,
    absent: 0,
    matched: 0,
    correct: 0,
    wrong: 0,
    mismatch: 0,
    notFound: 0,
    notFoundPresent: 0,
    absentInMismatch: 0,
    precision: 0,
    recall: 0,
    reviewShare: 0,
    reasons: new Map(),
    missedBecause: new Map(),
    wrongSamples: [],
  };
  records.forEach((rec, i) => {
    const [outcome, id, reasons] = results[i]!;
    const right = truth.get(rec.recordKey) ?? null;
    if (right) q.present++;
    else q.absent++;
    if (outcome === 'M') {
      q.matched++;
      if (id === right) q.correct++;
      else {
        q.wrong++;
        if (q.wrongSamples.length < 5) q.wrongSamples.push(`${rec.recordKey} [${noise.get(rec.recordKey)?.join(',')}] got ${id}, truth ${right ?? 'absent'}`);
      }
    } else if (outcome === 'X') {
      q.mismatch++;
      if (!right) q.absentInMismatch++;
      for (const r of reasons.split('+')) q.reasons.set(r, (q.reasons.get(r) ?? 0) + 1);
    } else {
      q.notFound++;
      if (right) q.notFoundPresent++;
    }
    if (right && !(outcome === 'M' && id === right)) {
      const tags = noise.get(rec.recordKey) ?? [];
      const why = EXPLAINS.find((t) => tags.includes(t)) ?? (outcome === 'X' ? `no noise, ${reasons}` : 'no noise');
      q.missedBecause.set(why, (q.missedBecause.get(why) ?? 0) + 1);
    }
  });
  q.precision = q.matched ? q.correct / q.matched : 0;
  q.recall = q.present ? q.correct / q.present : 0;
  q.reviewShare = q.records ? q.mismatch / q.records : 0;
  return q;
}

const pct = (x: number, digits = 2) => `${round(100 * x, digits)} %`;
const sorted = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

async function measure(seed: number, extractSize: number, recordCount: number, policies: Policy[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'matching-bench-'));
  try {
    const t0 = performance.now();
    const data = generateDataset({ seed, extractSize, records: recordCount });
    const genMs = performance.now() - t0;
    const extractFile = path.join(dir, 'extract.json');
    const recordsFile = path.join(dir, 'records.json');
    writeFileSync(extractFile, JSON.stringify(data.extract));
    writeFileSync(recordsFile, JSON.stringify(data.records));
    const reply = await runChild({ extractFile, recordsFile, policies });
    const quality = reply.results.map((r) => assess(data.records, r, data.truth, data.noise));
    return { genMs, reply, quality, records: data.records.length, extract: data.extract.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult> {
  const seed = envInt('MATCHING_SEED', REPORT_SEED);
  const extractSize = envInt('MATCHING_EXTRACT', 100_000);
  const recordCount = envInt('MATCHING_RECORDS', 30_000);
  const skip3x = process.env.MATCHING_SKIP_3X === '1';

  console.log(`[matching] 1×: ${recordCount} records vs ${extractSize} entries, seed ${seed}`);
  const one = await measure(seed, extractSize, recordCount, POLICIES);
  if (!skip3x) console.log(`[matching] 3×: ${recordCount * 3} records vs ${extractSize * 3} entries`);
  const three = skip3x ? undefined : await measure(seed, extractSize * 3, recordCount * 3, [POLICIES[0]!]);

  const q = one.quality[0]!;
  const r = one.reply;
  const totalMs = r.buildMs + r.matchMs;
  const figures: Record<string, Figure> = {
    'records (1×)': { value: one.records, unit: 'records' },
    'extract (1×)': { value: one.extract, unit: 'entries' },
    'records whose person is in the extract': { value: q.present, unit: 'records' },
    MATCHED: { value: q.matched, unit: 'records' },
    'MATCHED, right ID': { value: q.correct, unit: 'records' },
    'MATCHED, wrong ID': { value: q.wrong, unit: 'records' },
    MISMATCH: { value: q.mismatch, unit: 'records' },
    NOT_FOUND: { value: q.notFound, unit: 'records' },
    'NOT_FOUND although in the extract': { value: q.notFoundPresent, unit: 'records' },
    'absent persons sent to MISMATCH': { value: q.absentInMismatch, unit: 'records' },
    precision: { value: pct(q.precision, 3) },
    recall: { value: pct(q.recall) },
    'share to MISMATCH': { value: pct(q.reviewShare) },
    'buildIndex (1×)': { value: round(r.buildMs / 1000, 2), unit: 's' },
    'matchRecords (1×)': { value: round(r.matchMs / 1000, 2), unit: 's' },
    'build + match (1×)': { value: round(totalMs / 1000, 2), unit: 's' },
    'CPU time, build + match (1×)': { value: round(r.cpuMs / 1000, 2), unit: 's' },
    'records per second (1×)': { value: round(one.records / (totalMs / 1000), 0), unit: 'records/s' },
    'peak RSS of the matching process (1×)': { value: r.peakRssMiB, unit: 'MiB' },
    'RSS with inputs loaded, before matching (1×)': { value: r.rssBeforeMiB, unit: 'MiB' },
    'heap used after matching (1×)': { value: r.heapAfterMiB, unit: 'MiB' },
    'largest block (1×)': { value: r.largestBlock, unit: 'entries' },
  };
  for (const [i, policy] of POLICIES.entries()) {
    if (i === 0) continue;
    const p = one.quality[i]!;
    figures[`policy "${policy.name}": precision / recall / to MISMATCH`] = {
      value: `${pct(p.precision, 3)} / ${pct(p.recall)} / ${pct(p.reviewShare)} (${p.wrong} wrong IDs)`,
    };
  }
  if (three) {
    const t = three.reply;
    figures['records (3×)'] = { value: three.records, unit: 'records' };
    figures['extract (3×)'] = { value: three.extract, unit: 'entries' };
    figures['buildIndex (3×)'] = { value: round(t.buildMs / 1000, 2), unit: 's' };
    figures['matchRecords (3×)'] = { value: round(t.matchMs / 1000, 2), unit: 's' };
    figures['build + match (3×)'] = { value: round((t.buildMs + t.matchMs) / 1000, 2), unit: 's' };
    figures['CPU time, build + match (3×)'] = { value: round(t.cpuMs / 1000, 2), unit: 's' };
    figures['peak RSS (3×)'] = { value: t.peakRssMiB, unit: 'MiB' };
    const q3 = three.quality[0]!;
    figures['precision / recall / to MISMATCH (3×)'] = {
      value: `${pct(q3.precision, 3)} / ${pct(q3.recall)} / ${pct(q3.reviewShare)} (${q3.wrong} wrong IDs)`,
    };
  }

  const goals: Goal[] = [
    { name: 'precision of MATCHED', target: '≥ 99.5 %', measured: pct(q.precision, 3), pass: q.precision >= 0.995 },
    { name: 'recall', target: '≥ 97 %', measured: pct(q.recall), pass: q.recall >= 0.97 },
    { name: 'share sent to MISMATCH', target: '≤ 5 %', measured: pct(q.reviewShare), pass: q.reviewShare <= 0.05 },
    { name: 'build + match, 30k vs 100k', target: '≤ 10 s', measured: `${round(totalMs / 1000, 2)} s`, pass: totalMs <= 10_000 },
    { name: 'peak RSS, 30k vs 100k', target: '≤ 512 MiB', measured: `${r.peakRssMiB} MiB`, pass: r.peakRssMiB <= 512 },
  ];
  if (three) {
    const ms = three.reply.buildMs + three.reply.matchMs;
    goals.push({ name: 'build + match, 90k vs 300k (ours: 3 × the 1× budget)', target: '≤ 30 s', measured: `${round(ms / 1000, 2)} s`, pass: ms <= 30_000 });
  }

  const notes = [
    `seed ${seed} (thresholds tuned on seed ${TUNING_SEED}); thresholds ${JSON.stringify(DEFAULT_THRESHOLDS)}`,
    `data generated in ${round(one.genMs / 1000, 1)} s (not timed); timings are wall clock in a fresh child process, first run (JIT warm-up included)`,
    `MISMATCH reasons (a record may have several): ${sorted(q.reasons)}`,
    `present persons not MATCHED with the right ID, by the noise that explains it: ${sorted(q.missedBecause)}`,
    ...q.wrongSamples.map((w) => `wrong ID: ${w}`),
  ];
  const result: BenchResult = {
    suite: 'matching',
    title: 'Matching with the National Population Database (issue 6)',
    parameters: { seed, extract: one.extract, records: one.records, ...(three ? { extract3x: three.extract, records3x: three.records } : {}) },
    figures,
    goals,
    notes,
  };
  printResult(result);
  return result;
}

if (process.argv.includes(CHILD_FLAG)) await child();
else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await run();
