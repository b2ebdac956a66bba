/** What a benchmark suite hands back to `run.ts`, plus small helpers the suites share. */
import os from 'node:os';

/** A target the suite checks its measurement against. `pass` is decided by the suite. */
export interface Goal {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

/** One figure: a number with its unit, or a short text. */
export type Figure = { value: number; unit: string } | { value: string; unit?: undefined };

export interface BenchResult {
  /** Suite id, e.g. `workflow`. */
  suite: string;
  /** Heading, e.g. `Workflow (issue 2)`. */
  title: string;
  /** Parameters the run used (books, concurrency, …). */
  parameters: Record<string, number | string>;
  figures: Record<string, Figure>;
  goals: Goal[];
  /** Things that looked wrong but did not break the run (errors counted, slow steps, …). */
  notes: string[];
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchResult>;
}

export interface MachineFacts {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

export function cpuCount(): number {
  return os.availableParallelism();
}

/** Nearest-rank percentile (p in 0..100) of unsorted numbers; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function formatFigure(f: Figure): string {
  return f.unit === undefined ? f.value : `${f.value} ${f.unit}`;
}

/** A plain-text table with aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Prints a suite's figures and goals (each suite calls this at its end). */
export function printResult(r: BenchResult): void {
  console.log(`\n== ${r.title} ==`);
  console.log(
    `parameters: ${Object.entries(r.parameters)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  console.log(
    table(
      ['figure', 'value'],
      Object.entries(r.figures).map(([k, f]) => [k, formatFigure(f)]),
    ),
  );
  console.log('');
  console.log(
    table(
      ['goal', 'target', 'measured', 'result'],
      r.goals.map((g) => [g.name, g.target, g.measured, g.pass ? 'PASS' : 'FAIL']),
    ),
  );
  for (const n of r.notes) console.log(`note: ${n}`);
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}
