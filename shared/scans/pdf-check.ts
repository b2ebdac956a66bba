/**
 * Is this buffer one usable scan? A real PDF (header, intact trailer and cross-reference section,
 * parses with pdf-lib, catalog and at least one page), not encrypted, not something else renamed .pdf.
 *
 * pdf-lib alone is not enough: it parses a file front to back and ignores the cross-reference table, so
 * it happily "loads" truncated files. The byte-level checks below catch what it forgives.
 */
import { PDFDocument, ParseSpeeds } from 'pdf-lib';
import type { ReasonCode } from './reasons.js';

export type PdfCheck =
  | { ok: true; pages: number }
  | { ok: false; reason: Extract<ReasonCode, 'EMPTY_FILE' | 'NOT_PDF' | 'NESTED_ARCHIVE' | 'ENCRYPTED_PDF' | 'CORRUPT_PDF' | 'NO_PAGES'>; detail: string };

/** Acrobat accepts the header within the first 1024 bytes and %%EOF within the last 1024; so do we. */
const HEADER_WINDOW = 1024;
const TRAILER_WINDOW = 1024;
/** Cross-reference entries verified against the bytes they point to (enough for any scan; bounds the work). */
const MAX_XREF_ENTRIES_CHECKED = 100_000;

const magics: { bytes: number[]; reason: 'NESTED_ARCHIVE' | 'NOT_PDF'; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], reason: 'NESTED_ARCHIVE', what: 'zip' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], reason: 'NESTED_ARCHIVE', what: 'empty zip' },
  { bytes: [0x52, 0x61, 0x72, 0x21], reason: 'NESTED_ARCHIVE', what: 'rar' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], reason: 'NESTED_ARCHIVE', what: '7z' },
  { bytes: [0x1f, 0x8b], reason: 'NESTED_ARCHIVE', what: 'gzip' },
  { bytes: [0xff, 0xd8, 0xff], reason: 'NOT_PDF', what: 'JPEG image' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], reason: 'NOT_PDF', what: 'PNG image' },
  { bytes: [0x49, 0x49, 0x2a, 0x00], reason: 'NOT_PDF', what: 'TIFF image' },
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], reason: 'NOT_PDF', what: 'TIFF image' },
];

const isWs = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;

function skipWs(data: Buffer, pos: number): number {
  while (pos < data.length && isWs(data[pos])) pos++;
  return pos;
}

/** "N G obj" at `pos` (after optional whitespace): the object number, or undefined. */
function objectHeaderAt(data: Buffer, pos: number): number | undefined {
  const m = /^(\d+)\s+(\d+)\s+obj\b/.exec(data.toString('latin1', skipWs(data, pos), Math.min(data.length, pos + 64)));
  return m ? Number(m[1]) : undefined;
}

type Structure = { ok: true; xrefOffset: number; base: number } | { ok: false; reason: 'CORRUPT_PDF' | 'ENCRYPTED_PDF'; detail: string };

/**
 * Trailer and cross-reference checks: `%%EOF` and `startxref` at the end (a truncated upload has
 * neither), `startxref` pointing at a classic `xref` table (whose in-use entries must each point at
 * the object they name) or at a cross-reference stream object. Also spots `/Encrypt` in the trailer
 * before pdf-lib tries to parse encrypted object streams (which would look merely corrupt).
 */
function checkStructure(data: Buffer, headerOffset: number): Structure {
  const tailStart = Math.max(0, data.length - TRAILER_WINDOW);
  const tail = data.toString('latin1', tailStart);
  if (!tail.includes('%%EOF')) return { ok: false, reason: 'CORRUPT_PDF', detail: 'no %%EOF at the end (truncated?)' };
  const sx = tail.lastIndexOf('startxref');
  const m = sx >= 0 ? /^startxref\s+(\d+)/.exec(tail.slice(sx)) : null;
  if (!m) return { ok: false, reason: 'CORRUPT_PDF', detail: 'no startxref at the end' };
  const declared = Number(m[1]);
  // Offsets count from the file start; with bytes before the header some writers count from the header.
  for (const base of headerOffset > 0 ? [0, headerOffset] : [0]) {
    const at = declared + base;
    if (at >= data.length) continue;
    const pos = skipWs(data, at);
    if (data.toString('latin1', pos, pos + 4) === 'xref') {
      const table = checkXrefTable(data, pos + 4, base);
      if (!table.ok) return table;
      const trailerEnd = Math.min(data.length, tailStart + sx);
      if (/\/Encrypt\b/.test(data.toString('latin1', table.end, trailerEnd))) return { ok: false, reason: 'ENCRYPTED_PDF', detail: '/Encrypt in the trailer' };
      return { ok: true, xrefOffset: at, base };
    }
    if (objectHeaderAt(data, pos) !== undefined) {
      const dictEnd = data.indexOf('stream', pos, 'latin1');
      const dict = data.toString('latin1', pos, dictEnd > pos ? dictEnd : Math.min(data.length, pos + 4096));
      if (!/\/Type\s*\/XRef\b/.test(dict))
        return { ok: false, reason: 'CORRUPT_PDF', detail: 'startxref points at an object that is not a cross-reference stream' };
      if (/\/Encrypt\b/.test(dict)) return { ok: false, reason: 'ENCRYPTED_PDF', detail: '/Encrypt in the cross-reference stream dictionary' };
      return { ok: true, xrefOffset: at, base };
    }
  }
  return { ok: false, reason: 'CORRUPT_PDF', detail: `startxref ${declared} does not point at a cross-reference section` };
}

/** Parses a classic table from just after `xref`; every in-use entry must point at "N G obj" with its own N. */
function checkXrefTable(data: Buffer, pos: number, base: number): { ok: true; end: number } | { ok: false; reason: 'CORRUPT_PDF'; detail: string } {
  let checked = 0;
  for (;;) {
    pos = skipWs(data, pos);
    const sub = /^(\d+)\s+(\d+)[ \t]*\r?\n?/.exec(data.toString('latin1', pos, Math.min(data.length, pos + 40)));
    if (!sub) return { ok: true, end: pos };
    const first = Number(sub[1]);
    const count = Number(sub[2]);
    pos += sub[0].length;
    for (let i = 0; i < count; i++) {
      pos = skipWs(data, pos);
      const e = /^(\d{10}) (\d{5}) ([nf])/.exec(data.toString('latin1', pos, Math.min(data.length, pos + 18)));
      if (!e) return { ok: false, reason: 'CORRUPT_PDF', detail: `malformed cross-reference entry for object ${first + i}` };
      pos += 18;
      if (e[3] === 'n' && checked++ < MAX_XREF_ENTRIES_CHECKED) {
        const target = Number(e[1]) + base;
        if (target >= data.length || objectHeaderAt(data, target) !== first + i) {
          return { ok: false, reason: 'CORRUPT_PDF', detail: `cross-reference entry for object ${first + i} points at ${e[1]}, where that object is not` };
        }
      }
    }
  }
}

/** Checks one candidate PDF. Never throws: every failure is a reason code. */
export async function checkPdf(data: Buffer): Promise<PdfCheck> {
  if (data.length === 0) return { ok: false, reason: 'EMPTY_FILE', detail: '0 bytes' };
  for (const m of magics) {
    if (m.bytes.every((b, i) => data[i] === b)) return { ok: false, reason: m.reason, detail: `content is a ${m.what}` };
  }
  const headerOffset = data.subarray(0, HEADER_WINDOW).indexOf('%PDF-', 0, 'latin1');
  if (headerOffset < 0 || !/^%PDF-\d\.\d/.test(data.toString('latin1', headerOffset, headerOffset + 8))) {
    return { ok: false, reason: 'NOT_PDF', detail: 'no %PDF-n.n header in the first 1024 bytes' };
  }
  const structure = checkStructure(data, headerOffset);
  if (!structure.ok) return structure;

  let doc: PDFDocument;
  try {
    // ignoreEncryption: we decide on encryption ourselves (pdf-lib only throws when the /Encrypt
    // object resolves); throwOnInvalidObject: a broken object is a broken scan, not a warning.
    doc = await PDFDocument.load(data, { ignoreEncryption: true, throwOnInvalidObject: true, updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  } catch (err) {
    return { ok: false, reason: 'CORRUPT_PDF', detail: `pdf-lib: ${(err as Error).message}`.slice(0, 300) };
  }
  if (doc.isEncrypted || doc.context.trailerInfo.Encrypt !== undefined) return { ok: false, reason: 'ENCRYPTED_PDF', detail: '/Encrypt in the trailer' };
  let pages: number;
  try {
    pages = doc.getPageCount();
  } catch (err) {
    return { ok: false, reason: 'CORRUPT_PDF', detail: `page tree: ${(err as Error).message}`.slice(0, 300) };
  }
  if (pages < 1) return { ok: false, reason: 'NO_PAGES', detail: 'the page tree is empty' };
  return { ok: true, pages };
}
