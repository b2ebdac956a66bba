import { describe, expect, it } from 'vitest';
import { demoUnits } from '../../../shared/demo/demo-units.js';
import { NotFound } from '../../../shared/errors.js';
import { DistrictReport, NationalReport, ProvinceReport } from '../../../shared/reports/report.js';
import { type ReportingConfig, reportingUnitsOf } from '../../../shared/reports/reporting-structure.js';
import { buildDistrictReport, buildNationalReport, buildProvinceReport } from '../../../shared/reports/rollup.js';
import type { CommuneSnapshot, StalledBook } from '../../../shared/reports/snapshot.js';
import type { Unit } from '../../../shared/units/unit.js';
import { Stage } from '../../../shared/workflow/stages.js';
import { campaign2024, snapshot, steadySeries } from './fixtures.js';

const preWeeks = ['2024-W31', '2024-W32', '2024-W33', '2024-W34', '2024-W35', '2024-W36'];

/** Pre-2025 district 901: 90103 is finished, 90102 ties 90101 on records but has more books done. */
function preSnapshots(): CommuneSnapshot[] {
  const s = [
    ...steadySeries('90101', preWeeks, { expected: 1000, start: 200, perWeek: 50, books: 10 }),
    ...steadySeries('90102', preWeeks, { expected: 1000, start: 200, perWeek: 50, books: 20 }),
    ...steadySeries('90103', preWeeks, { expected: 2000, start: 1500, perWeek: 100, books: 10 }),
    ...steadySeries('90201', preWeeks, { expected: 500, start: 0, perWeek: 10 }),
  ];
  const at = (week: string, unit: string) => s.find((x) => x.week === week && x.unitCode === unit)!;
  at('2024-W35', '90101').reconciliation = { matched: 100, mismatch: 10, notFound: 5, resolved: 2, pending: 20 };
  at('2024-W36', '90101').reconciliation = { matched: 130, mismatch: 12, notFound: 6, resolved: 5, pending: 8 };
  at('2024-W36', '90102').quality = { reviewedRecords: 400, errors: 20, byReason: { 'sai ngày': 15, 'thiếu tên': 5 } };
  return s;
}

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
  { bookId: '90201-KS-01.2011-2011', unitCode: '90201', stage: 'entry', since: '2024-08-10T03:00:00.000Z', days: 27, flagged: false },
];

const generatedAt = '2024-09-06T04:05:00.000Z';

describe('pre-2025 structure: commune → district', () => {
  const report = buildDistrictReport({
    week: '2024-W36',
    unitCode: '901',
    units: demoUnits,
    campaign: campaign2024,
    snapshots: preSnapshots(),
    stalledBooks: stalled,
    generatedAt,
  });

  it('is a valid DistrictReport for Huyện Bình Minh with its three communes', () => {
    expect(DistrictReport.parse(report)).toEqual(report);
    expect(report.unit).toMatchObject({ code: '901', name: 'Huyện Bình Minh', kind: 'district', provinceName: 'Tỉnh An Hòa' });
    expect(report.communes.map((c) => c.unitCode).sort()).toEqual(['90101', '90102', '90103']);
    expect(report.asOf).toBe('2024-09-06T04:00:00.000Z');
  });

  it('district totals are the sums of its communes (cumulative and weekly), and sub-totals add up', () => {
    const sum = (pick: (c: (typeof report.communes)[number]) => number) => report.communes.reduce((n, c) => n + pick(c), 0);
    expect(report.totals.figures.records.expected).toBe(4000);
    expect(report.totals.figures.records.reconciled).toBe(sum((c) => c.figures.records.reconciled));
    expect(report.totals.figures.records.reconciled).toBe(450 + 450 + 2000);
    expect(report.totals.figures.books.total).toBe(40);
    expect(Stage.options.reduce((n, s) => n + report.totals.figures.books.byStage[s], 0)).toBe(report.totals.figures.books.total);
    expect(report.totals.delta?.records.reconciled).toBe(sum((c) => c.delta?.records.reconciled ?? 0));
    expect(report.qualityFlags).toEqual([]);
  });

  it('week-over-week deltas are against the previous snapshot', () => {
    const c = report.communes.find((x) => x.unitCode === '90101')!;
    expect(c.previous?.records.reconciled).toBe(400);
    expect(c.figures.records.reconciled).toBe(450);
    expect(c.delta?.records.reconciled).toBe(50);
    expect(c.delta?.reconciliation.matched).toBe(30);
    expect(report.totals.delta?.records.reconciled).toBe(200);
  });

  it('ranks communes by % of records, ties broken by % of books', () => {
    expect(report.communes.map((c) => [c.unitCode, c.rank, c.percentRecords, c.percentBooks])).toEqual([
      ['90103', 1, 1, 1],
      ['90102', 2, 0.45, 0.45],
      ['90101', 3, 0.45, 0.4],
    ]);
  });

  it('forecasts from the 4-week rate: 1,100 left at 200/week → 39 days → 15/10/2024, at risk', () => {
    expect(report.totals.weeklyDone).toEqual([200, 200, 200, 200]);
    expect(report.totals.forecast).toMatchObject({ remaining: 1100, ratePerWeek: 200, date: '2024-10-15', status: 'atRisk' });
    expect(report.communes.find((c) => c.unitCode === '90103')?.forecast.status).toBe('onTrack');
  });

  it('the burn-down has one point per week, dated on the report Friday', () => {
    expect(report.burnDown).toHaveLength(6);
    expect(report.burnDown[0]).toEqual({ date: '2024-08-02', remaining: 4000 - (200 + 200 + 1500) });
    expect(report.burnDown.at(-1)).toEqual({ date: '2024-09-06', remaining: 1100 });
  });

  it('keeps only its own stalled books; reconciliation is month to date; error rates where reviewers reported', () => {
    expect(report.stalledBooks.map((b) => [b.bookId, b.unitName])).toEqual([['90101-KS-01.2010-2010', 'Xã Bình An']]);
    expect(report.reconciliation.month).toBe('2024-09');
    expect(report.reconciliation.since).toBe('2024-08-30');
    expect(report.reconciliation.rows.find((r) => r.unitCode === '90101')).toMatchObject({ matched: 30, mismatch: 2, notFound: 1, resolved: 3, pending: 8 });
    expect(report.reconciliation.total.matched).toBe(30);
    expect(report.errorRates).toEqual([
      { unitCode: '90102', name: 'Xã Bình Thạnh', reviewedRecords: 400, errors: 20, rate: 0.05, byReason: { 'sai ngày': 15, 'thiếu tên': 5 } },
    ]);
  });

  it('a planted spike in one commune shows up as a flag of that commune', () => {
    const snaps = preSnapshots();
    const last = snaps.find((s) => s.week === '2024-W36' && s.unitCode === '90101')!;
    last.records.reconciled += 400; // +450 this week against a mean of 50
    last.records.approved += 400;
    last.records.reviewed += 400;
    const r = buildDistrictReport({ week: '2024-W36', unitCode: '901', units: demoUnits, campaign: campaign2024, snapshots: snaps, generatedAt });
    const flags = r.qualityFlags.filter((f) => f.metric === 'records.reconciled');
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ unitCode: '90101', kind: 'unusualChange', percent: 800 });
  });

  it('an unknown reporting unit is NotFound', () => {
    expect(() => buildDistrictReport({ week: '2024-W36', unitCode: '999', units: demoUnits, campaign: campaign2024, snapshots: [], generatedAt })).toThrow(
      NotFound,
    );
  });

  it('the province report ranks its districts and all its communes', () => {
    const p = buildProvinceReport({ week: '2024-W36', provinceCode: '90', units: demoUnits, campaign: campaign2024, snapshots: preSnapshots(), generatedAt });
    expect(ProvinceReport.parse(p)).toEqual(p);
    expect(p.units.map((u) => [u.unitCode, u.level, u.rank])).toEqual([
      ['901', 'district', 1],
      ['902', 'district', 2],
    ]);
    expect(p.communes).toHaveLength(6);
    expect(p.communes[0]).toMatchObject({ unitCode: '90103', rank: 1, parentCode: '901' });
    expect(p.totals.figures.records.expected).toBe(4000 + 500);
  });
});

const postConfig: ReportingConfig = {
  provinces: { '90': { level: 'province', groups: [{ code: '90-BM', name: 'Cụm Bình Minh – Tân Phú', communes: ['90701', '90702'] }] } },
};

/** Old communes until the cut (W25, W26), merged communes after it (W27, W28). */
function acrossTheCut(): CommuneSnapshot[] {
  const old = (week: string, unit: string, done: number) =>
    snapshot(week, unit, {
      byStage: { entry: 5, completed: 5 },
      records: { expected: 1000, entered: 1000, scanned: 1000, reviewed: done, approved: done, reconciled: done },
    });
  const merged = (week: string, unit: string, done: number) =>
    snapshot(week, unit, {
      byStage: { entry: 10, completed: 10 },
      records: { expected: 2000, entered: 2000, scanned: 2000, reviewed: done, approved: done, reconciled: done },
    });
  return [
    ...['2025-W25', '2025-W26'].flatMap((w, i) => ['90101', '90102', '90103', '90201', '90202', '90203'].map((c) => old(w, c, 100 + i * 10))),
    merged('2025-W27', '90701', 240),
    merged('2025-W27', '90702', 240),
    merged('2025-W27', '90703', 240),
    merged('2025-W28', '90701', 300),
    merged('2025-W28', '90702', 260),
    merged('2025-W28', '90703', 250),
  ];
}

describe('post-2025 structure: no districts, a province with sub-groups', () => {
  it('communes report to the configured group, and ungrouped ones to the province office', () => {
    const units = reportingUnitsOf(demoUnits, postConfig, '2025-W28');
    expect(units).toEqual([
      { code: '90-BM', name: 'Cụm Bình Minh – Tân Phú', kind: 'group', provinceCode: '90', communes: ['90701', '90702'] },
      { code: '90', name: 'Tỉnh An Hòa', kind: 'province', provinceCode: '90', communes: ['90703'] },
    ]);
  });

  it('without configuration: districts before the cut, the province after it', () => {
    expect(reportingUnitsOf(demoUnits, { provinces: {} }, '2025-W26').map((u) => [u.code, u.kind, u.communes.length])).toEqual([
      ['901', 'district', 3],
      ['902', 'district', 3],
    ]);
    expect(reportingUnitsOf(demoUnits, { provinces: {} }, '2025-W28').map((u) => [u.code, u.kind, u.communes])).toEqual([
      ['90', 'province', ['90701', '90702', '90703']],
    ]);
  });

  it('the group report sums its two merged communes and ranks them', () => {
    const r = buildDistrictReport({
      week: '2025-W28',
      unitCode: '90-BM',
      units: demoUnits,
      config: postConfig,
      campaign: campaign2024,
      snapshots: acrossTheCut(),
      generatedAt,
    });
    expect(r.unit).toMatchObject({ code: '90-BM', kind: 'group', provinceCode: '90' });
    expect(r.communes.map((c) => [c.unitCode, c.rank])).toEqual([
      ['90701', 1],
      ['90702', 2],
    ]);
    expect(r.totals.figures.records.reconciled).toBe(560);
    expect(r.totals.delta?.records.reconciled).toBe(560 - 480);
  });

  it('the first week after the merger compares with the sum of the predecessor communes', () => {
    const r = buildDistrictReport({
      week: '2025-W27',
      unitCode: '90-BM',
      units: demoUnits,
      config: postConfig,
      campaign: campaign2024,
      snapshots: acrossTheCut(),
      generatedAt,
    });
    const binhMinh = r.communes.find((c) => c.unitCode === '90701')!;
    // 90701 = 90101 + 90102, each at 110 reconciled in W26.
    expect(binhMinh.previous?.records.reconciled).toBe(220);
    expect(binhMinh.delta?.records.reconciled).toBe(20);
    expect(binhMinh.weeklyDone).toEqual([20, 20]);
  });

  it('the province report ranks the group and the province office, and all communes province-wide', () => {
    const p = buildProvinceReport({
      week: '2025-W28',
      provinceCode: '90',
      units: demoUnits,
      config: postConfig,
      campaign: campaign2024,
      snapshots: acrossTheCut(),
      generatedAt,
    });
    expect(p.units.map((u) => [u.unitCode, u.level, u.rank])).toEqual([
      ['90-BM', 'group', 1],
      ['90', 'province', 2],
    ]);
    expect(p.communes.map((c) => [c.unitCode, c.parentCode, c.rank])).toEqual([
      ['90701', '90-BM', 1],
      ['90702', '90-BM', 2],
      ['90703', '90', 3],
    ]);
    expect(p.totals.figures.records.reconciled).toBe(810);
    expect(p.totals.previous?.records.reconciled).toBe(720);
  });
});

describe('national rollup', () => {
  const units: Unit[] = [
    ...demoUnits,
    { code: '91', name: 'Tỉnh Bắc Sơn', level: 'province', parent: 'VN', validFrom: '2000-01-01', validTo: null, successor: null },
    { code: '911', name: 'Huyện Đông Hà', level: 'district', parent: '91', validFrom: '2000-01-01', validTo: '2025-06-30', successor: null },
    { code: '91101', name: 'Xã Đông An', level: 'commune', parent: '911', validFrom: '2000-01-01', validTo: '2025-06-30', successor: null },
  ];
  it('ranks provinces and sums them', () => {
    const snaps = [...preSnapshots(), ...steadySeries('91101', preWeeks, { expected: 1000, start: 600, perWeek: 50 })];
    const n = buildNationalReport({ week: '2024-W36', units, campaign: campaign2024, snapshots: snaps, generatedAt });
    expect(NationalReport.parse(n)).toEqual(n);
    // 91: 850 / 1,000 = 85 %; 90: (450 + 450 + 2,000 + 50) / 4,500 ≈ 65.6 %.
    expect(n.provinces.map((p) => [p.unitCode, p.rank])).toEqual([
      ['91', 1],
      ['90', 2],
    ]);
    expect(n.totals.figures.records.expected).toBe(5500);
    expect(n.totals.unitCode).toBe('VN');
  });
});
