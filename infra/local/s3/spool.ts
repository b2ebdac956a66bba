/**
 * Holds a request body until it has been verified, so that a rejected upload stores nothing.
 * Small bodies stay in memory; larger ones spill to a temporary file.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';

const DEFAULT_MEMORY_LIMIT = 1024 * 1024;

export class Spool {
  private chunks: Buffer[] = [];
  private file: { path: string; handle: FileHandle | undefined } | undefined;
  private bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly memoryLimit = DEFAULT_MEMORY_LIMIT,
  ) {}

  get size(): number {
    return this.bytes;
  }

  async write(data: Buffer): Promise<void> {
    if (data.length === 0) return;
    this.bytes += data.length;
    if (this.file?.handle) {
      await writeAll(this.file.handle, data);
      return;
    }
    this.chunks.push(Buffer.from(data));
    if (this.bytes > this.memoryLimit) {
      const path = join(this.dir, `body-${randomUUID()}`);
      this.file = { path, handle: undefined };
      const handle = await open(path, 'w');
      this.file.handle = handle;
      for (const chunk of this.chunks) await writeAll(handle, chunk);
      this.chunks = [];
    }
  }

  /** Call once everything has been written. */
  async finish(): Promise<void> {
    if (this.file?.handle) {
      await this.file.handle.close();
      this.file.handle = undefined;
    }
  }

  stream(): Readable {
    return this.file ? createReadStream(this.file.path) : Readable.from(this.chunks);
  }

  /** The whole body in memory (for small XML bodies). */
  async buffer(): Promise<Buffer> {
    if (!this.file) return Buffer.concat(this.chunks);
    const parts: Buffer[] = [];
    for await (const chunk of this.stream()) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async dispose(): Promise<void> {
    this.chunks = [];
    const file = this.file;
    this.file = undefined;
    if (!file) return;
    await file.handle?.close().catch(() => undefined);
    await rm(file.path, { force: true });
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}
