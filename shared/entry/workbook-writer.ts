/**
 * Writing entry workbooks in the Ministry template: the empty template a commune fills in, and the
 * export of entered records (which `readEntryRows` reads back to identical values).
 *
 * Layout: sheet "Dữ liệu" — row 1 holds the Ministry column names exactly (so the file loads in the
 * Ministry tool unchanged) with the Vietnamese label as a cell note; data starts at row 2 (labels are
 * notes, not a second header row, because the Ministry tool reads data from row 2). Header frozen;
 * id, number and date columns formatted as text ("@") so Excel keeps leading zeros and does not turn
 * "1/2008" or "05.03.2008" into dates; a dropdown on every code column, fed from the hidden sheet
 * "DanhMuc" (a list typed inline is limited to 255 characters: the 54 ethnic groups do not fit).
 * Sheet "Hướng dẫn" explains the rules and the code lists in Vietnamese.
 */
import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { RegisterType } from '../books/register-type.js';
import { registerTypeTitles } from '../books/register-type.js';
import type { CodeList, ColumnDef } from './columns.js';
import { columnLetter } from './header-key.js';
import { templates } from './templates/index.js';
import { defaultLimits } from './validate.js';
import { encodeOoxmlEscapes } from './values.js';

export const DATA_SHEET = 'Dữ liệu';
export const GUIDE_SHEET = 'Hướng dẫn';
export const CODES_SHEET = 'DanhMuc';
/**
 * Dropdowns cover the rows a book may have (the validation row limit) or the rows written, whichever
 * is more. Not whole columns: exceljs's in-memory reader expands a validation range cell by cell, and
 * a whole column (1,048,576 cells per list) would stall anything that loads the file with it.
 */
export const TEMPLATE_ROWS = defaultLimits.maxRows + 1;

export interface WriteOptions {
  /** Include the contractor columns TenFile and NamMoSo (default true). */
  technicalColumns?: boolean;
}

/** Columns written for a type. */
export function exportColumns(type: RegisterType, opts: WriteOptions = {}): ColumnDef[] {
  return templates[type].columns.filter((c) => opts.technicalColumns !== false || !c.technical);
}

/** The empty template of a register type, as an .xlsx buffer. */
export async function generateTemplate(type: RegisterType, opts: WriteOptions = {}): Promise<Buffer> {
  return writeEntryWorkbook(type, emptyRecords(), opts);
}

async function* emptyRecords(): AsyncGenerator<Record<string, string | null>> {}

/** Records (values by Ministry column name) in the Ministry template, as an .xlsx buffer. */
export async function writeEntryWorkbook(
  type: RegisterType,
  records: AsyncIterable<Record<string, string | null>> | Iterable<Record<string, string | null>>,
  opts: WriteOptions = {},
): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  await writeEntryWorkbookTo(out, type, records, opts);
  await ended;
  return Buffer.concat(chunks);
}

/**
 * Streams the workbook to `stream` (an S3 upload body, a file): rows are written as they come, so
 * a book of any size is exported in flat memory. Values are written as text, except digit-only
 * integer and code values (numbers, as the Ministry tool and the dropdowns expect).
 */
export async function writeEntryWorkbookTo(
  stream: Writable,
  type: RegisterType,
  records: AsyncIterable<Record<string, string | null>> | Iterable<Record<string, string | null>>,
  opts: WriteOptions = {},
): Promise<void> {
  const columns = exportColumns(type, opts);
  // Inline strings: no shared-string table to hold in memory while writing.
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  wb.creator = 'Số hóa hộ tịch';

  const ws = wb.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  ws.columns = columns.map((c) => ({ key: c.name, width: columnWidth(c), style: isTextFormatted(c) ? { numFmt: '@' } : {} }));
  const header = ws.getRow(1);
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.name;
    cell.font = { bold: true };
    cell.note = { texts: [{ text: noteText(c) }] };
  });
  header.commit();

  let r = 2;
  for await (const rec of records) {
    const row = ws.getRow(r++);
    columns.forEach((c, i) => {
      const v = rec[c.name];
      if (v === null || v === undefined || v === '') return;
      row.getCell(i + 1).value = cellValue(c, v);
    });
    row.commit();
  }
  addDropdowns(ws, columns, Math.max(r - 1, TEMPLATE_ROWS));
  ws.commit();

  writeGuide(wb, type, columns);
  writeCodeLists(wb, columns);
  await wb.commit();
}

/** A list validation on every code column, fed from the DanhMuc sheet. Written at the sheet's commit, so it can follow the rows. */
function addDropdowns(ws: ExcelJS.Worksheet, columns: readonly ColumnDef[], lastRow: number): void {
  const listRanges = codeListRanges(columns);
  // The streaming sheet has data validations; exceljs's typings only declare them on the in-memory sheet.
  const validations = (ws as unknown as { dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void } }).dataValidations;
  columns.forEach((c, i) => {
    if (!c.codes) return;
    const letter = columnLetter(i + 1);
    validations.add(`${letter}2:${letter}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [listRanges.get(c.codes.id)!],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: 'Giá trị không có trong danh mục',
      error: `Chọn một giá trị của danh mục "${c.codes.title}" (xem trang ${GUIDE_SHEET}).`,
    });
  });
}

/** Columns Excel must leave as typed: leading zeros, "1/2008" and "05.03.2008" must not become numbers or dates. */
function isTextFormatted(c: ColumnDef): boolean {
  return c.type === 'idNumber' || c.type === 'soDangKy' || c.type === 'date' || c.type === 'dateOrYear';
}

/** Digit-only integers and numeric codes without leading zeros are numbers; everything else text (so it reads back identical). */
function cellValue(c: ColumnDef, v: string): string | number {
  if ((c.type === 'integer' || c.type === 'code') && /^(0|[1-9]\d{0,14})$/.test(v)) return Number(v);
  return encodeOoxmlEscapes(v);
}

function columnWidth(c: ColumnDef): number {
  if (c.type === 'date' || c.type === 'dateOrYear') return 12;
  if (c.type === 'code') return c.codes!.id === 'DanToc' ? 12 : 8;
  if (c.type === 'idNumber') return 15;
  if (c.type === 'integer' || c.type === 'soDangKy') return 10;
  return Math.min(40, Math.max(14, c.name.length + 2));
}

function typeText(c: ColumnDef): string {
  switch (c.type) {
    case 'date':
      return 'Ngày, dạng dd.mm.yyyy';
    case 'dateOrYear':
      return 'Ngày dd.mm.yyyy, hoặc chỉ năm yyyy';
    case 'soDangKy':
      return 'Dạng n/yyyy';
    case 'integer':
      return 'Số nguyên';
    case 'code':
      return 'Mã trong danh mục';
    case 'idNumber':
      return c.idKind === 'personalId' ? '12 chữ số (văn bản)' : 'Văn bản (giữ số 0 ở đầu)';
    default:
      return 'Văn bản';
  }
}

function noteText(c: ColumnDef): string {
  const parts = [c.label, typeText(c)];
  if (c.required) parts.push('Bắt buộc.');
  if (c.codes && c.codes.entries.length <= 8) parts.push(c.codes.entries.map((e) => `${e.code} = ${e.label}`).join('; '));
  return parts.join('\n');
}

/** The code lists the columns use, each once, in order of first use. */
function usedLists(columns: readonly ColumnDef[]): CodeList[] {
  const seen = new Map<string, CodeList>();
  for (const c of columns) if (c.codes && !seen.has(c.codes.id)) seen.set(c.codes.id, c.codes);
  return [...seen.values()];
}

/** DanhMuc layout: two columns per list (code, meaning), list title in row 1, values from row 2. */
function codeListRanges(columns: readonly ColumnDef[]): Map<string, string> {
  const ranges = new Map<string, string>();
  usedLists(columns).forEach((l, i) => {
    const letter = columnLetter(2 * i + 1);
    ranges.set(l.id, `${CODES_SHEET}!$${letter}$2:$${letter}$${l.entries.length + 1}`);
  });
  return ranges;
}

function writeCodeLists(wb: ExcelJS.stream.xlsx.WorkbookWriter, columns: readonly ColumnDef[]): void {
  const lists = usedLists(columns);
  // Hidden: the reader ignores hidden sheets whose row 1 is not a template header, so titles here are not column names.
  const ws = wb.addWorksheet(CODES_SHEET, { state: 'hidden' });
  const title = ws.getRow(1);
  lists.forEach((l, i) => {
    title.getCell(2 * i + 1).value = l.title;
    title.getCell(2 * i + 2).value = 'Ý nghĩa';
  });
  title.commit();
  const longest = Math.max(0, ...lists.map((l) => l.entries.length));
  for (let r = 0; r < longest; r++) {
    const row = ws.getRow(r + 2);
    lists.forEach((l, i) => {
      const e = l.entries[r];
      if (!e) return;
      row.getCell(2 * i + 1).value = /^(0|[1-9]\d*)$/.test(e.code) ? Number(e.code) : e.code;
      row.getCell(2 * i + 2).value = e.label;
    });
    row.commit();
  }
  ws.commit();
}

function writeGuide(wb: ExcelJS.stream.xlsx.WorkbookWriter, type: RegisterType, columns: readonly ColumnDef[]): void {
  const ws = wb.addWorksheet(GUIDE_SHEET);
  ws.columns = [{ width: 8 }, { width: 34 }, { width: 60 }, { width: 30 }, { width: 10 }, { width: 30 }];
  let r = 1;
  const line = (values: (string | number)[], bold = false) => {
    const row = ws.getRow(r++);
    row.values = values;
    if (bold) row.font = { bold: true };
    row.commit();
  };
  line([`HƯỚNG DẪN NHẬP LIỆU — SỔ ĐĂNG KÝ ${registerTypeTitles[type].toUpperCase()} (${type})`], true);
  line([]);
  line(['Quy tắc chung'], true);
  const rules = [
    `Nhập dữ liệu vào trang "${DATA_SHEET}". Mỗi dòng là một sự kiện hộ tịch, theo thứ tự trong sổ.`,
    'Dòng 1 là tên cột theo mẫu của Bộ Tư pháp: không sửa, không xóa, không thêm, không đổi thứ tự cột. Dữ liệu bắt đầu từ dòng 2. Di chuột vào ô tiêu đề để xem ý nghĩa cột.',
    'Ngày ghi dạng dd.mm.yyyy (ví dụ 05.03.2008). Ngày sinh, ngày chết có thể chỉ ghi năm (yyyy) nếu sổ chỉ ghi năm. Không ghi ngày ở tương lai.',
    'Số đăng ký (so) và quyển số (quyenSo) ghi dạng n/yyyy (ví dụ 15/2008). Năm trong số đăng ký phải trùng với năm của ngày đăng ký; quyển số phải đúng quyển số của sổ.',
    'Trong một năm, số đăng ký không được trùng, không được bỏ sót số. Số dòng dữ liệu phải bằng tổng số sự kiện ghi khi khóa sổ.',
    'Số định danh cá nhân gồm 12 chữ số; số CMND 9 hoặc 12 chữ số; số CCCD 12 chữ số. Các cột này đã định dạng Văn bản để giữ số 0 ở đầu: không đổi định dạng.',
    'Các cột mã chọn trong danh sách thả xuống; ý nghĩa các mã ở bảng dưới đây.',
    'Không gộp ô, không dùng công thức, không ẩn trang tính có dữ liệu, không đặt mật khẩu, không lưu thành .xls hoặc .xlsm. Dòng trống được bỏ qua.',
    'Trang sổ bị hỏng, mất, không đọc được: không để dòng trống; báo cáo thành khoảng trống có lý do.',
  ];
  for (const t of rules) line(['•', t]);
  line([]);
  line(['Các cột'], true);
  line(['Cột', 'Tên cột (mẫu Bộ Tư pháp)', 'Ý nghĩa', 'Kiểu dữ liệu', 'Bắt buộc', 'Danh mục'], true);
  columns.forEach((c, i) => {
    line([columnLetter(i + 1), c.name, c.label, typeText(c), c.required ? 'Có' : '', c.codes?.title ?? '']);
  });
  for (const l of usedLists(columns)) {
    line([]);
    line([`Danh mục: ${l.title}`], true);
    line(['Mã', 'Ý nghĩa'], true);
    for (const e of l.entries) line([e.code, e.label]);
  }
  ws.commit();
}
