import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { InvalidWorkbook, type InvalidWorkbookCode } from '../../../shared/entry/errors.js';
import { INSPECT_BYTES, inspectWorkbookFile } from '../../../shared/entry/file-check.js';
import { readEntryRows } from '../../../shared/entry/reader.js';
import { templates } from '../../../shared/entry/templates/index.js';
import { validateEntry } from '../../../shared/entry/validate.js';
import { InvalidInput } from '../../../shared/errors.js';
import {
  bookFor,
  type CellValue,
  cleanBook,
  excelLikeWorkbook,
  NOW,
  oleFile,
  rng,
  sheetRows,
  storedZip,
  streamOf,
  triples,
  validateBuffer,
} from './entry-fixtures.js';

const KS = templates.KS.columns.map((c) => c.name);

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<InvalidWorkbook> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof InvalidWorkbook) return err;
    throw err;
  }
  throw new Error('expected InvalidWorkbook, nothing was thrown');
}

/** Both entry points (the head check on upload, the streaming read) refuse the bytes with `code`. */
async function expectRefused(buf: Buffer, code: InvalidWorkbookCode, opts: { inspect?: boolean } = {}): Promise<InvalidWorkbook> {
  if (opts.inspect !== false) {
    const e = await rejection(() => inspectWorkbookFile(buf.subarray(0, INSPECT_BYTES), buf.length));
    expect(e.code).toBe(code);
  }
  const e = await rejection(validateEntry(readEntryRows(streamOf(buf), { registerType: 'KS' }), bookFor('KS', null)));
  expect(e.code).toBe(code);
  return e;
}

async function cleanKs(rows = 5): Promise<Buffer> {
  return excelLikeWorkbook([{ name: 'Sheet1', rows: sheetRows('KS', cleanBook('KS', { rows })) }]);
}

/** A streamed workbook (exceljs writer) with an extra zip part appended after the data sheet. */
async function withPartAfterSheet(part: string, rows: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true });
  const ws = wb.addWorksheet('Sheet1');
  for (const values of sheetRows('KS', cleanBook('KS', { rows }))) ws.addRow(values).commit();
  ws.commit();
  (wb as unknown as { zip: { append(data: Buffer, o: { name: string }): void } }).zip.append(randomBytes(2048), { name: part });
  await wb.commit();
  return Buffer.concat(chunks);
}

describe('files that are not an entry workbook', () => {
  it('InvalidWorkbook is a 400 InvalidInput carrying a specific code', () => {
    const e = new InvalidWorkbook('LEGACY_XLS');
    expect(e).toBeInstanceOf(InvalidInput);
    expect([e.name, e.status, e.code, e.details]).toEqual(['InvalidWorkbook', 400, 'LEGACY_XLS', { code: 'LEGACY_XLS' }]);
  });

  it('empty file', async () => {
    const e = await expectRefused(Buffer.alloc(0), 'EMPTY_FILE');
    expect(e.message).toMatch(/^Tệp rỗng/);
  });

  it('random bytes', async () => {
    await expectRefused(randomBytes(5000), 'NOT_XLSX');
  });

  it('a CSV renamed .xlsx', async () => {
    const csv = Buffer.from('\uFEFFso,quyenSo,ngayDangKy,nksHoTen\n1/2008,1/2008,05.02.2008,Nguyễn Văn Ánh\n', 'utf8');
    const e = await expectRefused(csv, 'CSV_OR_TEXT');
    expect(e.message).toContain('CSV');
  });

  it('an HTML table saved as .xls by another program', async () => {
    await expectRefused(Buffer.from('<html><body><table><tr><td>so</td></tr></table></body></html>'), 'HTML_OR_XML');
  });

  it('a legacy .xls (OLE compound file)', async () => {
    const e = await expectRefused(oleFile(['Workbook', 'SummaryInformation']), 'LEGACY_XLS');
    expect(e.message).toContain('.xls');
  });

  it('a password-protected workbook (OLE holding EncryptionInfo)', async () => {
    const e = await expectRefused(oleFile(['EncryptionInfo', 'EncryptedPackage', 'DataSpaces']), 'PASSWORD_PROTECTED');
    expect(e.message).toMatch(/tệp có mật khẩu/i);
  });

  it('a macro-enabled workbook (.xlsm): refused from its content types, or from its vbaProject.bin part while streaming', async () => {
    const xlsm = storedZip([
      {
        name: '[Content_Types].xml',
        data: '<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
      },
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      { name: 'xl/vbaProject.bin', data: randomBytes(100) },
    ]);
    await expectRefused(xlsm, 'MACRO_ENABLED');
    // The part after a large sheet: beyond the head, seen by the streaming sniffer.
    const late = await withPartAfterSheet('xl/vbaProject.bin', 3000);
    expect(late.length).toBeGreaterThan(INSPECT_BYTES);
    expect(inspectWorkbookFile(late.subarray(0, INSPECT_BYTES), late.length)).toEqual({ format: 'xlsx' });
    const e = await expectRefused(late, 'MACRO_ENABLED', { inspect: false });
    expect(e.message).toContain('macro');
  });

  it('a corrupted zip: truncated, or damaged in the middle', async () => {
    const good = await cleanKs(400);
    const truncated = good.subarray(0, Math.floor(good.length * 0.6));
    // The whole (truncated) upload given to the head check: no end-of-archive record.
    expect((await rejection(() => inspectWorkbookFile(truncated, truncated.length))).code).toBe('CORRUPT_ZIP');
    await expectRefused(truncated, 'CORRUPT_ZIP', { inspect: false });
    const damaged = Buffer.from(good);
    for (let i = 2000; i < 2400; i++) damaged[i] = 0x55;
    const e = await expectRefused(damaged, 'CORRUPT_ZIP', { inspect: false });
    expect(e.message).toContain('bị hỏng');
  });

  it('no damaged or truncated archive hangs the reader (unzipper reports inflate errors where exceljs is not listening)', async () => {
    const good = await cleanKs(300);
    const r = rng(21);
    for (let k = 0; k < 16; k++) {
      const bad = k % 2 ? good.subarray(0, Math.floor(r() * good.length)) : Buffer.from(good);
      if (k % 2 === 0) {
        const at = Math.floor(r() * good.length);
        for (let i = at; i < Math.min(good.length, at + 30); i++) bad[i] = Math.floor(r() * 256);
      }
      const outcome = await Promise.race([
        validateEntry(readEntryRows(streamOf(bad, 8192), { registerType: 'KS' }), bookFor('KS', null)).then(
          () => 'read',
          (e: unknown) => (e instanceof InvalidWorkbook ? e.code : String(e)),
        ),
        new Promise((resolve) => setTimeout(() => resolve('hang'), 10_000)),
      ]);
      expect(outcome, `case ${k}`).toBe('CORRUPT_ZIP');
    }
  });

  it('other archives: OpenDocument, binary .xlsb, a zip without a workbook', async () => {
    await expectRefused(storedZip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet' }]), 'ODS');
    await expectRefused(storedZip([{ name: 'xl/workbook.bin', data: randomBytes(64) }]), 'XLSB');
    await expectRefused(storedZip([{ name: 'word/document.xml', data: '<w:document/>' }]), 'NOT_XLSX', { inspect: false });
  });

  it('a failing input stream surfaces its own error, not a workbook error', async () => {
    const good = await cleanKs(400);
    async function* broken() {
      yield good.subarray(0, INSPECT_BYTES + 10);
      throw new Error('socket hang up');
    }
    await expect(validateEntry(readEntryRows(broken(), { registerType: 'KS' }), bookFor('KS', null))).rejects.toThrow('socket hang up');
  });

  it('a file over the size limit', async () => {
    const e = await rejection(() => inspectWorkbookFile(Buffer.from('PK\x03\x04'), 60 * 1024 * 1024, { maxBytes: 50 * 1024 * 1024 }));
    expect(e.code).toBe('FILE_TOO_LARGE');
    expect(e.message).toContain('60.0 MB');
  });
});

describe('workbooks whose structure is wrong', () => {
  it('header only', async () => {
    const buf = await excelLikeWorkbook([{ name: 'Sổ', rows: [KS] }]);
    const { issues } = await validateBuffer(buf, bookFor('KS', 10));
    expect(triples(issues)).toEqual([['E-NO-DATA', null, null]]);
    expect(issues[0]!.message).toBe('Trang tính "Sổ" chỉ có dòng tiêu đề, không có dòng dữ liệu nào.');
  });

  it('no data at all; a title above the header', async () => {
    const empty = await excelLikeWorkbook([{ name: 'Sheet1', rows: [] }]);
    expect(triples((await validateBuffer(empty, bookFor('KS', 10))).issues)).toEqual([['E-EMPTY-WORKBOOK', null, null]]);
    const titled = await excelLikeWorkbook([
      { name: 'Sheet1', rows: [['SỔ ĐĂNG KÝ KHAI SINH NĂM 2008'], KS, ...sheetRows('KS', cleanBook('KS', { rows: 2 })).slice(1)] },
    ]);
    const { issues } = await validateBuffer(titled, bookFor('KS', 2));
    expect(triples(issues)).toEqual([['E-HEADER-NOT-FOUND', null, null]]);
    expect(issues[0]!.message).toContain('"SỔ ĐĂNG KÝ KHAI SINH NĂM 2008"');
  });

  it('a marriage (KH) file uploaded for a birth (KS) book: one error naming the expected type', async () => {
    const buf = await excelLikeWorkbook([{ name: 'Sheet1', rows: sheetRows('KH', cleanBook('KH', { rows: 20 })) }]);
    const { issues, summary } = await validateBuffer(buf, bookFor('KS', 20));
    expect(triples(issues)).toEqual([['E-WRONG-TYPE', null, null]]);
    expect(issues[0]!.message).toBe('Tệp có các cột của sổ Kết hôn (KH), nhưng sổ này là sổ Khai sinh (KS). Hãy dùng mẫu KS.');
    expect(summary.rows).toBe(20);
  });

  it('missing, extra, duplicated and unnamed columns', async () => {
    const recs = cleanBook('KS', { rows: 3 });
    const header = KS.filter((n) => n !== 'nksGioiTinh').concat(['ghiChuThem', 'so']);
    const rows: CellValue[][] = [header, ...recs.map((r) => [...header.map((n) => r[n] ?? null), null])];
    rows[2]![header.length] = 'lạc cột';
    const buf = await excelLikeWorkbook([{ name: 'Sheet1', rows }]);
    const { issues } = await validateBuffer(buf, bookFor('KS', 3));
    expect(triples(issues)).toEqual([
      ['E-MISSING-COLUMN', null, 'nksGioiTinh'],
      ['E-EXTRA-COLUMN', 1, null],
      ['E-DUPLICATE-COLUMN', 1, 'so'],
      ['E-UNNAMED-COLUMN', 3, null],
    ]);
    expect(issues.map((i) => i.message)).toEqual([
      'Thiếu cột nksGioiTinh (Giới tính (người được khai sinh)) ở dòng tiêu đề.',
      'Cột BT có tiêu đề "ghiChuThem" không thuộc mẫu KS; hãy xóa cột hoặc sửa tiêu đề.',
      'Cột so xuất hiện hai lần (cột BU và cột B).',
      'Cột BV không có tiêu đề nhưng có dữ liệu (từ dòng 3).',
    ]);
  });

  it('merged cells are found (the streaming reader skips them; the sheet XML is tapped)', async () => {
    const rows = sheetRows('KS', cleanBook('KS', { rows: 4 }));
    const buf = await excelLikeWorkbook([{ name: 'Sheet1', rows, merges: ['M3:M4', 'BR2:BS2'] }]);
    const { issues } = await validateBuffer(buf, bookFor('KS', 4));
    expect(triples(issues.filter((i) => i.ruleId === 'E-MERGED-CELL'))).toEqual([
      ['E-MERGED-CELL', 2, 'qgNuocNgoaiDaDangKy'],
      ['E-MERGED-CELL', 3, 'nksHoTen'],
    ]);
    expect(issues.find((i) => i.column === 'nksHoTen')!.message).toBe('Dòng 3, cột nksHoTen: ô bị gộp (M3:M4). Không gộp ô; hãy ghi đủ giá trị vào từng dòng.');
    // The merge empties the lower cell: the required name is reported too.
    expect(triples(issues)).toContainEqual(['E-REQUIRED', 4, 'nksHoTen']);
  });

  it('formula cells: the cached result is used, with a warning', async () => {
    const rows = sheetRows('KS', cleanBook('KS', { rows: 2 }));
    rows[1]![KS.indexOf('STT')] = { formula: 'ROW()-1', result: 1 };
    rows[2]![KS.indexOf('nksHoTen')] = { formula: 'UPPER("Lê Thị Hồng")', result: 'LÊ THỊ HỒNG' };
    const buf = await excelLikeWorkbook([{ name: 'Sheet1', rows }]);
    const { rows: read } = await (async () => {
      const out = [];
      for await (const r of readEntryRows(streamOf(buf), { registerType: 'KS' })) out.push(r);
      return { rows: out };
    })();
    expect(read[1]!.values.nksHoTen).toBe('LÊ THỊ HỒNG');
    const { issues, summary } = await validateBuffer(buf, bookFor('KS', 2));
    expect(triples(issues)).toEqual([
      ['W-FORMULA', 2, 'STT'],
      ['W-FORMULA', 3, 'nksHoTen'],
    ]);
    expect(summary.errors).toBe(0);
  });

  it('hidden sheets: a hidden data sheet is an error, a hidden lookup sheet is ignored, a second data sheet is an error', async () => {
    const data = sheetRows('KS', cleanBook('KS', { rows: 3 }));
    const lookup: CellValue[][] = [
      ['Giới tính', 'Ý nghĩa'],
      [1, 'Nam'],
    ];
    const buf = await excelLikeWorkbook([
      { name: 'Sổ', rows: data },
      { name: 'Bản cũ', state: 'hidden', rows: data },
      { name: 'Tra cứu', state: 'veryHidden', rows: lookup },
    ]);
    const { issues } = await validateBuffer(buf, bookFor('KS', 3));
    expect(triples(issues)).toEqual([['E-HIDDEN-DATA-SHEET', null, null]]);
    expect(issues[0]!.message).toContain('Trang tính ẩn "Bản cũ" có dữ liệu theo mẫu');

    const onlyHidden = await excelLikeWorkbook([
      { name: 'Trống', rows: [] },
      { name: 'Sổ', state: 'hidden', rows: data },
    ]);
    expect(triples((await validateBuffer(onlyHidden, bookFor('KS', 3))).issues)).toEqual([
      ['E-EMPTY-WORKBOOK', null, null],
      ['E-HIDDEN-DATA-SHEET', null, null],
    ]);

    const twoVisible = await excelLikeWorkbook([
      { name: 'Sổ', rows: data },
      { name: 'Sổ (2)', rows: data },
    ]);
    const two = await validateBuffer(twoVisible, bookFor('KS', 3));
    expect(triples(two.issues)).toEqual([['E-EXTRA-DATA-SHEET', null, null]]);
    expect(two.issues[0]!.message).toBe('Ngoài trang "Sổ", tệp còn trang tính "Sổ (2)" có dữ liệu theo mẫu. Mỗi tệp chỉ được có một trang dữ liệu.');
  });

  it('more rows than the limit: one error, and reading stops there', async () => {
    const buf = await cleanKs(50);
    const source = readEntryRows(streamOf(buf), { registerType: 'KS' });
    const { issues, summary } = await validateEntry(source, bookFor('KS', 50), { maxRows: 10, now: NOW });
    expect(triples(issues)).toEqual([['E-TOO-MANY-ROWS', 12, null]]);
    expect(issues[0]!.message).toBe('Tệp có hơn 10 dòng dữ liệu; đã dừng đọc ở dòng 12. Hãy kiểm tra các dòng thừa hoặc tách tệp.');
    expect(summary.rows).toBe(10);
  });

  it('a cell longer than the limit, control characters, 31.02.2008', async () => {
    const rows = sheetRows('KS', cleanBook('KS', { rows: 3 }));
    rows[1]![KS.indexOf('noiDangKy')] = 'Ủy ban nhân dân xã '.repeat(10);
    rows[2]![KS.indexOf('meHoTen')] = 'Trần Thị\u0001 Lan_x001B_';
    rows[3]![KS.indexOf('nycNgayCapGiayToTuyThan')] = '31.02.2008';
    const buf = await excelLikeWorkbook([{ name: 'Sheet1', rows }]);
    const { issues } = await validateBuffer(buf, bookFor('KS', 3), { maxCellLength: 100 });
    expect(triples(issues)).toEqual([
      ['E-CELL-TOO-LONG', 2, 'noiDangKy'],
      ['E-CONTROL-CHAR', 3, 'meHoTen'],
      ['E-DATE-INVALID', 4, 'nycNgayCapGiayToTuyThan'],
    ]);
    expect(issues[0]!.message).toBe('Dòng 2, cột noiDangKy: dài 189 ký tự, vượt giới hạn 100 ký tự.');
    expect(issues[1]!.message).toContain('(U+001B)');
    const rowsRead = [];
    for await (const r of readEntryRows(streamOf(buf), { registerType: 'KS' })) rowsRead.push(r);
    expect(rowsRead[1]!.values.meHoTen).toBe('Trần Thị Lan');
  });

  it('header quirks are tolerated: trailing spaces, code hints, case, line breaks, NFD', async () => {
    const recs = cleanBook('KS', { rows: 3 });
    const header = KS.map((n) => {
      if (n === 'loaiDangKy') return 'loaiDangKy i=[1,2,3,4,5,6]';
      if (n === 'so') return 'so  ';
      if (n === 'STT') return 'stt';
      if (n === 'nksHoTen') return 'nksHoTen\n(Họ, chữ đệm và tên)'.normalize('NFD');
      if (n === 'meHoTen') return 'MEHOTEN';
      if (n === 'quyenSo') return 'quyenSo*';
      return n;
    });
    const buf = await excelLikeWorkbook([{ name: 'Sheet1', rows: [header, ...sheetRows('KS', recs).slice(1)] }]);
    const { issues } = await validateBuffer(buf, bookFor('KS', 3));
    expect(issues).toEqual([]);
  });

  it('an ID number typed as a number: a warning when the length is right, an error when zeros were lost', async () => {
    const rows = sheetRows('KS', cleanBook('KS', { rows: 2 }));
    rows[1]![KS.indexOf('nksSoDinhDanh')] = 123456789012;
    rows[2]![KS.indexOf('nksSoDinhDanh')] = 1234567890;
    const buf = await excelLikeWorkbook([{ name: 'Sheet1', rows }]);
    const { issues } = await validateBuffer(buf, bookFor('KS', 2));
    expect(triples(issues)).toEqual([
      ['W-ID-NUMERIC', 2, 'nksSoDinhDanh'],
      ['E-ID-LEADING-ZERO', 3, 'nksSoDinhDanh'],
      ['W-ID-NUMERIC', 3, 'nksSoDinhDanh'],
    ]);
  });

  it('a source is read once, and a caller that stops early does not hang', async () => {
    const buf = await cleanKs(200);
    const source = readEntryRows(Readable.from([buf]), { registerType: 'KS' });
    for await (const _ of source) break;
    expect(() => source[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});

describe('hostile text in cells', () => {
  it('free text that starts like a formula is E-FORMULA-TEXT; remarks written as a list are not', async () => {
    const rows = sheetRows('KS', cleanBook('KS', { rows: 5 }));
    rows[1]![KS.indexOf('nksHoTen')] = '=HYPERLINK("http://evil.example","Bấm")';
    rows[2]![KS.indexOf('noiDangKy')] = "=cmd|' /C calc'!A0";
    rows[3]![KS.indexOf('nguoiKy')] = '-2+3+cmd|\' /C calc\'!A0';
    rows[4]![KS.indexOf('ghiChu')] = '- Đã cải chính (theo QĐ số 12/QĐ-UBND)';
    rows[5]![KS.indexOf('ghiChu')] = '+ Bổ sung: xem trang 4';
    const { issues } = await validateBuffer(await excelLikeWorkbook([{ name: 'Sheet1', rows }]), bookFor('KS', 5));
    expect(triples(issues)).toEqual([
      ['E-FORMULA-TEXT', 2, 'nksHoTen'],
      ['E-FORMULA-TEXT', 3, 'noiDangKy'],
      ['E-FORMULA-TEXT', 4, 'nguoiKy'],
    ]);
    expect(issues[1]!.message).toMatch(/^Dòng 3, cột noiDangKy: "=cmd\|' \/C calc'!A0" bắt đầu như một công thức Excel/);
  });

  it('bidirectional controls in a name are E-CONTROL-CHAR and removed from the value', async () => {
    const rows = sheetRows('KS', cleanBook('KS', { rows: 3 }));
    rows[1]![KS.indexOf('nksHoTen')] = 'Nguyễn \u202Ena Vnăv';
    const { issues } = await validateBuffer(await excelLikeWorkbook([{ name: 'Sheet1', rows }]), bookFor('KS', 3));
    expect(triples(issues)).toEqual([['E-CONTROL-CHAR', 2, 'nksHoTen']]);
    expect(issues[0]!.message).toContain('U+202E');
  });
});
