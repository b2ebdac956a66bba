/**
 * `npm run bench`: runs every benchmark suite in order, prints a summary, and writes the figures to
 * `.local/bench/latest.json` (not committed; copy the figures into docs/benchmarks.md by hand).
 * Add a suite by writing `test/bench/<name>.bench.ts` exporting `run(): Promise<BenchResult>` and
 * listing it below. Only these runs produce figures; timed tests do not.
 *
 * `npm run bench -- workflow` runs only the named suites.
 * Exit code: 0 when every suite ran (even if a goal FAILs: this is a measurement), 1 when a suite broke.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/stack-process.js';
import { type BenchResult, type BenchSuite, machineFacts, table } from './bench-result.js';

const suites: BenchSuite[] = [
  { name: 'workflow', run: async () => (await import('./workflow.bench.js')).run() },
  { name: 'entry', run: async () => (await import('./entry.bench.js')).run() },
  { name: 'scans', run: async () => (await import('./scans.bench.js')).run() },
  { name: 'matching', run: async () => (await import('./matching.bench.js')).run() },
  { name: 'reports', run: async () => (await import('./reports.bench.js')).run() },
];

const only = process.argv.slice(2);
const unknown = only.filter((n) => !suites.some((s) => s.name === n));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = only.length ? suites.filter((s) => only.includes(s.name)) : suites;

const machine = machineFacts();
console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}, ${machine.date}`);

const results: BenchResult[] = [];
const broken: { suite: string; error: string }[] = [];
for (const suite of selected) {
  const started = performance.now();
  try {
    results.push(await suite.run());
  } catch (err) {
    const e = err as Error;
    console.error(`\n[${suite.name}] the run broke: ${e.stack ?? e.message}`);
    broken.push({ suite: suite.name, error: e.message });
  }
  console.log(`[${suite.name}] took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

console.log('\n== Summary ==');
console.log(
  table(
    ['suite', 'goal', 'target', 'measured', 'result'],
    [
      ...results.flatMap((r) => r.goals.map((g) => [r.suite, g.name, g.target, g.measured, g.pass ? 'PASS' : 'FAIL'])),
      ...broken.map((b) => [b.suite, '(run)', 'completes', b.error.slice(0, 120), 'BROKEN']),
    ],
  ),
);

const outDir = path.join(repoRoot, '.local', 'bench');
mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, 'latest.json');
writeFileSync(outFile, `${JSON.stringify({ machine, suites: results, broken }, null, 2)}\n`);
console.log(`\nfigures written to ${path.relative(repoRoot, outFile)}`);

process.exit(broken.length ? 1 : 0);
