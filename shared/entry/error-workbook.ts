/**
 * The workbook sent back when a file is rejected: the uploaded rows at their original row numbers,
 * every cell with an issue filled (red: error, yellow: warning) and carrying a note with the
 * messages, plus a sheet "Lỗi" listing every issue. Written with the streaming writer: the rows are
 * read again from the upload (`readEntryRows`), never held in memory; only the issues are.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { RegisterType } from '../books/register-type.js';
import type { EntryRow } from './reader.js';
import type { Issue } from './rules.js';
import { encodeOoxmlEscapes } from './values.js';
import { DATA_SHEET, exportColumns } from './workbook-writer.js';

export const ERRORS_SHEET = 'Lỗi';

const FILL = {
  error: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } },
  warning: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFEB9C' } },
} as const satisfies Record<Issue['severity'], ExcelJS.Fill>;

export interface ErrorWorkbookOptions {
  registerType: RegisterType;
}

/** Builds the error workbook from the rows (read again) and the validation issues. */
export async function writeErrorWorkbook(rows: AsyncIterable<EntryRow>, issues: readonly Issue[], opts: ErrorWorkbookOptions): Promise<Buffer> {
  const columns = exportColumns(opts.registerType);
  const colIndex = new Map(columns.map((c, i) => [c.name, i + 1]));
  const byRow = new Map<number, Issue[]>();
  const headerIssues: Issue[] = [];
  for (const i of issues) {
    if (i.row === undefined || i.row === 1) {
      // Header-level issues with a template column (missing, duplicated) are shown on the header cell.
      if (i.column !== undefined) headerIssues.push(i);
      continue;
    }
    const list = byRow.get(i.row);
    if (list) list.push(i);
    else byRow.set(i.row, [i]);
  }

  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  ws.columns = columns.map((c) => ({ key: c.name, width: Math.min(40, Math.max(12, c.name.length + 2)) }));

  const header = ws.getRow(1);
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.name;
    cell.font = { bold: true };
  });
  mark(header, headerIssues, colIndex);
  header.commit();

  let last = 1;
  for await (const r of rows) {
    // The writer only moves forward; a source with rows out of order gets the later ones dropped.
    if (r.rowNumber <= last) continue;
    last = r.rowNumber;
    const row = ws.getRow(r.rowNumber);
    columns.forEach((c, i) => {
      const v = r.values[c.name];
      if (v !== null && v !== undefined) row.getCell(i + 1).value = encodeOoxmlEscapes(v);
    });
    const list = byRow.get(r.rowNumber);
    if (list) mark(row, list, colIndex);
    row.commit();
  }
  ws.commit();

  const es = wb.addWorksheet(ERRORS_SHEET, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  es.columns = [{ width: 8 }, { width: 28 }, { width: 30 }, { width: 22 }, { width: 100 }];
  const eh = es.getRow(1);
  eh.values = ['Dòng', 'Cột', 'Giá trị', 'Mã lỗi', 'Mô tả'];
  eh.font = { bold: true };
  eh.commit();
  issues.forEach((i, k) => {
    const row = es.getRow(k + 2);
    row.values = [i.row ?? '', i.column ?? '', encodeOoxmlEscapes(i.value ?? ''), i.ruleId, i.message];
    if (i.severity === 'error') row.getCell(4).fill = FILL.error;
    else row.getCell(4).fill = FILL.warning;
    row.commit();
  });
  es.commit();
  await wb.commit();
  await ended;
  return Buffer.concat(chunks);
}

/** Fills and annotates the cells of `row` named by `issues`; issues without a known column go on column A. */
function mark(row: ExcelJS.Row, issues: readonly Issue[], colIndex: Map<string, number>): void {
  const byCell = new Map<number, Issue[]>();
  for (const i of issues) {
    const c = (i.column !== undefined ? colIndex.get(i.column) : undefined) ?? 1;
    const list = byCell.get(c);
    if (list) list.push(i);
    else byCell.set(c, [i]);
  }
  for (const [c, list] of byCell) {
    const cell = row.getCell(c);
    cell.fill = list.some((i) => i.severity === 'error') ? FILL.error : FILL.warning;
    cell.note = list.map((i) => `${i.ruleId}: ${i.message}`).join('\n');
  }
}
