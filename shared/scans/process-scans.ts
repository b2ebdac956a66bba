/**
 * Use case (pure, behind ports): check one scan delivery of a book and store each accepted PDF.
 * Primary adapters: the Scan stage Lambdas (S3 upload received). Secondary ports: `ByteSource` (the
 * upload, S3 ranged GETs) and `ScanSink` (writes `scans/{unit}/{bookId}/{so}.pdf`).
 *
 * Main course of `processScanArchive`:
 * 1. index the book's records by expected file name (TenFile, else the default name);
 * 2. open the zip and read its whole central directory (metadata only) — an archive-level problem
 *    is thrown as `InvalidArchive` here, before anything is stored;
 * 3. judge every entry on metadata: unsafe path, symlink, folder, OS file, encryption, compression,
 *    extension, declared sizes, overlapping data (bomb), duplicate names;
 * 4. read each remaining entry, one at a time, counting inflated bytes against the limits;
 * 5. check it is a real, unencrypted PDF with pages; link it to a record; compare with the scan
 *    already stored; store it when it is new or different.
 * Every per-file problem is an outcome with a reason code: hostile input never throws past step 2.
 */
import { createHash } from 'node:crypto';
import { type ByteSource, bufferByteSource } from './byte-source.js';
import { checkEntryPath, decodeEntryName, entryKind, hasArchiveExtension, hasPdfExtension, isSystemFile, type NameEncoding, nameKey } from './entry-name.js';
import { InvalidArchive } from './errors.js';
import { buildLinkIndex, DEFAULT_NAME_PATTERN, type ExpectedScan, type LinkIndex } from './linking.js';
import { type ScanLimits, scanLimits } from './limits.js';
import { checkPdf } from './pdf-check.js';
import type { ReasonCode } from './reasons.js';
import type { ExistingScan, FileOutcome, ScanRun, ScanWarning, SkippedEntry } from './scan-outcome.js';
import { ByteSourceReader, type Entry, openZip, readCentralDirectory, readEntryBounded, type ZipFile } from './zip-reader.js';

/** Where an accepted scan goes. `so` is always one of the book's records: the adapter may build keys from it. */
export interface ScanTarget {
  so: string;
  /** The delivered file's base name (for the object's metadata, never for its key). */
  fileName: string;
}

export interface StoredScanMeta {
  sha256: string;
  size: number;
  pages: number;
  /** Set when this scan replaces a different one stored earlier (the adapter keeps that as a version). */
  previousSha256?: string;
}

/** Port: stores one accepted PDF. Called at most once per record per delivery, never for unchanged files. */
export interface ScanSink {
  /** @throws whatever storage throws; the delivery fails as a whole and can be retried (idempotent). */
  store(target: ScanTarget, data: Buffer, meta: StoredScanMeta): Promise<void>;
}

export interface ScanOptions {
  limits?: Partial<ScanLimits>;
  /** Scans already stored for the book (earlier deliveries): same bytes → `unchanged`, different → `replaced`. */
  existing?: readonly ExistingScan[];
  /** Default file name pattern for records without TenFile: `{so}` ("/" → "-"), `{n}`, `{yyyy}`. */
  defaultNamePattern?: string;
}

interface Context {
  index: LinkIndex;
  existing: Map<string, ExistingScan>;
  limits: ScanLimits;
  sink: ScanSink;
  storedBytes: number;
}

function context(expected: readonly ExpectedScan[], sink: ScanSink, options: ScanOptions): Context {
  return {
    index: buildLinkIndex(expected, options.defaultNamePattern ?? DEFAULT_NAME_PATTERN),
    existing: new Map((options.existing ?? []).map((e) => [e.so, e])),
    limits: scanLimits(options.limits),
    sink,
    storedBytes: 0,
  };
}

const rejected = (entryName: string, reason: ReasonCode, detail?: string, extra: Partial<FileOutcome> = {}): FileOutcome => ({
  entryName,
  status: 'rejected',
  reason,
  ...(detail ? { detail } : {}),
  ...extra,
  warnings: extra.warnings ?? [],
});

function nameWarnings(encoding: NameEncoding): ScanWarning[] {
  if (encoding === 'utf8-recovered') return [{ code: 'NAME_RECOVERED_UTF8' }];
  if (encoding === 'cp437') return [{ code: 'NAME_LEGACY_ENCODING' }];
  return [];
}

/** Step 5 for one file already in memory: PDF checks, linking, comparison, storage. */
async function judge(ctx: Context, entryName: string, baseName: string, data: Buffer, warnings: ScanWarning[]): Promise<FileOutcome> {
  const link = ctx.index.link(baseName);
  const so = link.kind === 'record' ? link.so : undefined;
  const sha256 = createHash('sha256').update(data).digest('hex');
  const size = data.length;
  const pdf = await checkPdf(data);
  if (!pdf.ok) return rejected(entryName, pdf.reason, pdf.detail, { so, sha256, size, warnings });
  const { pages } = pdf;
  const kbPerPage = size / pages / 1000;
  if (kbPerPage > ctx.limits.kbPerPageWarning) {
    warnings = [...warnings, { code: 'LARGE_PAGES', detail: `${Math.round(kbPerPage)} kB/page > ${ctx.limits.kbPerPageWarning} kB/page` }];
  }
  const facts = { sha256, size, pages, warnings };
  if (link.kind === 'ambiguous') return rejected(entryName, 'AMBIGUOUS_NAME', `expected by records ${link.sos.join(', ')}`, facts);
  if (link.kind === 'none') return { entryName, status: 'orphan', reason: link.sharedCopy ? 'UNLINKED_SHARED_COPY' : 'NO_MATCHING_RECORD', ...facts };
  const previous = ctx.existing.get(link.so);
  if (previous?.sha256 === sha256) return { entryName, status: 'unchanged', so: link.so, ...facts };
  await ctx.sink.store({ so: link.so, fileName: baseName }, data, { sha256, size, pages, ...(previous ? { previousSha256: previous.sha256 } : {}) });
  ctx.storedBytes += size;
  // A record can only be stored once per delivery (duplicates are refused), so this is safe to update.
  ctx.existing.set(link.so, { so: link.so, sha256, size, pages });
  return previous
    ? { entryName, status: 'replaced', so: link.so, previousSha256: previous.sha256, ...facts }
    : { entryName, status: 'accepted', so: link.so, ...facts };
}

type Planned =
  | { kind: 'outcome'; outcome: FileOutcome }
  | { kind: 'skipped'; skipped: SkippedEntry }
  | { kind: 'candidate'; entry: Entry; entryName: string; baseName: string; warnings: ScanWarning[] };

/** Step 3 for one entry: everything decidable from the central directory. */
function planEntry(entry: Entry, limits: ScanLimits, index: LinkIndex): Planned {
  const { name: entryName, encoding } = decodeEntryName(entry);
  const warnings = nameWarnings(encoding);
  const path = checkEntryPath(entryName);
  if (!path.ok) return { kind: 'outcome', outcome: rejected(entryName, path.reason, path.detail, { warnings }) };
  const kind = entryKind(entry, entryName);
  if (kind === 'directory') return { kind: 'skipped', skipped: { entryName, reason: 'DIRECTORY' } };
  if (isSystemFile(entryName)) return { kind: 'skipped', skipped: { entryName, reason: 'SYSTEM_FILE' } };
  // A refused file that names a record says so: the missing list shows what was sent for it.
  const link = index.link(path.baseName);
  const so = link.kind === 'record' ? link.so : undefined;
  const reject = (reason: ReasonCode, detail?: string): Planned => ({ kind: 'outcome', outcome: rejected(entryName, reason, detail, { so, warnings }) });
  if (kind === 'symlink' || kind === 'special') return reject('SYMLINK', `${kind} entry`);
  if (entry.isEncrypted()) return reject('ENCRYPTED_ENTRY');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return reject('UNSUPPORTED_COMPRESSION', `method ${entry.compressionMethod}`);
  if (hasArchiveExtension(path.baseName)) return reject('NESTED_ARCHIVE', 'archive file name');
  if (!hasPdfExtension(path.baseName)) return reject('WRONG_EXTENSION');
  // Declared sizes let honest bombs fail fast; dishonest ones are caught while inflating.
  if (entry.uncompressedSize > limits.maxFileBytes) return reject('TOO_LARGE', `declared ${entry.uncompressedSize} bytes`);
  if (entry.uncompressedSize > limits.ratioGraceBytes && entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxCompressionRatio) {
    return reject('ZIP_BOMB', `declared ${entry.uncompressedSize} bytes from ${entry.compressedSize}`);
  }
  return { kind: 'candidate', entry, entryName, baseName: path.baseName, warnings };
}

/**
 * Entries whose data overlap another's (the "overlapping files" bomb shares one compressed kernel
 * between thousands of entries). A local header is at least 30 bytes, so [offset, offset + 30 +
 * compressedSize) is a lower bound of what each entry occupies.
 */
function overlapping(candidates: Extract<Planned, { kind: 'candidate' }>[]): Set<Entry> {
  const sorted = [...candidates].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  const hit = new Set<Entry>();
  let reach = -1;
  let owner: Entry | undefined;
  for (const c of sorted) {
    const start = c.entry.relativeOffsetOfLocalHeader;
    if (owner && start < reach) {
      hit.add(owner);
      hit.add(c.entry);
    }
    const end = start + 30 + c.entry.compressedSize;
    if (end > reach) {
      reach = end;
      owner = c.entry;
    }
  }
  return hit;
}

/**
 * Checks every entry of a scan archive and stores the accepted PDFs through `sink`.
 * Reads the archive through `source` in ranges; holds at most one entry (≤ `maxFileBytes`) in memory.
 * @throws InvalidArchive when the upload is not a readable zip or has more than `maxEntries` entries
 *   (nothing has been stored then)
 * @throws InvalidInput when `expected` is malformed (bad `so`, duplicate `so`)
 * @throws ByteSourceError when reading the upload fails, and whatever `sink.store` throws: the delivery
 *   can be retried as a whole (files stored before the failure come back `unchanged`)
 */
export async function processScanArchive(source: ByteSource, expected: readonly ExpectedScan[], sink: ScanSink, options: ScanOptions = {}): Promise<ScanRun> {
  const ctx = context(expected, sink, options);
  const { limits } = ctx;
  const reader = new ByteSourceReader(source, limits.readBlockBytes, limits.readCacheBlocks);
  const opened = await openZip(reader, source.size);
  try {
    if (opened.entryCount > limits.maxEntries) {
      throw new InvalidArchive('TOO_MANY_ENTRIES', `${opened.entryCount} entries, at most ${limits.maxEntries}`);
    }
    const entries = await readCentralDirectory(opened.zip);
    const plans = entries.map((e) => planEntry(e, limits, ctx.index));

    const candidates = plans.filter((p): p is Extract<Planned, { kind: 'candidate' }> => p.kind === 'candidate');
    const overlaps = overlapping(candidates);
    const groups = new Map<string, number>();
    for (const c of candidates) if (!overlaps.has(c.entry)) groups.set(nameKey(c.baseName), (groups.get(nameKey(c.baseName)) ?? 0) + 1);

    const files: FileOutcome[] = [];
    const skipped: SkippedEntry[] = [];
    let inflatedBytes = 0;
    for (const plan of plans) {
      if (plan.kind === 'skipped') skipped.push(plan.skipped);
      else if (plan.kind === 'outcome') files.push(plan.outcome);
      else if (overlaps.has(plan.entry)) files.push(rejected(plan.entryName, 'ZIP_BOMB', 'entry data overlaps another entry', { warnings: plan.warnings }));
      else if ((groups.get(nameKey(plan.baseName)) ?? 0) > 1) {
        const link = ctx.index.link(plan.baseName);
        const so = link.kind === 'record' ? { so: link.so } : {};
        files.push({ entryName: plan.entryName, status: 'duplicate', reason: 'DUPLICATE_NAME', ...so, warnings: plan.warnings });
      } else {
        const remaining = limits.maxTotalBytes - inflatedBytes;
        if (remaining <= 0) {
          files.push(rejected(plan.entryName, 'ARCHIVE_LIMIT', `more than ${limits.maxTotalBytes} bytes inflated`, { warnings: plan.warnings }));
          continue;
        }
        files.push(await readAndJudge(ctx, opened.zip, reader, plan, remaining, (n) => (inflatedBytes += n)));
      }
    }
    return { files, skipped, stats: { entries: entries.length, uploadBytes: source.size, inflatedBytes, storedBytes: ctx.storedBytes } };
  } finally {
    opened.close();
  }
}

async function readAndJudge(
  ctx: Context,
  zip: ZipFile,
  reader: ByteSourceReader,
  plan: Extract<Planned, { kind: 'candidate' }>,
  remainingTotalBytes: number,
  count: (inflated: number) => void,
): Promise<FileOutcome> {
  const read = await readEntryBounded(zip, reader, plan.entry, { ...ctx.limits, remainingTotalBytes });
  count(read.inflated);
  if (!read.ok) {
    const link = ctx.index.link(plan.baseName);
    return rejected(plan.entryName, read.reason, read.detail, { so: link.kind === 'record' ? link.so : undefined, warnings: plan.warnings });
  }
  return judge(ctx, plan.entryName, plan.baseName, read.data, plan.warnings);
}

/**
 * Checks a single uploaded PDF (a delivery of one file, typically a correction) and stores it when accepted.
 * `fileName` is the uploaded name: it links to a record exactly like an entry of a zip.
 * @throws InvalidInput when `expected` is malformed; whatever `sink.store` throws
 */
export async function processSinglePdf(
  fileName: string,
  data: Buffer,
  expected: readonly ExpectedScan[],
  sink: ScanSink,
  options: ScanOptions = {},
): Promise<ScanRun> {
  const ctx = context(expected, sink, options);
  const stats = { entries: 1, uploadBytes: data.length, inflatedBytes: 0, storedBytes: 0 };
  const one = (outcome: FileOutcome): ScanRun => ({ files: [outcome], skipped: [], stats: { ...stats, storedBytes: ctx.storedBytes } });
  const path = checkEntryPath(fileName);
  if (!path.ok) return one(rejected(fileName, path.reason, path.detail));
  if (path.isDirectory || path.baseName !== fileName) return one(rejected(fileName, 'PATH_TRAVERSAL', 'a single upload must be a bare file name'));
  if (hasArchiveExtension(fileName)) return one(rejected(fileName, 'NESTED_ARCHIVE', 'archives go through processScanArchive'));
  if (!hasPdfExtension(fileName)) return one(rejected(fileName, 'WRONG_EXTENSION'));
  if (data.length > ctx.limits.maxFileBytes) return one(rejected(fileName, 'TOO_LARGE', `${data.length} bytes`));
  return one(await judge(ctx, fileName, fileName, data, []));
}

/** Convenience for tests and small archives already in memory. Same contract as `processScanArchive`. */
export function processScanArchiveBuffer(zip: Buffer, expected: readonly ExpectedScan[], sink: ScanSink, options: ScanOptions = {}): Promise<ScanRun> {
  return processScanArchive(bufferByteSource(zip), expected, sink, options);
}
