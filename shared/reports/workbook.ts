import ExcelJS from 'exceljs';
import { Stage, stageTitles } from '../workflow/stages.js';
import { burnDownChartOf, reportUnitName } from './burn-down-chart.js';
import { doneBooksOf, doneRecordsOf, forecastStatusTitles, ratio, remainingRecordsOf } from './forecast.js';
import { qualityFlagTitles } from './quality.js';
import type { DistrictReport, NationalReport, ProvinceReport, ReconciliationMonth, UnitProgress, WeeklyReport } from './report.js';
import { type CorrectionReason, correctionReasonTitles } from '../review/reasons.js';
import { type Figures, type RecordFigures, reconciliationTitles, recordTitles } from './snapshot.js';
import { dmy, reportTimeOf, vnDateOf, weekRangeLabel } from './week.js';

/**
 * The weekly workbooks (Vietnamese), one per report kind. Every sheet is a table with a frozen,
 * filterable header, fixed widths and number formats, so it opens cleanly in Excel and LibreOffice;
 * percentages are stored as fractions with a % format so they stay sortable numbers.
 */

/** Sheet names, shared with tests and the docs. */
export const sheetNames = {
  summary: 'Tổng hợp',
  communes: 'Theo xã',
  districts: 'Theo huyện',
  reportingUnits: 'Theo đơn vị báo cáo',
  provinces: 'Theo tỉnh',
  stalled: 'Sổ chậm tiến độ',
  reconciliation: 'Đối chiếu',
  quality: 'Chất lượng dữ liệu',
  errorRates: 'Tỷ lệ lỗi',
} as const;

const FMT = { int: '#,##0', signed: '+#,##0;-#,##0;0', pct: '0.0%', date: 'dd/mm/yyyy', dec: '#,##0.0' } as const;
type Fmt = keyof typeof FMT;
type Value = string | number | Date | null;

interface Column<T> {
  header: string;
  width: number;
  fmt?: Fmt;
  value: (row: T) => Value;
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };

/** "2024-09-30" → a Date that Excel shows as 30/09/2024 whatever the reader's time zone. */
function excelDate(date: string | null): Date | null {
  return date ? new Date(`${date}T00:00:00Z`) : null;
}

function addTable<T>(
  wb: ExcelJS.Workbook,
  name: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  opts: { caption?: string; total?: T; empty?: string } = {},
) {
  const ws = wb.addWorksheet(name);
  ws.columns = columns.map((c) => ({ width: c.width }));
  let headerRow = 1;
  if (opts.caption) {
    ws.getCell(1, 1).value = opts.caption;
    ws.getCell(1, 1).font = { bold: true };
    headerRow = 2;
  }
  const header = ws.getRow(headerRow);
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    cell.border = { bottom: { style: 'thin' } };
  });
  header.height = 32;
  const write = (r: number, row: T) => {
    columns.forEach((c, i) => {
      const cell = ws.getCell(r, i + 1);
      cell.value = c.value(row);
      if (c.fmt) cell.numFmt = FMT[c.fmt];
    });
  };
  rows.forEach((row, i) => {
    write(headerRow + 1 + i, row);
  });
  if (rows.length === 0 && opts.empty) ws.getCell(headerRow + 1, 1).value = opts.empty;
  if (opts.total) {
    const r = headerRow + 1 + rows.length;
    write(r, opts.total);
    ws.getRow(r).eachCell((cell) => {
      cell.font = { bold: true };
      cell.fill = TOTAL_FILL;
    });
  }
  ws.views = [{ state: 'frozen', xSplit: 0, ySplit: headerRow }];
  ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: columns.length } };
  return ws;
}

const pipeline = ['expected', 'entered', 'scanned', 'reviewed', 'approved', 'reconciled'] as const satisfies readonly (keyof RecordFigures)[];

/** The columns every progress table shares (communes, districts/groups, provinces). */
function progressColumns(report: WeeklyReport, unitLabel: string, parent?: { header: string; name: (code: string | null) => string }): Column<UnitProgress>[] {
  const cols: Column<UnitProgress>[] = [
    { header: 'Hạng', width: 7, fmt: 'int', value: (u) => u.rank },
    { header: `Mã ${unitLabel}`, width: 10, value: (u) => u.unitCode },
    { header: `Tên ${unitLabel}`, width: 24, value: (u) => u.name },
  ];
  if (parent) cols.push({ header: parent.header, width: 22, value: (u) => parent.name(u.parentCode) });
  cols.push({ header: 'Tổng số sổ', width: 10, fmt: 'int', value: (u) => u.figures.books.total });
  for (const s of Stage.options) cols.push({ header: `Sổ: ${stageTitles[s]}`, width: 12, fmt: 'int', value: (u) => u.figures.books.byStage[s] });
  cols.push({ header: 'Sổ chậm tiến độ', width: 10, fmt: 'int', value: (u) => u.figures.books.stalled });
  for (const m of pipeline) cols.push({ header: `Bản ghi: ${recordTitles[m]}`, width: 13, fmt: 'int', value: (u) => u.figures.records[m] });
  cols.push(
    { header: '% hoàn thành theo sổ', width: 12, fmt: 'pct', value: (u) => u.percentBooks },
    { header: '% hoàn thành theo bản ghi', width: 12, fmt: 'pct', value: (u) => u.percentRecords },
  );
  for (const m of pipeline.slice(1))
    cols.push({ header: `Tăng trong tuần: ${recordTitles[m]}`, width: 13, fmt: 'signed', value: (u) => u.delta?.records[m] ?? null });
  cols.push(
    {
      header: 'Tăng trong tuần: Sổ hoàn thành',
      width: 13,
      fmt: 'signed',
      value: (u) => (u.previous ? u.doneBooks - doneBooksOf(u.previous, report.campaign.scope) : null),
    },
    { header: 'Tốc độ (bản ghi/tuần)', width: 12, fmt: 'dec', value: (u) => u.forecast.ratePerWeek },
    { header: 'Dự kiến hoàn thành', width: 13, fmt: 'date', value: (u) => excelDate(u.forecast.date) },
    { header: 'Tình trạng', width: 16, value: (u) => forecastStatusTitles[u.forecast.status] },
  );
  return cols;
}

/** Summary figures of one week, for the "this week / last week" columns. */
function summaryLines(report: WeeklyReport): { label: string; fmt: Fmt; now: number; before: number | null }[] {
  const t = report.totals;
  const scope = report.campaign.scope;
  const at = (f: Figures | null, pick: (f: Figures) => number) => (f ? pick(f) : null);
  const line = (label: string, fmt: Fmt, pick: (f: Figures) => number) => ({ label, fmt, now: pick(t.figures), before: at(t.previous, pick) });
  return [
    line('Tổng số sổ', 'int', (f) => f.books.total),
    line('Sổ hoàn thành', 'int', (f) => doneBooksOf(f, scope)),
    line('Sổ chậm tiến độ', 'int', (f) => f.books.stalled),
    ...pipeline.map((m) => line(`Bản ghi: ${recordTitles[m]}`, 'int', (f) => f.records[m])),
    line('Bản ghi hoàn thành', 'int', (f) => doneRecordsOf(f, scope)),
    line('Bản ghi còn lại', 'int', (f) => remainingRecordsOf(f, scope)),
    line('% hoàn thành theo sổ', 'pct', (f) => ratio(doneBooksOf(f, scope), f.books.total)),
    line('% hoàn thành theo bản ghi', 'pct', (f) => ratio(doneRecordsOf(f, scope), f.records.expected)),
  ];
}

function addSummary(wb: ExcelJS.Workbook, report: WeeklyReport, chartPng: Buffer, scopeLine: string) {
  const ws = wb.addWorksheet(sheetNames.summary);
  ws.columns = [{ width: 34 }, { width: 16 }, { width: 16 }, { width: 14 }];
  const asOf = vnDateOf(reportTimeOf(report.week));
  const c = report.campaign;
  const head = [
    'BÁO CÁO TIẾN ĐỘ SỐ HÓA SỔ HỘ TỊCH',
    `Đơn vị: ${scopeLine}`,
    `Tuần ${report.week} (${weekRangeLabel(report.week)}), số liệu đến 11:00 ngày ${dmy(asOf)}`,
    `${c.name}: mục tiêu ${dmy(c.target)}, hạn chót ${dmy(c.deadline)}; hoàn thành khi sổ đến giai đoạn "${stageTitles[c.scope]}"`,
  ];
  head.forEach((text, i) => {
    ws.getCell(i + 1, 1).value = text;
    ws.getCell(i + 1, 1).font = i === 0 ? { bold: true, size: 14 } : { italic: i === 3 };
  });
  const headerRow = 6;
  ['Chỉ tiêu', 'Tuần này', 'Tuần trước', 'Tăng/giảm'].forEach((h, i) => {
    const cell = ws.getCell(headerRow, i + 1);
    cell.value = h;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
  });
  let r = headerRow + 1;
  for (const l of summaryLines(report)) {
    ws.getCell(r, 1).value = l.label;
    ws.getCell(r, 2).value = l.now;
    ws.getCell(r, 3).value = l.before;
    ws.getCell(r, 4).value = l.before === null ? null : l.now - l.before;
    for (const col of [2, 3]) ws.getCell(r, col).numFmt = FMT[l.fmt];
    ws.getCell(r, 4).numFmt = l.fmt === 'pct' ? '+0.0%;-0.0%;0.0%' : FMT.signed;
    r++;
  }
  r++;
  const f = report.totals.forecast;
  const facts: [string, Value, Fmt | undefined][] = [
    ['Tốc độ bình quân 4 tuần (bản ghi/tuần)', f.ratePerWeek, 'dec'],
    ['Ngày dự kiến hoàn thành', excelDate(f.date), 'date'],
    ['Tình trạng', forecastStatusTitles[f.status], undefined],
    ['Nhận định', f.reason, undefined],
    ['Số cảnh báo chất lượng dữ liệu', report.qualityFlags.length, 'int'],
  ];
  for (const [label, value, fmt] of facts) {
    ws.getCell(r, 1).value = label;
    ws.getCell(r, 1).font = { bold: true };
    ws.getCell(r, 2).value = value;
    if (fmt) ws.getCell(r, 2).numFmt = FMT[fmt];
    r++;
  }
  // The reasoning is a sentence: let it run across the empty columns instead of widening B.
  ws.mergeCells(r - 2, 2, r - 2, 4);
  ws.getCell(r - 2, 2).alignment = { wrapText: true, vertical: 'top' };
  ws.getRow(r - 2).height = 48;
  const image = wb.addImage({ buffer: chartPng as unknown as ExcelJS.Buffer, extension: 'png' });
  ws.addImage(image, { tl: { col: 5, row: 1 }, ext: { width: 720, height: 400 } });
}

function addReconciliation(wb: ExcelJS.Workbook, rec: ReconciliationMonth) {
  type Row = ReconciliationMonth['rows'][number];
  const since = rec.since ? `từ sau ngày ${dmy(rec.since)}` : 'từ đầu';
  const keys = ['matched', 'mismatch', 'notFound', 'resolved'] as const;
  const cols: Column<Row>[] = [
    { header: 'Mã xã', width: 10, value: (x) => x.unitCode },
    { header: 'Tên xã', width: 24, value: (x) => x.name },
    ...keys.map((k): Column<Row> => ({ header: reconciliationTitles[k], width: 14, fmt: 'int', value: (x) => x[k] })),
    // Resolved cases are among the mismatches and not-found ones: not added again.
    { header: 'Tổng đã có kết quả', width: 14, fmt: 'int', value: (x) => x.matched + x.mismatch + x.notFound },
    { header: 'Chờ kết quả (hiện tại)', width: 14, fmt: 'int', value: (x) => x.pending },
  ];
  addTable(wb, sheetNames.reconciliation, cols, rec.rows, {
    caption: `Kết quả đối chiếu với CSDLQGVDC tháng ${rec.month.slice(5)}/${rec.month.slice(0, 4)} (${since})`,
    total: { unitCode: '', name: 'Tổng cộng', ...rec.total },
  });
}

function addQuality(wb: ExcelJS.Workbook, report: WeeklyReport, names: (code: string) => string) {
  type Row = WeeklyReport['qualityFlags'][number];
  const cols: Column<Row>[] = [
    { header: 'Mã đơn vị', width: 10, value: (f) => f.unitCode },
    { header: 'Tên đơn vị', width: 24, value: (f) => names(f.unitCode) },
    { header: 'Mức độ', width: 10, value: (f) => (f.severity === 'error' ? 'Lỗi' : 'Cảnh báo') },
    { header: 'Loại', width: 30, value: (f) => qualityFlagTitles[f.kind] },
    { header: 'Chỉ tiêu', width: 18, value: (f) => f.metric },
    { header: 'Nội dung', width: 80, value: (f) => f.message },
    { header: 'Biến động so với bình quân', width: 14, fmt: 'pct', value: (f) => (f.percent === undefined || f.percent === null ? null : f.percent / 100) },
  ];
  addTable(wb, sheetNames.quality, cols, report.qualityFlags, { empty: 'Không có cảnh báo' });
}

async function finish(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function newWorkbook(report: WeeklyReport): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hệ thống số hóa sổ hộ tịch';
  wb.title = `Báo cáo tiến độ tuần ${report.week} – ${reportUnitName(report)}`;
  wb.created = new Date(report.generatedAt);
  wb.modified = new Date(report.generatedAt);
  return wb;
}

function nameLookup(rows: readonly UnitProgress[], extra: readonly UnitProgress[] = []): (code: string | null) => string {
  const m = new Map([...rows, ...extra].map((u) => [u.unitCode, u.name]));
  return (code) => (code === null ? '' : (m.get(code) ?? code));
}

/** Options shared by the writers: pass the chart when it is already rendered (the email embeds the same PNG). */
export interface WorkbookOptions {
  chartPng?: Buffer;
}

/**
 * The reporting unit's workbook: summary with the burn-down chart, communes ranked, stalled books,
 * month-to-date reconciliation, data-quality flags and reviewer error rates.
 */
export async function writeDistrictWorkbook(report: DistrictReport, options: WorkbookOptions = {}): Promise<Buffer> {
  const wb = newWorkbook(report);
  addSummary(wb, report, options.chartPng ?? burnDownChartOf(report), `${report.unit.name} (${report.unit.provinceName})`);
  addTable(wb, sheetNames.communes, progressColumns(report, 'xã'), report.communes, { total: { ...report.totals, name: 'Tổng cộng', unitCode: '' } });
  addTable(
    wb,
    sheetNames.stalled,
    [
      { header: 'Mã sổ', width: 26, value: (b) => b.bookId },
      { header: 'Mã xã', width: 10, value: (b) => b.unitCode },
      { header: 'Tên xã', width: 22, value: (b) => b.unitName },
      { header: 'Giai đoạn', width: 22, value: (b) => stageTitles[b.stage] },
      { header: 'Không tiến triển từ', width: 14, fmt: 'date', value: (b) => excelDate(vnDateOf(new Date(b.since))) },
      { header: 'Số ngày', width: 9, fmt: 'int', value: (b) => b.days },
      { header: 'Đang do ai giữ', width: 24, value: (b) => b.holder ?? 'Chưa rõ' },
      { header: 'Đã cảnh báo quá hạn', width: 12, value: (b) => (b.flagged ? 'Có' : 'Không') },
    ],
    report.stalledBooks,
    { empty: 'Không có sổ chậm tiến độ' },
  );
  addReconciliation(wb, report.reconciliation);
  addQuality(wb, report, nameLookup(report.communes));
  const reasons = [...new Set(report.errorRates.flatMap((e) => Object.keys(e.byReason)))].sort((a, b) => reasonTitle(a).localeCompare(reasonTitle(b), 'vi'));
  type E = DistrictReport['errorRates'][number];
  addTable(
    wb,
    sheetNames.errorRates,
    [
      { header: 'Mã xã', width: 10, value: (e: E) => e.unitCode },
      { header: 'Tên xã', width: 22, value: (e: E) => e.name },
      { header: 'Bản ghi đã kiểm tra', width: 12, fmt: 'int', value: (e: E) => e.reviewedRecords },
      { header: 'Số lỗi', width: 10, fmt: 'int', value: (e: E) => e.errors },
      { header: 'Tỷ lệ lỗi', width: 10, fmt: 'pct', value: (e: E) => e.rate },
      ...reasons.flatMap((reason): Column<E>[] => [
        { header: `${reasonTitle(reason)} (số lỗi)`, width: 12, fmt: 'int', value: (e) => e.byReason[reason] ?? 0 },
        { header: `${reasonTitle(reason)} (tỷ lệ)`, width: 12, fmt: 'pct', value: (e) => ratio(e.byReason[reason] ?? 0, e.reviewedRecords) },
      ]),
    ],
    report.errorRates,
    { empty: 'Chưa có số liệu kiểm tra của người rà soát' },
  );
  return finish(wb);
}

/** A correction reason's Vietnamese title (the code itself for a reason this version does not know). */
const reasonTitle = (code: string) => correctionReasonTitles[code as CorrectionReason] ?? code;

/** The province's workbook: summary, its districts (or groups) ranked, all its communes ranked, reconciliation, flags. */
export async function writeProvinceWorkbook(report: ProvinceReport, options: WorkbookOptions = {}): Promise<Buffer> {
  const wb = newWorkbook(report);
  addSummary(wb, report, options.chartPng ?? burnDownChartOf(report), report.province.name);
  const allDistricts = report.units.every((u) => u.level === 'district');
  addTable(wb, allDistricts ? sheetNames.districts : sheetNames.reportingUnits, progressColumns(report, allDistricts ? 'huyện' : 'đơn vị'), report.units, {
    total: { ...report.totals, name: 'Tổng cộng', unitCode: '' },
  });
  const names = nameLookup(report.units, report.communes);
  addTable(wb, sheetNames.communes, progressColumns(report, 'xã', { header: allDistricts ? 'Huyện' : 'Đơn vị báo cáo', name: names }), report.communes, {
    total: { ...report.totals, name: 'Tổng cộng', unitCode: '', parentCode: null },
  });
  addReconciliation(wb, report.reconciliation);
  addQuality(wb, report, names);
  return finish(wb);
}

/** The national workbook: summary and the provinces ranked, with flags on provincial totals. */
export async function writeNationalWorkbook(report: NationalReport, options: WorkbookOptions = {}): Promise<Buffer> {
  const wb = newWorkbook(report);
  addSummary(wb, report, options.chartPng ?? burnDownChartOf(report), report.totals.name);
  addTable(wb, sheetNames.provinces, progressColumns(report, 'tỉnh'), report.provinces, { total: { ...report.totals, name: 'Tổng cộng', unitCode: '' } });
  addQuality(wb, report, nameLookup(report.provinces));
  return finish(wb);
}
