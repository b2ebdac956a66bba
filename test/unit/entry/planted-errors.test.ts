import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { writeErrorWorkbook } from '../../../shared/entry/error-workbook.js';
import { readEntryRows } from '../../../shared/entry/reader.js';
import { templates } from '../../../shared/entry/templates/index.js';
import { bookFor, type CellValue, cleanBook, excelLikeWorkbook, streamOf, triples, validateBuffer } from './entry-fixtures.js';

const cols = templates.KS.columns.map((c) => c.name);

/**
 * 22 data rows (Excel rows 2–23), numbers 1/2008… One planted error per row, each on its own so
 * nothing else fires; the closing total says 25.
 */
async function plantedBook(): Promise<Buffer> {
  const base = cleanBook('KS', { rows: 22, seed: 3 });
  const rows: CellValue[][] = base.map((r) => cols.map((n) => r[n] ?? null));
  const set = (excelRow: number, col: string, v: CellValue) => {
    rows[excelRow - 2]![cols.indexOf(col)] = v;
  };
  set(2, 'nksHoTen', null); // E-REQUIRED
  set(3, 'quyenSo', '1-2008'); // E-QUYENSO-FORMAT
  set(4, 'quyenSo', '2/2008'); // E-QUYENSO-MISMATCH
  set(5, 'ngayDangKy', '05.01.2009'); // E-SO-YEAR (4/2008 registered in 2009)
  set(6, 'nksNgaySinh', '5 tháng 3 năm 2008'); // E-DATE-FORMAT
  set(7, 'ngayDangKy', '31.02.2008'); // E-DATE-INVALID
  set(8, 'nksNgaySinh', '01.01.2030'); // E-DATE-FUTURE
  set(9, 'meNgaySinh', '1800'); // E-DATE-YEAR
  set(10, 'nksGioiTinh', '4'); // E-CODE
  set(11, 'trangSo', 'mười'); // E-INTEGER
  set(12, 'nksSoDinhDanh', '12345'); // E-ID-FORMAT
  set(13, 'meSoDinhDanhCaNhan', 12345678901); // numeric cell: W-ID-NUMERIC + E-ID-LEADING-ZERO
  set(14, 'ghiChu', 'x'.repeat(2100)); // E-CELL-TOO-LONG
  set(15, 'nksNoiSinh', 'Xã Đồng_x0007_ Quý'); // E-CONTROL-CHAR (Excel's escape of U+0007)
  set(16, 'trangSo', { formula: '7+1', result: 8 }); // W-FORMULA
  set(17, 'NamMoSo', '2007'); // E-NAMMOSO-MISMATCH
  set(18, 'so', '16/2008'); // E-SO-DUPLICATE of row 17
  // row 19 holds 18/2008: 17/2008 is missing → E-SO-GAP
  set(20, 'ngayDangKy', '20/01/2008'); // W-DATE-NORMALISED
  set(21, 'nguoiKy', { formula: 'A1' } as ExcelJS.CellFormulaValue); // E-FORMULA-NO-RESULT
  set(22, 'nksQueQuan', { error: '#N/A' } as ExcelJS.CellErrorValue); // E-CELL-ERROR
  set(23, 'so', 'abc'); // E-SO-FORMAT (last number, so no gap follows)
  // so numbers: row r holds (r-1)/2008, except rows 18+ shift by one to open the gap.
  for (let r = 19; r <= 22; r++) set(r, 'so', `${r - 1}/2008`);
  set(21, 'ngayDangKy', '21.12.2008');
  set(22, 'ngayDangKy', '22.12.2008');
  return excelLikeWorkbook([{ name: 'Sổ KS 2008', rows: [cols, ...rows] }]);
}

const EXPECTED: [string, number | null, string | null][] = [
  ['E-COUNT-MISMATCH', null, null],
  ['E-SO-GAP', null, 'so'],
  ['E-REQUIRED', 2, 'nksHoTen'],
  ['E-QUYENSO-FORMAT', 3, 'quyenSo'],
  ['E-QUYENSO-MISMATCH', 4, 'quyenSo'],
  ['E-SO-YEAR', 5, 'so'],
  ['E-DATE-FORMAT', 6, 'nksNgaySinh'],
  ['E-DATE-INVALID', 7, 'ngayDangKy'],
  ['E-DATE-FUTURE', 8, 'nksNgaySinh'],
  ['E-DATE-YEAR', 9, 'meNgaySinh'],
  ['E-CODE', 10, 'nksGioiTinh'],
  ['E-INTEGER', 11, 'trangSo'],
  ['E-ID-FORMAT', 12, 'nksSoDinhDanh'],
  ['E-ID-LEADING-ZERO', 13, 'meSoDinhDanhCaNhan'],
  ['W-ID-NUMERIC', 13, 'meSoDinhDanhCaNhan'],
  ['E-CELL-TOO-LONG', 14, 'ghiChu'],
  ['E-CONTROL-CHAR', 15, 'nksNoiSinh'],
  ['W-FORMULA', 16, 'trangSo'],
  ['E-NAMMOSO-MISMATCH', 17, 'NamMoSo'],
  ['E-SO-DUPLICATE', 18, 'so'],
  ['W-DATE-NORMALISED', 20, 'ngayDangKy'],
  ['E-FORMULA-NO-RESULT', 21, 'nguoiKy'],
  ['E-CELL-ERROR', 22, 'nksQueQuan'],
  ['E-SO-FORMAT', 23, 'so'],
];

describe('a book with planted errors', () => {
  it('yields exactly the planted issues, with specific Vietnamese messages', async () => {
    const buf = await plantedBook();
    const { issues, summary } = await validateBuffer(buf, bookFor('KS', 25));
    expect(triples(issues)).toEqual(EXPECTED);
    expect(summary).toMatchObject({ rows: 22, errors: 21, warnings: 3, issuesTruncated: false });

    const msg = (id: string) => issues.find((i) => i.ruleId === id)!.message;
    expect(msg('E-COUNT-MISMATCH')).toBe(
      'Số dòng dữ liệu (22) khác tổng số sự kiện ghi khi khóa sổ (25). Nếu có trang hỏng, mất, hãy ghi nhận thành khoảng trống có lý do.',
    );
    expect(msg('E-SO-GAP')).toBe('Năm 2008: thiếu số 17/2008 (giữa dòng 17 và dòng 19).');
    expect(msg('E-REQUIRED')).toBe('Dòng 2, cột nksHoTen (Họ, chữ đệm và tên (người được khai sinh)): không được để trống.');
    expect(msg('E-SO-YEAR')).toBe('Dòng 5, cột so: năm trong số "4/2008" khác năm đăng ký 2009 (cột ngayDangKy).');
    expect(msg('E-DATE-INVALID')).toBe('Dòng 7, cột ngayDangKy: ngày "31.02.2008" không có thật.');
    expect(msg('E-DATE-YEAR')).toBe('Dòng 9, cột meNgaySinh: năm 1800 không hợp lý (phải từ 1850 đến 2025).');
    expect(msg('E-CODE')).toBe('Dòng 10, cột nksGioiTinh: "4" không có trong danh mục Giới tính (1–3).');
    expect(msg('E-ID-LEADING-ZERO')).toContain('đã mất số 0 ở đầu ("12345678901", 11 chữ số');
    expect(msg('E-CELL-TOO-LONG')).toBe('Dòng 14, cột ghiChu: dài 2100 ký tự, vượt giới hạn 2000 ký tự.');
    expect(msg('E-CONTROL-CHAR')).toBe('Dòng 15, cột nksNoiSinh: có ký tự điều khiển không in được (U+0007); hãy xóa và nhập lại ô này.');
    expect(msg('W-FORMULA')).toBe('Dòng 16, cột trangSo: ô chứa công thức (=7+1); đã dùng giá trị đã tính "8". Nên thay công thức bằng giá trị.');
    expect(msg('E-SO-DUPLICATE')).toBe('Dòng 18, cột so: số 16/2008 trùng với dòng 17.');
    expect(msg('W-DATE-NORMALISED')).toBe('Dòng 20, cột ngayDangKy: "20/01/2008" đã được chuyển thành 20.01.2008 (dạng dd.mm.yyyy).');
    expect(msg('E-CELL-ERROR')).toBe('Dòng 22, cột nksQueQuan: ô có lỗi #N/A.');
    for (const i of issues) expect(i.message).not.toMatch(/\{\w+\}/);
  });

  it('the error workbook highlights each offending cell with a note and lists every issue in "Lỗi"', async () => {
    const buf = await plantedBook();
    const { issues } = await validateBuffer(buf, bookFor('KS', 25));
    const out = await writeErrorWorkbook(readEntryRows(streamOf(buf), { registerType: 'KS' }), issues, { registerType: 'KS' });

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(out as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Dữ liệu', 'Lỗi']);
    const data = wb.getWorksheet('Dữ liệu')!;
    const header = (data.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(templates.KS.columns.map((c) => c.name));
    const cell = (row: number, col: string) => data.getRow(row).getCell(cols.indexOf(col) + 1);
    const fillOf = (c: ExcelJS.Cell) => (c.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb;
    const noteOf = (c: ExcelJS.Cell) => (typeof c.note === 'string' ? c.note : (c.note?.texts ?? []).map((t) => t.text).join(''));

    expect(cell(7, 'ngayDangKy').value).toBe('31.02.2008');
    expect(fillOf(cell(7, 'ngayDangKy'))).toBe('FFFFC7CE');
    expect(noteOf(cell(7, 'ngayDangKy'))).toContain('E-DATE-INVALID: Dòng 7, cột ngayDangKy');
    expect(fillOf(cell(16, 'trangSo'))).toBe('FFFFEB9C'); // a warning only
    expect(noteOf(cell(13, 'meSoDinhDanhCaNhan'))).toContain('W-ID-NUMERIC');
    expect(noteOf(cell(13, 'meSoDinhDanhCaNhan'))).toContain('E-ID-LEADING-ZERO');
    expect(fillOf(cell(13, 'meSoDinhDanhCaNhan'))).toBe('FFFFC7CE'); // error wins
    expect(cell(3, 'nksHoTen').fill).toBeUndefined();
    expect(cell(23, 'so').value).toBe('abc');

    const errs = wb.getWorksheet('Lỗi')!;
    expect((errs.getRow(1).values as unknown[]).slice(1)).toEqual(['Dòng', 'Cột', 'Giá trị', 'Mã lỗi', 'Mô tả']);
    expect(errs.rowCount).toBe(issues.length + 1);
    const listed = issues.map((_, k) => (errs.getRow(k + 2).values as unknown[]).slice(1, 5));
    expect(listed[7]).toEqual([7, 'ngayDangKy', '31.02.2008', 'E-DATE-INVALID']);
  });
});
