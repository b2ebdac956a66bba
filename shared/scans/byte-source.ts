/**
 * Port: random access to the bytes of an uploaded file. In AWS it is backed by S3 ranged GETs; in tests
 * and benchmarks by a Buffer or a local file. The scan domain never holds a whole archive: it asks for
 * the ranges it needs (central directory, then one entry at a time).
 */
import type { FileHandle } from 'node:fs/promises';

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes starting at `offset` (the caller never asks past `size`).
   * @throws whatever the storage throws; the scan domain wraps it as `ByteSourceError` and lets it propagate.
   */
  read(offset: number, length: number): Promise<Buffer>;
}

/** A source over bytes already in memory (tests, single small uploads). */
export function bufferByteSource(data: Buffer): ByteSource {
  return {
    size: data.length,
    read: async (offset, length) => data.subarray(offset, offset + length),
  };
}

/** A source over an open local file (benchmarks, local runtime). The caller owns and closes the handle. */
export async function fileByteSource(handle: FileHandle): Promise<ByteSource> {
  const { size } = await handle.stat();
  return {
    size,
    read: async (offset, length) => {
      const buffer = Buffer.allocUnsafe(length);
      let done = 0;
      // fs reads may return short counts; loop until the range is full or the file ends.
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === length ? buffer : buffer.subarray(0, done);
    },
  };
}
