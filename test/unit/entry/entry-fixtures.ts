/**
 * Test data for the Entry stage, generated in memory: clean books with Vietnamese names, ID numbers
 * with leading zeros, year-only dates of birth and codes; workbooks built the way Excel writes them
 * (in-memory exceljs, shared strings); a tiny stored-zip writer for archives exceljs cannot make.
 */
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { RegisterType } from '../../../shared/books/register-type.js';
import type { ColumnDef } from '../../../shared/entry/columns.js';
import type { LegacyMapping } from '../../../shared/entry/legacy/mapping.js';
import { type EntryRow, type ReadOptions, readEntryRows } from '../../../shared/entry/reader.js';
import { templates } from '../../../shared/entry/templates/index.js';
import { type EntryBook, type EntryLimits, validateEntry } from '../../../shared/entry/validate.js';
import { rng } from '../../support/random.js';

export { rng };

export type Rec = Record<string, string | null>;
export type CellValue = string | number | boolean | Date | null | ExcelJS.CellValue;

/** "Today" for every test: dates after this are in the future. */
export const NOW = new Date('2025-06-01T00:00:00Z');


const ho = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Hà Nguyễn'];
const dem = ['Văn', 'Thị', 'Hữu', 'Đức', 'Ngọc', 'Minh', 'Thành', 'Quốc', 'Thị Thu', 'Xuân'];
const ten = [
  'Ánh',
  'Bảo',
  'Cường',
  'Dũng',
  'Đạt',
  'Hằng',
  'Hương',
  'Khánh',
  'Lộc',
  'Mỹ',
  'Nguyệt',
  'Phúc',
  'Quỳnh',
  'Sơn',
  'Thủy',
  'Uyên',
  'Việt',
  'Yến',
  "H'Hen",
];
const xa = ['Thượng Ấm', 'Đồng Quý', 'Hợp Thành', 'Kháng Nhật', 'Phúc Ứng', 'Sơn Nam', 'Tú Thịnh', 'Đông Lợi'];
const tinh = ['Tuyên Quang', 'Hà Giang', 'Đắk Lắk', 'Quảng Trị', 'Thừa Thiên Huế', 'Bà Rịa - Vũng Tàu'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export interface CleanBookOptions {
  rows: number;
  year?: number;
  quyenSo?: string;
  seed?: number;
}

/**
 * A clean book: every row passes every rule. Registration numbers 1..n of `year`, dates increasing
 * within the year, a value in (nearly) every column, text already canonical (NFC, single spaces).
 */
export function cleanBook(type: RegisterType, o: CleanBookOptions): Rec[] {
  const year = o.year ?? 2008;
  const r = rng(o.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
  const name = () => `${pick(ho)} ${pick(dem)} ${pick(ten)}`;
  const place = () => `Xã ${pick(xa)}, huyện Sơn Dương, tỉnh ${pick(tinh)}`;
  const pastDate = (from: number, to: number) =>
    `${pad(1 + Math.floor(r() * 28))}.${pad(1 + Math.floor(r() * 12))}.${from + Math.floor(r() * (to - from + 1))}`;
  const cols = templates[type].columns;
  const out: Rec[] = [];
  for (let i = 0; i < o.rows; i++) {
    const day = 1 + Math.floor((i * 360) / o.rows);
    const regDate = new Date(Date.UTC(year, 0, day));
    const rec: Rec = {};
    // Identity documents first: the number's format depends on the type.
    const docTypes = new Map<string, string>();
    for (const c of cols) {
      if (c.name.endsWith('LoaiGiayToTuyThan')) docTypes.set(c.name, pick(['1', '2', '4', '4', '4', '8']));
    }
    for (const c of cols) rec[c.name] = valueFor(c);
    rec.so = `${i + 1}/${year}`;
    rec.quyenSo = o.quyenSo ?? `01/${year}`;
    rec.trangSo = String(1 + Math.floor(i / 3));
    rec.ngayDangKy = `${pad(regDate.getUTCDate())}.${pad(regDate.getUTCMonth() + 1)}.${year}`;
    if ('STT' in rec) rec.STT = String(i + 1);
    rec.TenFile = `${i + 1}-${year}.pdf`;
    rec.NamMoSo = String(year);
    out.push(rec);

    function valueFor(c: ColumnDef): string | null {
      if (!c.required && r() < 0.2) return null;
      if (c.codes) {
        if (docTypes.has(c.name)) return docTypes.get(c.name)!;
        return pick(c.codes.entries).code;
      }
      switch (c.type) {
        case 'idNumber': {
          const t = c.docTypeColumn ? docTypes.get(c.docTypeColumn) : undefined;
          if (c.idKind === 'personalId' || t === '4') return `0${digits(11)}`;
          if (t === '1') return `0${digits(8)}`;
          if (t === '2') return `B${digits(7)}`;
          return `00${digits(8)}`;
        }
        case 'date':
          return pastDate(1960, year - 1);
        case 'dateOrYear':
          // Old books often give only the year.
          return r() < 0.4 ? String(1930 + Math.floor(r() * (year - 1930))) : pastDate(1930, year - 1);
        case 'integer':
          return String(1 + Math.floor(r() * 300));
        case 'soDangKy':
          return `${1 + Math.floor(r() * 99)}/${year - 1}`;
        default:
          if (/HoTen|nguoiKy|nguoiThucHien/.test(c.name)) return name();
          if (/Noi|Que|DVHC|CoQuan|cqNuoc/.test(c.name)) return place();
          if (/QuocTich|qgNuoc/.test(c.name)) return 'Việt Nam';
          if (c.name === 'ghiChu') return r() < 0.5 ? 'Đã ly hôn theo Bản án số 12/2015/HNGĐ-ST\nCải chính họ tên ngày 05.03.2016' : 'Không';
          if (c.name === 'GioPhutChet' || c.name.endsWith('GioPhutChet')) return `${pad(Math.floor(r() * 24))} giờ ${pad(Math.floor(r() * 60))} phút`;
          return `${c.label.split(' (')[0]} ${digits(3)}`;
      }
    }
  }
  return out;
}

export interface SheetSpec {
  name: string;
  state?: 'visible' | 'hidden' | 'veryHidden';
  rows: CellValue[][];
  /** Ranges to merge, e.g. "C5:C6". */
  merges?: string[];
  /** Number formats by "row:col" (1-based), e.g. a date cell. */
  numFmts?: Record<string, string>;
}

/** A workbook as Excel writes it (in-memory exceljs: shared strings, all parts). */
export async function excelLikeWorkbook(sheets: SheetSpec[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, { state: s.state ?? 'visible' });
    s.rows.forEach((values, i) => {
      const row = ws.getRow(i + 1);
      values.forEach((v, j) => {
        if (v !== null && v !== undefined) row.getCell(j + 1).value = v as ExcelJS.CellValue;
      });
    });
    for (const [at, fmt] of Object.entries(s.numFmts ?? {})) {
      const [r, c] = at.split(':').map(Number);
      ws.getRow(r!).getCell(c!).numFmt = fmt;
    }
    for (const m of s.merges ?? []) ws.mergeCells(m);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Header + records as a sheet's rows, in the template's column order (or `columns`). */
export function sheetRows(type: RegisterType, records: Rec[], columns?: string[]): CellValue[][] {
  const names = columns ?? templates[type].columns.map((c) => c.name);
  return [names, ...records.map((rec) => names.map((n) => rec[n] ?? null))];
}

/** Values as `readEntryRows` yields them: every template column, null when empty. */
export function expectedValues(type: RegisterType, rec: Rec): Rec {
  return Object.fromEntries(templates[type].columns.map((c) => [c.name, rec[c.name] ?? null]));
}

export function bookFor(type: RegisterType, closingTotal: number | null, over: Partial<EntryBook> = {}): EntryBook {
  return { registerType: type, quyenSo: '1/2008', yearOpened: 2008, closingTotal, ...over };
}

/** A stream of the buffer in small chunks, as S3 delivers it (exercises every chunk seam). */
export function streamOf(buf: Buffer, chunk = 16 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  return Readable.from(parts);
}

export async function readAll(buf: Buffer, opts: ReadOptions): Promise<{ rows: EntryRow[]; source: ReturnType<typeof readEntryRows> }> {
  const source = readEntryRows(streamOf(buf), opts);
  const rows: EntryRow[] = [];
  for await (const r of source) rows.push(r);
  return { rows, source };
}

export async function validateBuffer(buf: Buffer, book: EntryBook, limits: Partial<EntryLimits> = {}, mapping?: LegacyMapping) {
  return validateEntry(readEntryRows(streamOf(buf), { registerType: book.registerType, ...(mapping ? { mapping } : {}) }), book, { now: NOW, ...limits });
}

/** (ruleId, row, column) triples, for exact comparisons. */
export const triples = (issues: readonly { ruleId: string; row?: number; column?: string }[]) =>
  issues.map((i) => [i.ruleId, i.row ?? null, i.column ?? null] as const);

/** A zip with stored (uncompressed) entries: for archives exceljs will not write (xlsm parts, .ods, .xlsb). */
export function storedZip(entries: { name: string; data: string | Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * An OLE compound file header followed by a directory sector holding the given stream names
 * (UTF-16LE, 128-byte entries): enough to look like a legacy .xls ("Workbook") or an encrypted
 * OOXML package ("EncryptionInfo", "EncryptedPackage").
 */
export function oleFile(streamNames: string[]): Buffer {
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x003e, 24); // minor version
  header.writeUInt16LE(0x0003, 26); // major version 3
  header.writeUInt16LE(0xfffe, 28); // little endian
  header.writeUInt16LE(9, 30); // 512-byte sectors
  header.writeUInt32LE(0, 48); // directory starts at sector 0
  const dir = Buffer.alloc(512);
  ['Root Entry', ...streamNames].slice(0, 4).forEach((n, i) => {
    const name = Buffer.from(`${n}\0`, 'utf16le');
    name.copy(dir, i * 128);
    dir.writeUInt16LE(name.length, i * 128 + 64);
    dir[i * 128 + 66] = i === 0 ? 5 : 2;
  });
  return Buffer.concat([header, dir, Buffer.alloc(1024, 0x11)]);
}

/**
 * A minimal .xlsx written by hand (stored entries, no styles, no shared strings): one sheet whose
 * XML is given, for markup exceljs never writes (namespace prefixes, cells without `r`…).
 */
export function handWrittenXlsx(sheetXml: string, sheetName = 'Sổ'): Buffer {
  const ns = 'http://schemas.openxmlformats.org';
  return storedZip([
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    },
    {
      name: '_rels/.rels',
      data: `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="${sheetName}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    },
    { name: 'xl/worksheets/sheet1.xml', data: sheetXml },
  ]);
}
