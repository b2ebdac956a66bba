/**
 * Reading a zip through the `ByteSource` port with yauzl's central-directory reader: entry names, sizes
 * and offsets come from the central directory only (local headers are used just to find where data
 * starts), so tricks that put different names or sizes in local headers have no effect. Entries are
 * read one at a time, inflated by us so every inflated byte is counted against the limits.
 */
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { type Entry, fromRandomAccessReaderPromise, RandomAccessReader, type ZipFile } from 'yauzl';
import type { ByteSource } from './byte-source.js';
import { ByteSourceError, InvalidArchive } from './errors.js';
import type { ReasonCode } from './reasons.js';

export type { Entry, ZipFile } from 'yauzl';

/**
 * yauzl's reader over a `ByteSource`, with a small cache of aligned blocks: yauzl asks for many tiny
 * ranges (46 bytes per central-directory record, 30 bytes per local header), which would be one S3 GET
 * each. With blocks of `blockSize` bytes (default 1 MiB) a 200 MB archive costs ~200 GETs, and memory
 * stays at `maxBlocks` × `blockSize` whatever the archive size.
 */
export class ByteSourceReader extends RandomAccessReader {
  private readonly blocks = new Map<number, Promise<Buffer>>();

  constructor(
    private readonly source: ByteSource,
    private readonly blockSize = 1024 * 1024,
    private readonly maxBlocks = 4,
  ) {
    super();
  }

  private block(index: number): Promise<Buffer> {
    const cached = this.blocks.get(index);
    if (cached) {
      // Map keeps insertion order: re-inserting makes it the most recently used.
      this.blocks.delete(index);
      this.blocks.set(index, cached);
      return cached;
    }
    const start = index * this.blockSize;
    const length = Math.min(this.blockSize, this.source.size - start);
    const p = this.fetch(start, length);
    p.catch(() => this.blocks.delete(index));
    this.blocks.set(index, p);
    while (this.blocks.size > this.maxBlocks) this.blocks.delete(this.blocks.keys().next().value!);
    return p;
  }

  private async fetch(start: number, length: number): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await this.source.read(start, length);
    } catch (err) {
      throw new ByteSourceError(`reading ${length} bytes at ${start} failed: ${(err as Error).message}`, { cause: err });
    }
    if (data.length !== length) throw new ByteSourceError(`reading ${length} bytes at ${start} returned ${data.length}`);
    return data;
  }

  /** The bytes [start, end) as block slices, in order. */
  private async *slices(start: number, end: number): AsyncGenerator<Buffer> {
    let pos = start;
    while (pos < end) {
      const index = Math.floor(pos / this.blockSize);
      const block = await this.block(index);
      const from = pos - index * this.blockSize;
      const to = Math.min(block.length, end - index * this.blockSize);
      if (to <= from) throw new ByteSourceError(`range ${start}-${end} is past the end of the source (${this.source.size} bytes)`);
      yield block.subarray(from, to);
      pos += to - from;
    }
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.slices(Math.max(0, start), Math.min(end, this.source.size)), { objectMode: false });
  }

  // yauzl's default `read` builds three streams per call; central-directory reading does thousands.
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    const done = callback as (err: Error | null, bytesRead?: number) => void;
    const end = Math.min(position + length, this.source.size);
    (async () => {
      let written = 0;
      for await (const s of this.slices(position, end)) {
        s.copy(buffer, offset + written);
        written += s.length;
      }
      return written;
    })().then(
      (n) => done(null, n),
      (err: Error) => done(err),
    );
  }
}

export interface OpenedZip {
  zip: ZipFile;
  /** Entry count declared by the end-of-central-directory record (checked before reading entries). */
  entryCount: number;
  close(): void;
}

/**
 * Opens the archive and reads its end-of-central-directory record. Strings are not decoded (names are
 * decoded and checked by `entry-name.ts`, so an unsafe name rejects one entry, not the archive) and
 * sizes are not validated by yauzl (we count inflated bytes ourselves).
 * @throws InvalidArchive `NOT_ZIP` (no end-of-central-directory record), `UNSUPPORTED_ARCHIVE` (multi-disk),
 *   `CORRUPT_ARCHIVE` (anything else yauzl refuses)
 * @throws ByteSourceError when the storage fails
 */
export async function openZip(reader: ByteSourceReader, size: number): Promise<OpenedZip> {
  try {
    const zip = await fromRandomAccessReaderPromise(reader, size, { autoClose: false, decodeStrings: false, validateEntrySizes: false });
    return { zip, entryCount: zip.entryCount, close: () => zip.close() };
  } catch (err) {
    throw archiveError(err);
  }
}

/** Maps a yauzl failure while reading archive structure to `InvalidArchive`; storage failures pass through. */
export function archiveError(err: unknown): Error {
  if (err instanceof ByteSourceError || err instanceof InvalidArchive) return err;
  const message = (err as Error)?.message ?? String(err);
  let reason: ReasonCode = 'CORRUPT_ARCHIVE';
  if (/End of central directory record signature not found/i.test(message)) reason = 'NOT_ZIP';
  else if (/multi-disk|strong encryption/i.test(message)) reason = 'UNSUPPORTED_ARCHIVE';
  return new InvalidArchive(reason, message, { cause: err });
}

/** Every central-directory record, in order. Only metadata: no entry data is read. */
export async function readCentralDirectory(zip: ZipFile): Promise<Entry[]> {
  const entries: Entry[] = [];
  try {
    for await (const e of zip.eachEntry()) entries.push(e);
  } catch (err) {
    throw archiveError(err);
  }
  return entries;
}

export interface EntryReadLimits {
  /** Largest accepted inflated size of one entry. */
  maxFileBytes: number;
  /** Inflated/compressed ratio above which the entry is a zip bomb… */
  maxCompressionRatio: number;
  /** …once at least this many bytes were inflated (small files legitimately compress well). */
  ratioGraceBytes: number;
  /** Inflated bytes still allowed for the whole archive. */
  remainingTotalBytes: number;
}

export type EntryRead =
  | { ok: true; data: Buffer; inflated: number }
  | { ok: false; reason: Extract<ReasonCode, 'ZIP_BOMB' | 'TOO_LARGE' | 'ARCHIVE_LIMIT' | 'CORRUPT_ENTRY'>; detail: string; inflated: number };

/**
 * Reads one entry fully into memory, inflating it ourselves and counting the bytes that actually come
 * out (headers may lie): stops as soon as a limit is crossed, so a bomb costs at most the limit.
 * Checks the CRC-32 and that the inflated size equals the declared one.
 * @throws ByteSourceError when the storage fails (never a per-file rejection)
 */
export async function readEntryBounded(zip: ZipFile, entry: Entry, limits: EntryReadLimits): Promise<EntryRead> {
  let raw: Readable;
  try {
    raw = await zip.openReadStreamPromise(entry, { decodeFileData: false });
  } catch (err) {
    if (err instanceof ByteSourceError) throw err;
    return { ok: false, reason: 'CORRUPT_ENTRY', detail: (err as Error).message, inflated: 0 };
  }
  let out: Readable = raw;
  if (entry.compressionMethod === 8) {
    const inflate = zlib.createInflateRaw();
    raw.on('error', (err) => inflate.destroy(err));
    out = raw.pipe(inflate);
  }
  const chunks: Buffer[] = [];
  let inflated = 0;
  const compressed = Math.max(1, entry.compressedSize);
  const stop = (reason: Extract<EntryRead, { ok: false }>['reason'], detail: string): EntryRead => {
    out.destroy();
    raw.destroy();
    return { ok: false, reason, detail, inflated };
  };
  try {
    for await (const chunk of out as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      if (inflated > limits.remainingTotalBytes) return stop('ARCHIVE_LIMIT', `archive expanded-size budget exhausted after ${inflated} bytes of this entry`);
      if (inflated > limits.maxFileBytes) return stop('TOO_LARGE', `more than ${limits.maxFileBytes} bytes once inflated`);
      if (inflated > limits.ratioGraceBytes && inflated / compressed > limits.maxCompressionRatio) {
        return stop('ZIP_BOMB', `${inflated} bytes inflated from ${entry.compressedSize} (ratio above ${limits.maxCompressionRatio})`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ByteSourceError) throw err;
    return { ok: false, reason: 'CORRUPT_ENTRY', detail: (err as Error).message, inflated };
  }
  const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, inflated);
  if (inflated !== entry.uncompressedSize) {
    return { ok: false, reason: 'CORRUPT_ENTRY', detail: `size ${inflated} differs from the declared ${entry.uncompressedSize}`, inflated };
  }
  if (zlib.crc32(data) !== entry.crc32) return { ok: false, reason: 'CORRUPT_ENTRY', detail: 'CRC-32 mismatch', inflated };
  return { ok: true, data, inflated };
}
