/** Builders for scan tests: PDFs with pdf-lib, zips with yazl, and byte patches where yazl refuses. */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { PDFDocument, PDFName } from 'pdf-lib';
import { ZipFile } from 'yazl';
import type { ScanSink, ScanTarget, StoredScanMeta } from '../../../shared/scans/process-scans.js';

export interface PdfOptions {
  pages?: number;
  /** Classic xref table (false, default) or a cross-reference stream with object streams (true). */
  objectStreams?: boolean;
  /** Incompressible bytes embedded as an image XObject, like a scanned page. */
  payloadBytes?: number;
  /** Text that makes the PDF unique (its SHA-256 differs). */
  label?: string;
}

export async function makePdf(o: PdfOptions = {}): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(o.label ?? 'scan');
  for (let i = 0; i < (o.pages ?? 1); i++) {
    const page = doc.addPage([595, 842]);
    if (o.payloadBytes && i === 0) {
      const image = doc.context.stream(randomBytes(o.payloadBytes), {
        Type: 'XObject',
        Subtype: 'Image',
        Width: 100,
        Height: 100,
        ColorSpace: 'DeviceRGB',
        BitsPerComponent: 8,
        Filter: 'DCTDecode',
      });
      page.node.setXObject(PDFName.of('Im0'), doc.context.register(image));
    }
  }
  return Buffer.from(await doc.save({ useObjectStreams: o.objectStreams ?? false, addDefaultPage: false }));
}

export interface ZipInput {
  name: string;
  data: Buffer;
  compress?: boolean;
  /** Unix mode (e.g. 0o120777 for a symlink). */
  mode?: number;
}

export function zipOf(entries: readonly (ZipInput | { dir: string })[]): Promise<Buffer> {
  const z = new ZipFile();
  for (const e of entries) {
    if ('dir' in e) z.addEmptyDirectory(e.dir);
    else z.addBuffer(e.data, e.name, { compress: e.compress ?? true, ...(e.mode !== undefined ? { mode: e.mode } : {}) });
  }
  z.end();
  return streamToBuffer(z.outputStream);
}

async function streamToBuffer(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface EntryPatch {
  /** Replacement name bytes, same length as the current name. */
  name?: Buffer;
  setFlags?: number;
  clearFlags?: number;
  uncompressedSize?: number;
  compressedSize?: number;
  compressionMethod?: number;
  externalAttributes?: number;
  localHeaderOffset?: number;
}

/** Central-directory record offsets of a (non-zip64, no comment) zip. */
function centralRecords(zip: Buffer): number[] {
  const eocd = zip.length - 22;
  if (zip.readUInt32LE(eocd) !== 0x06054b50) throw new Error('fixture: expected an EOCD without comment');
  const count = zip.readUInt16LE(eocd + 10);
  let pos = zip.readUInt32LE(eocd + 16);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(pos);
    pos += 46 + zip.readUInt16LE(pos + 28) + zip.readUInt16LE(pos + 30) + zip.readUInt16LE(pos + 32);
  }
  return out;
}

/** Rewrites header fields of entry `index` in both the central directory and its local header. */
export function patchZip(zip: Buffer, index: number, p: EntryPatch): Buffer {
  const out = Buffer.from(zip);
  const cd = centralRecords(out)[index]!;
  const local = out.readUInt32LE(cd + 42);
  if (p.name) {
    const n = out.readUInt16LE(cd + 28);
    if (p.name.length !== n) throw new Error(`fixture: name must keep its length ${n}`);
    p.name.copy(out, cd + 46);
    p.name.copy(out, local + 30);
  }
  const flags = (v: number) => (v | (p.setFlags ?? 0)) & ~(p.clearFlags ?? 0) & 0xffff;
  out.writeUInt16LE(flags(out.readUInt16LE(cd + 8)), cd + 8);
  out.writeUInt16LE(flags(out.readUInt16LE(local + 6)), local + 6);
  if (p.compressionMethod !== undefined) {
    out.writeUInt16LE(p.compressionMethod, cd + 10);
    out.writeUInt16LE(p.compressionMethod, local + 8);
  }
  if (p.compressedSize !== undefined) out.writeUInt32LE(p.compressedSize, cd + 20);
  if (p.uncompressedSize !== undefined) out.writeUInt32LE(p.uncompressedSize, cd + 24);
  if (p.externalAttributes !== undefined) out.writeUInt32LE(p.externalAttributes >>> 0, cd + 38);
  if (p.localHeaderOffset !== undefined) out.writeUInt32LE(p.localHeaderOffset, cd + 42);
  return out;
}

/** The local header offset of entry `index`. */
export function localHeaderOffset(zip: Buffer, index: number): number {
  return zip.readUInt32LE(centralRecords(zip)[index]! + 42);
}

export interface StoredScan {
  target: ScanTarget;
  data: Buffer;
  meta: StoredScanMeta;
}

/** A sink that keeps what it is given. */
export function memorySink(): ScanSink & { stored: StoredScan[] } {
  const stored: StoredScan[] = [];
  return {
    stored,
    async store(target, data, meta) {
      stored.push({ target, data, meta });
    },
  };
}

/** Records `01/2018` … `n/2018`. */
export function records(n: number, tenFile?: (i: number) => string | undefined): { so: string; tenFile?: string }[] {
  return Array.from({ length: n }, (_, k) => {
    const so = `${String(k + 1).padStart(2, '0')}/2018`;
    const t = tenFile?.(k + 1);
    return t === undefined ? { so } : { so, tenFile: t };
  });
}

/**
 * A zip of `n` stored one-byte entries, written directly (yazl takes tens of seconds for 100,000
 * entries). More than 65,535 entries need the zip64 end-of-central-directory records.
 */
export function manyEntriesZip(n: number, name: (i: number) => string): Buffer {
  const data = Buffer.from('x');
  const crc = crc32(data);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const nm = Buffer.from(name(i));
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(1, 18);
    lh.writeUInt32LE(1, 22);
    lh.writeUInt16LE(nm.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(1, 20);
    ch.writeUInt32LE(1, 24);
    ch.writeUInt16LE(nm.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, nm, data);
    centrals.push(ch, nm);
    offset += 30 + nm.length + 1;
  }
  const cd = Buffer.concat(centrals);
  const z64 = Buffer.alloc(56);
  z64.writeUInt32LE(0x06064b50, 0);
  z64.writeBigUInt64LE(44n, 4);
  z64.writeUInt16LE(45, 12);
  z64.writeUInt16LE(45, 14);
  z64.writeBigUInt64LE(BigInt(n), 24);
  z64.writeBigUInt64LE(BigInt(n), 32);
  z64.writeBigUInt64LE(BigInt(cd.length), 40);
  z64.writeBigUInt64LE(BigInt(offset), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
  loc.writeUInt32LE(1, 16);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, z64, loc, eocd]);
}
