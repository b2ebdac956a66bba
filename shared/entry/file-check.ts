/**
 * File-level checks, before and while a workbook is read: what the bytes are (magic numbers), and
 * the zip-level facts exceljs does not report (a macro part, a missing end-of-archive record).
 * Every bad input ends in an `InvalidWorkbook` with a specific code.
 */
import { inflateRawSync } from 'node:zlib';
import { InvalidWorkbook } from './errors.js';

/** How many leading bytes `inspectWorkbookFile` should be given (an S3 range GET of this size). */
export const INSPECT_BYTES = 64 * 1024;

const ZIP_LOCAL = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const ZIP_EOCD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const ZIP_CENTRAL = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const EOCD_MIN = 22;
const EOCD_MAX_COMMENT = 0xffff;

export interface WorkbookFileInfo {
  format: 'xlsx';
}

export interface InspectOptions {
  /** Reject larger files (FILE_TOO_LARGE). */
  maxBytes?: number;
}

/**
 * Checks the first bytes of an upload (give at least `INSPECT_BYTES`, or the whole file when smaller)
 * and its total size.
 * @throws InvalidWorkbook EMPTY_FILE, FILE_TOO_LARGE, LEGACY_XLS (OLE without encryption streams),
 *   PASSWORD_PROTECTED (OLE holding EncryptionInfo/EncryptedPackage: encrypted OOXML), CSV_OR_TEXT,
 *   HTML_OR_XML, ODS, XLSB, MACRO_ENABLED (when visible in these bytes), CORRUPT_ZIP (a whole small
 *   file without an end-of-archive record), NOT_XLSX (anything else that is not a zip).
 */
export function inspectWorkbookFile(firstBytes: Buffer, size: number, opts: InspectOptions = {}): WorkbookFileInfo {
  if (size === 0 || firstBytes.length === 0) throw new InvalidWorkbook('EMPTY_FILE');
  if (opts.maxBytes !== undefined && size > opts.maxBytes) {
    throw new InvalidWorkbook('FILE_TOO_LARGE', {
      message: `Tệp quá lớn (${formatMiB(size)}); giới hạn là ${formatMiB(opts.maxBytes)}. Hãy tách sổ thành nhiều tệp hoặc xóa các dòng, trang tính thừa.`,
      details: { size, maxBytes: opts.maxBytes },
    });
  }
  inspectStart(firstBytes, firstBytes.length >= size);
  return { format: 'xlsx' };
}

const formatMiB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * The magic-number part, also used by the reader on the head of its stream.
 * `complete` says `head` is the whole file (then the end-of-archive record can be checked).
 * @throws InvalidWorkbook as `inspectWorkbookFile`.
 */
export function inspectStart(head: Buffer, complete: boolean): void {
  if (head.length === 0) throw new InvalidWorkbook('EMPTY_FILE');
  if (startsWith(head, ZIP_LOCAL)) {
    inspectZipHead(head);
    if (complete && findEocd(head) < 0) throw new InvalidWorkbook('CORRUPT_ZIP');
    return;
  }
  if (startsWith(head, ZIP_EOCD)) throw new InvalidWorkbook('NOT_XLSX', { message: 'Tệp nén rỗng, không phải bảng tính Excel (.xlsx).' });
  if (startsWith(head, OLE)) {
    if (oleHasEncryption(head)) throw new InvalidWorkbook('PASSWORD_PROTECTED');
    throw new InvalidWorkbook('LEGACY_XLS');
  }
  const text = sniffText(head);
  if (text === 'markup') throw new InvalidWorkbook('HTML_OR_XML');
  if (text === 'text') throw new InvalidWorkbook('CSV_OR_TEXT');
  throw new InvalidWorkbook('NOT_XLSX');
}

function startsWith(b: Buffer, sig: Buffer): boolean {
  return b.length >= sig.length && b.subarray(0, sig.length).equals(sig);
}

/** Last end-of-central-directory record that fits the buffer's tail, or -1. */
function findEocd(b: Buffer): number {
  const from = Math.max(0, b.length - EOCD_MIN - EOCD_MAX_COMMENT);
  const at = b.lastIndexOf(ZIP_EOCD);
  return at >= from && at + EOCD_MIN <= b.length ? at : -1;
}

interface LocalHeader {
  at: number;
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  dataStart: number;
}

/** Local file headers fully inside `b` (names are never compressed, so this works on any prefix). */
function* localHeaders(b: Buffer): Generator<LocalHeader> {
  for (let i = b.indexOf(ZIP_LOCAL); i !== -1; i = b.indexOf(ZIP_LOCAL, i + 4)) {
    if (i + 30 > b.length) return;
    const nameLen = b.readUInt16LE(i + 26);
    const extraLen = b.readUInt16LE(i + 28);
    if (i + 30 + nameLen > b.length) return;
    yield {
      at: i,
      name: b.toString('utf8', i + 30, i + 30 + nameLen),
      flags: b.readUInt16LE(i + 6),
      method: b.readUInt16LE(i + 8),
      compressedSize: b.readUInt32LE(i + 18),
      dataStart: i + 30 + nameLen + extraLen,
    };
  }
}

/** Zip parts that tell the file's kind, from the entries visible in the head. */
function inspectZipHead(head: Buffer): void {
  for (const h of localHeaders(head)) {
    const kind = partKind(h.name);
    if (kind) throw new InvalidWorkbook(kind);
    if (h.name === 'mimetype' && head.toString('latin1', h.dataStart, h.dataStart + 60).includes('opendocument.spreadsheet')) {
      throw new InvalidWorkbook('ODS');
    }
    // Excel writes [Content_Types].xml first, with its sizes in the header: a macro-enabled workbook
    // declares itself there, so an .xlsm is refused before its body is downloaded.
    if (h.name === '[Content_Types].xml' && (h.flags & 0x08) === 0 && h.dataStart + h.compressedSize <= head.length) {
      const raw = head.subarray(h.dataStart, h.dataStart + h.compressedSize);
      try {
        const xml = h.method === 8 ? inflateRawSync(raw).toString('utf8') : h.method === 0 ? raw.toString('utf8') : '';
        if (/macroEnabled|vbaProject/i.test(xml)) throw new InvalidWorkbook('MACRO_ENABLED');
      } catch (err) {
        if (err instanceof InvalidWorkbook) throw err;
        throw new InvalidWorkbook('CORRUPT_ZIP', { cause: err });
      }
    }
  }
}

/** The code a zip part name implies, if any. */
function partKind(name: string): 'MACRO_ENABLED' | 'XLSB' | undefined {
  if (/(^|\/)vbaProject\.bin$/i.test(name) || /(^|\/)vbaProjectSignature\.bin$/i.test(name)) return 'MACRO_ENABLED';
  if (/^xl\/workbook\.bin$/i.test(name)) return 'XLSB';
  return undefined;
}

const utf16 = (s: string) => Buffer.from(s, 'utf16le');
const ENCRYPTION_STREAMS = [utf16('EncryptionInfo'), utf16('EncryptedPackage')];

/**
 * Encrypted OOXML (a password-protected .xlsx) is an OLE compound file holding the streams
 * "EncryptionInfo" and "EncryptedPackage"; their names sit in the directory as UTF-16LE. The
 * directory is usually within the first sectors; when it lies beyond the bytes given, the file is
 * reported as a legacy .xls (also an OLE file, also refused).
 */
function oleHasEncryption(head: Buffer): boolean {
  return ENCRYPTION_STREAMS.some((n) => head.includes(n));
}

/** 'markup' for HTML/XML (what web tools export as ".xls"), 'text' for other text (CSV), else undefined. */
function sniffText(head: Buffer): 'markup' | 'text' | undefined {
  let b = head.subarray(0, 4096);
  if (b[0] === 0xff && b[1] === 0xfe) return sniffDecoded(b.subarray(2).toString('utf16le'));
  if (b[0] === 0xfe && b[1] === 0xff) return 'text';
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  if (b.includes(0)) return undefined;
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, Math.max(0, b.length - 3)));
  } catch {
    // Not UTF-8: a legacy code page (Windows-1258 CSV) is still mostly printable bytes.
    const printable = [...b].filter((x) => x >= 0x20 || x === 0x09 || x === 0x0a || x === 0x0d).length;
    return printable / b.length > 0.95 ? 'text' : undefined;
  }
  return sniffDecoded(s);
}

function sniffDecoded(s: string): 'markup' | 'text' | undefined {
  const t = s.trimStart();
  if (/^<(\?xml|!doctype|html|table|head|body|meta)/i.test(t)) return 'markup';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: binary content shows as control characters
  const controls = (s.match(/[\u0000-\u0008\u000E-\u001F]/g) ?? []).length;
  return controls === 0 ? 'text' : undefined;
}

/**
 * Watches the bytes of a zip as they stream by (a tee in front of exceljs): names of local file
 * headers (a `vbaProject.bin` part means a macro-enabled workbook; `xl/workbook.xml` means a workbook
 * at all) and the end-of-central-directory record (its absence means a truncated file). Keeps only a
 * few hundred bytes of state.
 */
export class ZipSniffer {
  bytes = 0;
  sawWorkbook = false;
  kind: 'MACRO_ENABLED' | 'XLSB' | undefined;
  /** CRC-32 of each part, from the central directory (or the local header when it carries it). */
  private readonly crcs = new Map<string, number>();
  private readonly names = new Set<string>();
  /** Absolute offset of the last end-of-central-directory signature seen. */
  private lastEocd = -1;
  private carry: Buffer = Buffer.alloc(0);

  observe(chunk: Buffer): void {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const bufStart = this.bytes - this.carry.length;
    this.bytes += chunk.length;
    // Keep the last 3 bytes (a signature split across chunks) or an incomplete header. A header seen
    // twice (carried over) is recorded twice, harmlessly: recording is idempotent.
    let keepFrom = Math.max(0, buf.length - 3);
    const local = scanHeaders(buf, ZIP_LOCAL, 30, 26, (at, name) => {
      this.onName(name);
      // Sizes and CRC are in the local header unless a data descriptor follows the data (flag bit 3).
      if ((buf.readUInt16LE(at + 6) & 0x08) === 0) this.crcs.set(name, buf.readUInt32LE(at + 14));
    });
    const central = scanHeaders(buf, ZIP_CENTRAL, 46, 28, (at, name) => this.crcs.set(name, buf.readUInt32LE(at + 16)));
    for (const incomplete of [local, central]) if (incomplete >= 0) keepFrom = Math.min(keepFrom, incomplete);
    const e = buf.lastIndexOf(ZIP_EOCD);
    if (e !== -1 && bufStart + e > this.lastEocd) this.lastEocd = bufStart + e;
    this.carry = Buffer.from(buf.subarray(keepFrom));
  }

  /** Whether a part of this name streamed by (names from local headers). */
  sawPart(name: string): boolean {
    return this.crcs.has(name) || this.names.has(name);
  }

  private onName(name: string): void {
    if (this.names.size < 10_000) this.names.add(name);
    this.kind ??= partKind(name);
    if (name === 'xl/workbook.xml') this.sawWorkbook = true;
  }

  /**
   * Checks what was read of a part against the archive's CRC-32 (central directory, or local header):
   * deflate does not always notice damaged data, and a lenient scanner would read garbage.
   * @throws InvalidWorkbook CORRUPT_ZIP on a mismatch.
   */
  assertCrc(part: string, crc: number): void {
    const expected = this.crcs.get(part);
    if (expected !== undefined && expected !== crc >>> 0) throw new InvalidWorkbook('CORRUPT_ZIP', { details: { part } });
  }

  /** Whether the archive ended with its end-of-central-directory record (not truncated). */
  get complete(): boolean {
    return this.lastEocd >= 0 && this.lastEocd + EOCD_MIN <= this.bytes && this.lastEocd >= this.bytes - EOCD_MIN - EOCD_MAX_COMMENT;
  }

  /** @throws InvalidWorkbook MACRO_ENABLED or XLSB as soon as such a part has streamed by. */
  assertAcceptable(): void {
    if (this.kind) throw new InvalidWorkbook(this.kind);
  }

  /** @throws InvalidWorkbook when the whole stream, once read, was not a complete workbook. */
  assertComplete(): void {
    this.assertAcceptable();
    if (!this.complete) throw new InvalidWorkbook('CORRUPT_ZIP');
    if (!this.sawWorkbook) throw new InvalidWorkbook('NOT_XLSX', { message: 'Tệp nén không chứa bảng tính Excel (.xlsx).' });
  }
}

/**
 * Calls `onHeader(offset, name)` for each complete header with signature `sig` (fixed part
 * `fixedLen` bytes, name length at `nameLenAt`, name right after the fixed part). Returns the offset
 * of a header cut by the end of the buffer, or -1.
 */
function scanHeaders(buf: Buffer, sig: Buffer, fixedLen: number, nameLenAt: number, onHeader: (at: number, name: string) => void): number {
  for (let i = buf.indexOf(sig); i !== -1; i = buf.indexOf(sig, i + 4)) {
    if (i + fixedLen > buf.length) return i;
    const nameLen = buf.readUInt16LE(i + nameLenAt);
    if (i + fixedLen + nameLen > buf.length) return i;
    onHeader(i, buf.toString('utf8', i + fixedLen, i + fixedLen + nameLen));
  }
  return -1;
}
