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
      const pending = this.block(index);
      // Read-ahead: entries are read in archive order, so the next block is needed next; fetching it
      // now overlaps storage latency (an S3 GET, a disk read) with checking the current entries.
      if ((index + 1) * this.blockSize < this.source.size && !this.blocks.has(index + 1)) this.block(index + 1);
      const block = await pending;
      const from = pos - index * this.blockSize;
      const to = Math.min(block.length, end - index * this.blockSize);
      if (to <= from) throw new ByteSourceError(`range ${start}-${end} is past the end of the source (${this.source.size} bytes)`);
      yield block.subarray(from, to);
      pos += to - from;
    }
  }

  /** The bytes [start, start + length) as one buffer (a view into a cached block when it fits in one). */
  async readRange(start: number, length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const s of this.slices(start, Math.min(start + length, this.source.size))) parts.push(s);
    const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (out.length !== length) throw new ByteSourceError(`range ${start}+${length} is past the end of the source (${this.source.size} bytes)`);
    return out;
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
 * Reads one entry fully into memory: its compressed bytes (found through the local header, sized by the
 * central directory), then inflated by zlib with a hard output bound, `maxOutputLength`, so zlib itself
 * counts the bytes that actually come out (headers may lie) and stops as soon as the bound is crossed:
 * a bomb costs at most the bound. The bound is the smallest of the per-file limit, the archive's
 * remaining budget and the ratio limit. Then checks that the inflated size equals the declared one and
 * the CRC-32.
 *
 * One-shot inflation rather than a stream: entries are small (a PDF per event) and a stream of 16 kB
 * chunks cost half the throughput in callbacks and garbage. It blocks the event loop for the time of
 * one entry (≤ `maxFileBytes`), which a Lambda handling one upload can afford.
 * @throws ByteSourceError when the storage fails (never a per-file rejection)
 */
export async function readEntryBounded(zip: ZipFile, reader: ByteSourceReader, entry: Entry, limits: EntryReadLimits): Promise<EntryRead> {
  const fail = (reason: Extract<EntryRead, { ok: false }>['reason'], detail: string, inflated = 0): EntryRead => ({ ok: false, reason, detail, inflated });
  // Deflate cannot shrink data by much less than its compressed size, so more compressed bytes than
  // the per-file limit can only inflate past it (or be junk): refuse before reading them.
  if (entry.compressedSize > limits.maxFileBytes) return fail('TOO_LARGE', `${entry.compressedSize} bytes compressed`);
  let raw: Buffer;
  try {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
    raw = await reader.readRange(fileDataStart, entry.compressedSize);
  } catch (err) {
    if (err instanceof ByteSourceError) throw err;
    return fail('CORRUPT_ENTRY', (err as Error).message);
  }
  let data: Buffer;
  if (entry.compressionMethod === 0) {
    if (raw.length > limits.remainingTotalBytes) return fail('ARCHIVE_LIMIT', 'archive expanded-size budget exhausted', raw.length);
    data = raw;
  } else {
    const byRatio = Math.max(limits.ratioGraceBytes, Math.floor(limits.maxCompressionRatio * Math.max(1, entry.compressedSize)));
    const bound = Math.min(limits.maxFileBytes, limits.remainingTotalBytes, byRatio);
    try {
      data = zlib.inflateRawSync(raw, { maxOutputLength: bound, chunkSize: 64 * 1024 });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        if (bound === limits.remainingTotalBytes) return fail('ARCHIVE_LIMIT', `archive expanded-size budget exhausted (${bound} bytes left)`, bound);
        if (bound === limits.maxFileBytes) return fail('TOO_LARGE', `more than ${bound} bytes once inflated`, bound);
        return fail('ZIP_BOMB', `more than ${bound} bytes inflated from ${entry.compressedSize} (ratio above ${limits.maxCompressionRatio})`, bound);
      }
      return fail('CORRUPT_ENTRY', `inflate: ${(err as Error).message}`);
    }
  }
  const inflated = data.length;
  if (inflated !== entry.uncompressedSize) return fail('CORRUPT_ENTRY', `size ${inflated} differs from the declared ${entry.uncompressedSize}`, inflated);
  if (zlib.crc32(data) !== entry.crc32) return fail('CORRUPT_ENTRY', 'CRC-32 mismatch', inflated);
  return { ok: true, data, inflated };
}
