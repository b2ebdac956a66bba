import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { demoUnits } from '../../../shared/demo/demo-units.js';
import { buildDistrictReport, buildNationalReport, buildProvinceReport } from '../../../shared/reports/rollup.js';
import type { StalledBook } from '../../../shared/reports/snapshot.js';
import { sheetNames, writeDistrictWorkbook, writeNationalWorkbook, writeProvinceWorkbook } from '../../../shared/reports/workbook.js';
import { stageTitles } from '../../../shared/workflow/stages.js';
import { campaign2024, steadySeries } from './fixtures.js';

const weeks = ['2024-W33', '2024-W34', '2024-W35', '2024-W36'];
const snapshots = [
  ...steadySeries('90101', weeks, { expected: 1000, start: 200, perWeek: 50, books: 10 }),
  ...steadySeries('90102', weeks, { expected: 1200, start: 300, perWeek: 80, books: 12 }),
  ...steadySeries('90103', weeks, { expected: 800, start: 700, perWeek: 30, books: 8 }),
  ...steadySeries('90201', weeks, { expected: 500, start: 0, perWeek: 10 }),
];
const w36 = snapshots.find((s) => s.week === '2024-W36' && s.unitCode === '90102')!;
w36.quality = { reviewedRecords: 500, errors: 25, byReason: { 'sai ngày': 20, 'thiếu tên': 5 } };
w36.reconciliation = { matched: 40, mismatch: 4, notFound: 2, resolved: 1, pending: 6 };
// A non-monotone pipeline in one commune, so the quality sheet has something to show.
snapshots.find((s) => s.week === '2024-W36' && s.unitCode === '90103')!.records.scanned = 900;

const stalled: StalledBook[] = [
  {
    bookId: '90101-KS-01.2010-2010',
    unitCode: '90101',
    stage: 'scan',
    since: '2024-08-01T03:00:00.000Z',
    days: 36,
    flagged: true,
    holder: 'Công ty Scan Việt',
  },
  { bookId: '90103-KT-02.2015-2015', unitCode: '90103', stage: 'review', since: '2024-08-20T03:00:00.000Z', days: 17, flagged: false },
];
const input = { week: '2024-W36', units: demoUnits, campaign: campaign2024, snapshots, generatedAt: '2024-09-06T04:05:00.000Z' };

async function open(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  return wb;
}

/** The rows of a table sheet as objects keyed by header text. */
function table(ws: ExcelJS.Worksheet, headerRow = 1): Record<string, unknown>[] {
  const headers: string[] = [];
  ws.getRow(headerRow).eachCell((cell, col) => {
    headers[col] = String(cell.value);
  });
  const rows: Record<string, unknown>[] = [];
  for (let r = headerRow + 1; r <= ws.rowCount; r++) {
    const row: Record<string, unknown> = {};
    headers.forEach((h, col) => {
      if (h) row[h] = ws.getCell(r, col).value;
    });
    rows.push(row);
  }
  return rows;
}

/** Summary sheet: label in column A → [this week, last week, change]. */
function summary(ws: ExcelJS.Worksheet): Map<string, unknown[]> {
  const m = new Map<string, unknown[]>();
  ws.eachRow((row) => {
    const label = row.getCell(1).value;
    if (typeof label === 'string') m.set(label, [row.getCell(2).value, row.getCell(3).value, row.getCell(4).value]);
  });
  return m;
}

describe('district workbook', async () => {
  const report = buildDistrictReport({ ...input, unitCode: '901', stalledBooks: stalled });
  const wb = await open(await writeDistrictWorkbook(report));

  it('has the six sheets in order', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      sheetNames.summary,
      sheetNames.communes,
      sheetNames.stalled,
      sheetNames.reconciliation,
      sheetNames.quality,
      sheetNames.errorRates,
    ]);
  });

  it('"Tổng hợp" carries the totals, this week against last, the forecast and the chart image', () => {
    const ws = wb.getWorksheet(sheetNames.summary)!;
    const s = summary(ws);
    const t = report.totals;
    expect(s.get('Tổng số sổ')?.[0]).toBe(t.figures.books.total);
    expect(s.get('Bản ghi: Đã nhập')?.[0]).toBe(t.figures.records.entered);
    expect(s.get('Bản ghi: Đã đối chiếu')).toEqual([t.figures.records.reconciled, t.previous!.records.reconciled, t.delta!.records.reconciled]);
    expect(s.get('Bản ghi hoàn thành')?.[0]).toBe(t.doneRecords);
    expect(s.get('% hoàn thành theo bản ghi')?.[0]).toBeCloseTo(t.percentRecords, 12);
    expect(s.get('% hoàn thành theo sổ')?.[0]).toBeCloseTo(t.percentBooks, 12);
    expect(s.get('Ngày dự kiến hoàn thành')?.[0]).toEqual(new Date(`${t.forecast.date}T00:00:00Z`));
    expect(s.get('Tình trạng')?.[0]).toBe('Có nguy cơ chậm');
    expect(s.get('Số cảnh báo chất lượng dữ liệu')?.[0]).toBe(report.qualityFlags.length);
    expect(String(ws.getCell(2, 1).value)).toContain('Huyện Bình Minh');
    expect(ws.getImages()).toHaveLength(1);
    expect(wb.model.media?.[0]).toMatchObject({ extension: 'png' });
  });

  it('"Theo xã" has one row per commune with its figures and rank, plus a total row', () => {
    const ws = wb.getWorksheet(sheetNames.communes)!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const rows = table(ws);
    expect(rows).toHaveLength(report.communes.length + 1);
    for (const c of report.communes) {
      const row = rows.find((r) => r['Mã xã'] === c.unitCode)!;
      expect(row.Hạng).toBe(c.rank);
      expect(row['Tên xã']).toBe(c.name);
      expect(row['Tổng số sổ']).toBe(c.figures.books.total);
      expect(row[`Sổ: ${stageTitles.completed}`]).toBe(c.figures.books.byStage.completed);
      expect(row['Bản ghi: Đã scan']).toBe(c.figures.records.scanned);
      expect(row['Bản ghi: Đã đối chiếu']).toBe(c.figures.records.reconciled);
      expect(row['Tăng trong tuần: Đã đối chiếu']).toBe(c.delta?.records.reconciled);
      expect(row['% hoàn thành theo bản ghi']).toBeCloseTo(c.percentRecords, 12);
    }
    const total = rows.at(-1)!;
    expect(total['Tên xã']).toBe('Tổng cộng');
    expect(total['Bản ghi: Đã nhập']).toBe(report.totals.figures.records.entered);
    const pctCol = (ws.getRow(1).values as unknown[]).indexOf('% hoàn thành theo bản ghi');
    expect(ws.getCell(2, pctCol).numFmt).toBe('0.0%');
  });

  it('"Sổ chậm tiến độ", "Đối chiếu", "Chất lượng dữ liệu" and "Tỷ lệ lỗi" match the report', () => {
    const stalledRows = table(wb.getWorksheet(sheetNames.stalled)!);
    expect(stalledRows.map((r) => [r['Mã sổ'], r['Số ngày'], r['Đang do ai giữ'], r['Giai đoạn']])).toEqual([
      ['90101-KS-01.2010-2010', 36, 'Công ty Scan Việt', stageTitles.scan],
      ['90103-KT-02.2015-2015', 17, 'Chưa rõ', stageTitles.review],
    ]);
    const rec = wb.getWorksheet(sheetNames.reconciliation)!;
    expect(String(rec.getCell(1, 1).value)).toContain('tháng 09/2024');
    const recRows = table(rec, 2);
    expect(recRows.find((r) => r['Mã xã'] === '90102')).toMatchObject({ Khớp: 40, 'Sai lệch': 4, 'Chờ kết quả (hiện tại)': 6 });
    expect(recRows.at(-1)).toMatchObject({ 'Tên xã': 'Tổng cộng', Khớp: report.reconciliation.total.matched });

    const flags = table(wb.getWorksheet(sheetNames.quality)!);
    expect(report.qualityFlags.length).toBeGreaterThan(0);
    expect(flags.map((f) => [f['Mã đơn vị'], f['Chỉ tiêu'], f['Nội dung']])).toEqual(report.qualityFlags.map((f) => [f.unitCode, f.metric, f.message]));
    expect(flags).toContainEqual(
      expect.objectContaining({ 'Mã đơn vị': '90103', 'Chỉ tiêu': 'records.scanned', Loại: 'Số liệu các bước không hợp lý', 'Mức độ': 'Lỗi' }),
    );

    const rates = table(wb.getWorksheet(sheetNames.errorRates)!);
    expect(rates).toEqual([
      {
        'Mã xã': '90102',
        'Tên xã': 'Xã Bình Thạnh',
        'Bản ghi đã kiểm tra': 500,
        'Số lỗi': 25,
        'Tỷ lệ lỗi': 0.05,
        'sai ngày (số lỗi)': 20,
        'sai ngày (tỷ lệ)': 0.04,
        'thiếu tên (số lỗi)': 5,
        'thiếu tên (tỷ lệ)': 0.01,
      },
    ]);
  });
});

describe('province and national workbooks', async () => {
  it('the province workbook ranks its districts and its communes', async () => {
    const report = buildProvinceReport({ ...input, provinceCode: '90' });
    const wb = await open(await writeProvinceWorkbook(report));
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      sheetNames.summary,
      sheetNames.districts,
      sheetNames.communes,
      sheetNames.reconciliation,
      sheetNames.quality,
    ]);
    const districts = table(wb.getWorksheet(sheetNames.districts)!);
    expect(districts.slice(0, -1).map((r) => [r['Mã huyện'], r.Hạng, r['Bản ghi: Đã đối chiếu']])).toEqual(
      report.units.map((u) => [u.unitCode, u.rank, u.figures.records.reconciled]),
    );
    const communes = table(wb.getWorksheet(sheetNames.communes)!);
    expect(communes.slice(0, -1).map((r) => [r['Mã xã'], r.Hạng, r.Huyện])).toEqual(
      report.communes.map((c) => [c.unitCode, c.rank, c.parentCode === '901' ? 'Huyện Bình Minh' : 'Huyện Phú Lộc']),
    );
    expect(summary(wb.getWorksheet(sheetNames.summary)!).get('Tổng số sổ')?.[0]).toBe(report.totals.figures.books.total);
  });

  it('the national workbook ranks provinces', async () => {
    const report = buildNationalReport(input);
    const wb = await open(await writeNationalWorkbook(report));
    const provinces = table(wb.getWorksheet(sheetNames.provinces)!);
    expect(provinces[0]).toMatchObject({ 'Mã tỉnh': '90', 'Tên tỉnh': 'Tỉnh An Hòa', Hạng: 1, 'Tổng số sổ': report.totals.figures.books.total });
    expect(provinces.at(-1)?.['Tên tỉnh']).toBe('Tổng cộng');
  });
});
