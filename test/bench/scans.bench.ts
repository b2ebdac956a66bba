/**
 * Scans benchmark (issue 4): checking one book's scan delivery, a zip of BENCH_SCAN_FILES PDFs
 * (default 2,000) of about BENCH_SCAN_KB kB each (default 100, the guidance per A4 page), ≈ 200 MB.
 * The PDFs embed random bytes as an image stream, so the zip does not compress (like JPEG scans).
 *
 * Two runs over the same file-backed `ByteSource` and the same block reader, each in a forked child
 * process whose RSS is sampled every 50 ms (and whose kernel high-water mark VmHWM is read at the end):
 * (a) raw: yauzl streams every entry, inflated, no validation — the baseline;
 * (b) processScanArchive with a sink that hashes and discards.
 * Goals: (b) ≥ 50 % of (a)'s throughput; (b) peak RSS ≤ 256 MB; every file accepted.
 *
 * BENCH_SCAN_2GB=1 adds a 2 GB archive (2,000 PDFs of ~1 MB), off by default for time and disk.
 * BENCH_KEEP_DATA=1 keeps the generated archives (in the OS temp dir).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { PDFDocument, PDFName } from 'pdf-lib';
import { ZipFile as ZipWriter } from 'yazl';
import { fileByteSource } from '../../shared/scans/byte-source.js';
import { scanLimits } from '../../shared/scans/limits.js';
import { processScanArchive } from '../../shared/scans/process-scans.js';
import { ByteSourceReader, openZip, readCentralDirectory } from '../../shared/scans/zip-reader.js';
import { type BenchResult, envInt, type Goal, printResult, round } from './bench-result.js';

const RSS_GOAL_MB = 256;
const THROUGHPUT_GOAL = 0.5;
const SAMPLE_MS = 50;

type Mode = 'raw' | 'process';

interface ChildReport {
  mode: Mode;
  ms: number;
  entries: number;
  bytes: number;
  accepted: number;
  notAccepted: string[];
  hwmKiB: number;
  /** RSS once modules are loaded, before the archive is opened. */
  startKiB: number;
}

/** A PDF with one page whose image stream holds `payload` random bytes; we refill that stream per file. */
async function templatePdf(payload: number): Promise<{ pdf: Buffer; start: number; length: number }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const page = doc.addPage([595, 842]);
  const marker = Buffer.alloc(payload, 0x41);
  const image = doc.context.stream(marker, {
    Type: 'XObject',
    Subtype: 'Image',
    Width: 1000,
    Height: 1000,
    ColorSpace: 'DeviceRGB',
    BitsPerComponent: 8,
    Filter: 'DCTDecode',
  });
  page.node.setXObject(PDFName.of('Im0'), doc.context.register(image));
  const pdf = Buffer.from(await doc.save({ useObjectStreams: false, addDefaultPage: false }));
  const start = pdf.indexOf(marker);
  if (start < 0) throw new Error('payload not found in the template PDF');
  return { pdf, start, length: payload };
}

async function writeArchive(file: string, files: number, kb: number): Promise<void> {
  const t = await templatePdf(kb * 1000 - 700);
  const zip = new ZipWriter();
  for (let i = 0; i < files; i++) {
    // Lazy: only the entry being compressed is in memory, whatever the archive size.
    zip.addReadStreamLazy(`${i + 1}-2018.pdf`, (cb) => {
      const pdf = Buffer.from(t.pdf);
      randomFillSync(pdf, t.start, t.length);
      cb(null, Readable.from([pdf]));
    });
  }
  zip.end();
  await pipeline(zip.outputStream as unknown as Readable, createWriteStream(file));
}

function vm(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs one mode in a child process; the parent samples its RSS every 50 ms. */
async function measure(mode: Mode, zipPath: string, files: number): Promise<ChildReport & { sampledPeakKiB: number; samples: number }> {
  const self = fileURLToPath(import.meta.url);
  const child: ChildProcess = fork(self, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, SCANS_BENCH_CHILD: mode, SCANS_BENCH_ZIP: zipPath, SCANS_BENCH_FILES: String(files) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let peak = 0;
  let samples = 0;
  const timer = setInterval(() => {
    if (child.pid) {
      peak = Math.max(peak, vm(child.pid, 'VmRSS'));
      samples++;
    }
  }, SAMPLE_MS);
  try {
    const report = await new Promise<ChildReport>((resolve, reject) => {
      let got: ChildReport | undefined;
      child.on('message', (m) => {
        got = m as ChildReport;
      });
      child.on('error', reject);
      child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`${mode} child exited with ${code} without a report`))));
    });
    return { ...report, sampledPeakKiB: peak, samples };
  } finally {
    clearInterval(timer);
  }
}

/** The child's side: one pass over the archive, then a report over IPC. */
async function childMain(mode: Mode, zipPath: string, files: number): Promise<void> {
  const startKiB = vm(process.pid, 'VmRSS');
  const handle = await open(zipPath, 'r');
  try {
    const source = await fileByteSource(handle);
    const limits = scanLimits();
    const t0 = performance.now();
    let entries = 0;
    let bytes = 0;
    let accepted = 0;
    const notAccepted: string[] = [];
    if (mode === 'raw') {
      const reader = new ByteSourceReader(source, limits.readBlockBytes, limits.readCacheBlocks);
      const opened = await openZip(reader, source.size);
      try {
        for (const entry of await readCentralDirectory(opened.zip)) {
          const stream = await opened.zip.openReadStreamPromise(entry);
          for await (const chunk of stream) bytes += (chunk as Buffer).length;
          entries++;
        }
      } finally {
        opened.close();
      }
    } else {
      const expected = Array.from({ length: files }, (_, i) => ({ so: `${i + 1}/2018` }));
      const sink = {
        async store(_target: unknown, data: Buffer) {
          createHash('sha256').update(data).digest();
        },
      };
      const run = await processScanArchive(source, expected, sink);
      entries = run.stats.entries;
      bytes = run.stats.inflatedBytes;
      for (const f of run.files) {
        if (f.status === 'accepted') accepted++;
        else if (notAccepted.length < 5) notAccepted.push(`${f.entryName}: ${f.status} ${f.reason ?? ''} ${f.detail ?? ''}`);
      }
    }
    const ms = performance.now() - t0;
    const report: ChildReport = { mode, ms, entries, bytes, accepted, notAccepted, hwmKiB: vm(process.pid, 'VmHWM'), startKiB };
    await new Promise<void>((resolve) => process.send!(report, () => resolve()));
  } finally {
    await handle.close();
  }
}

interface CaseResult {
  label: string;
  files: number;
  kb: number;
  zipBytes: number;
  generateS: number;
  raw: Awaited<ReturnType<typeof measure>>;
  processed: Awaited<ReturnType<typeof measure>>;
}

async function runCase(dir: string, label: string, files: number, kb: number): Promise<CaseResult> {
  const zipPath = path.join(dir, `${label}.zip`);
  console.log(`[scans] ${label}: writing ${files} PDFs of ~${kb} kB to ${zipPath}…`);
  const g0 = performance.now();
  await writeArchive(zipPath, files, kb);
  const generateS = (performance.now() - g0) / 1000;
  const zipBytes = statSync(zipPath).size;
  console.log(`[scans] ${label}: ${round(zipBytes / 1e6, 1)} MB written in ${round(generateS, 1)} s; raw read…`);
  const raw = await measure('raw', zipPath, files);
  console.log(`[scans] ${label}: raw ${round(raw.ms / 1000, 2)} s; processScanArchive…`);
  const processed = await measure('process', zipPath, files);
  console.log(`[scans] ${label}: processScanArchive ${round(processed.ms / 1000, 2)} s`);
  if (process.env.BENCH_KEEP_DATA !== '1') rmSync(zipPath, { force: true });
  return { label, files, kb, zipBytes, generateS, raw, processed };
}

const mbps = (bytes: number, ms: number) => round(bytes / 1e6 / (ms / 1000), 1);
const mib = (kib: number) => round(kib / 1024, 1);

export async function run(): Promise<BenchResult> {
  const files = envInt('BENCH_SCAN_FILES', 2000);
  const kb = envInt('BENCH_SCAN_KB', 100);
  const big = process.env.BENCH_SCAN_2GB === '1';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scans-bench-'));
  try {
    const cases = [await runCase(dir, 'book', files, kb)];
    if (big) cases.push(await runCase(dir, 'book-2gb', 2000, 1000));

    const figures: BenchResult['figures'] = {};
    const goals: Goal[] = [];
    const notes: string[] = [];
    for (const c of cases) {
      const p = `${c.label}:`;
      const rawMBps = mbps(c.raw.bytes, c.raw.ms);
      const procMBps = mbps(c.processed.bytes, c.processed.ms);
      const ratio = procMBps / rawMBps;
      const peakKiB = Math.max(c.processed.sampledPeakKiB, c.processed.hwmKiB);
      figures[`${p} archive`] = { value: `${c.files} PDFs, ${round(c.zipBytes / 1e6, 1)} MB zip, ${round(c.processed.bytes / 1e6, 1)} MB inflated` };
      figures[`${p} generation`] = { value: round(c.generateS, 1), unit: 's' };
      figures[`${p} (a) raw yauzl read`] = {
        value: `${round(c.raw.ms / 1000, 2)} s, ${rawMBps} MB/s, peak RSS ${mib(Math.max(c.raw.sampledPeakKiB, c.raw.hwmKiB))} MiB`,
      };
      figures[`${p} (b) processScanArchive`] = {
        value: `${round(c.processed.ms / 1000, 2)} s, ${procMBps} MB/s, ${round(c.processed.entries / (c.processed.ms / 1000), 0)} files/s`,
      };
      figures[`${p} (b) peak RSS sampled / VmHWM`] = {
        value: `${mib(c.processed.sampledPeakKiB)} / ${mib(c.processed.hwmKiB)} MiB (${c.processed.samples} samples)`,
      };
      figures[`${p} (b) child RSS before opening the archive (node + tsx + modules)`] = { value: mib(c.processed.startKiB), unit: 'MiB' };
      figures[`${p} (b) / (a) throughput`] = { value: round(ratio * 100, 1), unit: '%' };
      goals.push(
        { name: `${p} throughput vs raw read`, target: `≥ ${THROUGHPUT_GOAL * 100} %`, measured: `${round(ratio * 100, 1)} %`, pass: ratio >= THROUGHPUT_GOAL },
        {
          name: `${p} peak RSS`,
          target: `≤ ${RSS_GOAL_MB} MB`,
          measured: `${round((peakKiB * 1024) / 1e6, 1)} MB`,
          pass: (peakKiB * 1024) / 1e6 <= RSS_GOAL_MB,
        },
        { name: `${p} every file accepted`, target: `${c.files}`, measured: `${c.processed.accepted}`, pass: c.processed.accepted === c.files },
      );
      for (const n of c.processed.notAccepted) notes.push(`${p} not accepted: ${n}`);
    }
    if (!big) notes.push('2 GB case not run (set BENCH_SCAN_2GB=1)');
    const result: BenchResult = {
      suite: 'scans',
      title: 'Scans (issue 4)',
      parameters: { files, kbPerPdf: kb, twoGigabyteCase: big ? 'on' : 'off', rssSampleMs: SAMPLE_MS },
      figures,
      goals,
      notes,
    };
    printResult(result);
    return result;
  } finally {
    if (process.env.BENCH_KEEP_DATA !== '1') rmSync(dir, { recursive: true, force: true });
  }
}

const childMode = process.env.SCANS_BENCH_CHILD as Mode | undefined;
if (childMode) {
  childMain(childMode, process.env.SCANS_BENCH_ZIP!, Number(process.env.SCANS_BENCH_FILES)).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
