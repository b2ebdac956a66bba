import { describe, expect, it } from 'vitest';
import { demoUnits } from '../../../shared/demo/demo-units.js';
import { planProvinces, rollupRecipients, sliceOf } from '../../../shared/reports/report-plan.js';
import type { ReportingConfig } from '../../../shared/reports/reporting-structure.js';
import { buildDistrictReport, buildNationalReport, buildProvinceReport, provinceSeriesOf } from '../../../shared/reports/rollup.js';
import type { CommuneSnapshot, StalledBook } from '../../../shared/reports/snapshot.js';
import type { Unit } from '../../../shared/units/unit.js';
import { campaign2024, steadySeries } from './fixtures.js';

/**
 * Reports built from a plan's slices must equal reports built from every unit: the plan exists only
 * to keep report-time reads proportional to books + units.
 */

const always = { validFrom: '2000-01-01', validTo: null, successor: null };
const units: Unit[] = [
  ...demoUnits,
  { code: '91', name: 'Tỉnh Bắc Sơn', level: 'province', parent: 'VN', ...always },
  { code: '911', name: 'Huyện Đông Hà', level: 'district', parent: '91', validFrom: '2000-01-01', validTo: '2025-06-30', successor: null },
  { code: '91101', name: 'Xã Đông An', level: 'commune', parent: '911', validFrom: '2000-01-01', validTo: '2025-06-30', successor: '91701' },
  { code: '91102', name: 'Xã Đông Bình', level: 'commune', parent: '911', validFrom: '2000-01-01', validTo: '2025-06-30', successor: '91701' },
  { code: '91701', name: 'Xã Đông Hà', level: 'commune', parent: '91', validFrom: '2025-07-01', validTo: null, successor: null },
];
const config: ReportingConfig = {
  provinces: { '90': { level: 'province', groups: [{ code: '90-BM', name: 'Cụm Bình Minh – Tân Phú', communes: ['90701', '90702'] }] } },
};
const preWeeks = ['2025-W21', '2025-W22', '2025-W23', '2025-W24', '2025-W25', '2025-W26'];
const postWeeks = ['2025-W27', '2025-W28', '2025-W29'];
const old = ['90101', '90102', '90103', '90201', '90202', '90203', '91101', '91102'];
const merged = ['90701', '90702', '90703', '91701'];
const snapshots: CommuneSnapshot[] = [
  ...old.flatMap((c, i) => steadySeries(c, preWeeks, { expected: 1000 + 100 * i, start: 100 * i, perWeek: 20 + i })),
  ...merged.flatMap((c, i) => steadySeries(c, postWeeks, { expected: 3000, start: 500 + 200 * i, perWeek: 40 - i })),
];
const stalled: StalledBook[] = [
  { bookId: '90101-KS-01.2010-2010', unitCode: '90101', stage: 'scan', since: '2025-06-01T03:00:00.000Z', days: 50, flagged: true },
  { bookId: '90703-KS-01.2011-2011', unitCode: '90703', stage: 'entry', since: '2025-07-01T03:00:00.000Z', days: 20, flagged: false },
];
const base = { campaign: campaign2024, snapshots, generatedAt: '2025-07-18T04:05:00.000Z', config };

describe.each(['2025-W26', '2025-W29'])('week %s', (week) => {
  const plans = planProvinces(units, config, week, { '901': ['a@x.vn'], '90-BM': ['b@x.vn'], '90': ['c@x.vn'] });

  it('plans every reporting unit once, with its recipients', () => {
    expect(plans.map((p) => p.provinceCode)).toEqual(['90', '91']);
    const codes = plans.flatMap((p) => p.reportingUnits.map((r) => r.code));
    expect(new Set(codes).size).toBe(codes.length);
    expect(plans[0]!.units.some((u) => u.code === '91')).toBe(false);
    if (week === '2025-W26') expect(plans[0]!.reportingUnits).toEqual([
      { code: '901', recipients: ['a@x.vn'] },
      { code: '902', recipients: [] },
    ]);
    else expect(plans[0]!.reportingUnits.map((r) => r.code)).toEqual(['90-BM', '90']);
  });

  it('a reporting unit’s report from its slice equals the one from every unit', () => {
    for (const plan of plans)
      for (const ru of plan.reportingUnits) {
        const slice = sliceOf(plan, ru.code);
        expect(slice.units.length).toBeLessThan(units.length);
        expect(slice.recipients).toEqual(ru.recipients);
        const full = buildDistrictReport({ ...base, week, units, unitCode: ru.code, stalledBooks: stalled });
        expect(buildDistrictReport({ ...base, week, units: slice.units, config: slice.config, unitCode: ru.code, stalledBooks: stalled })).toEqual(full);
      }
  });

  it('a province rollup from the province’s units equals the one from every unit', () => {
    for (const plan of plans) {
      const full = buildProvinceReport({ ...base, week, units, provinceCode: plan.provinceCode });
      expect(buildProvinceReport({ ...base, week, units: plan.units, provinceCode: plan.provinceCode })).toEqual(full);
    }
  });

  it('the national report from the provinces’ series equals the one from every commune’s snapshots', () => {
    const full = buildNationalReport({ ...base, week, units });
    const series = plans.flatMap((p) => provinceSeriesOf({ ...base, week, units: p.units, provinceCode: p.provinceCode }));
    const provinces = units.filter((u) => u.level === 'province' || u.level === 'national');
    expect(buildNationalReport({ ...base, week, units: provinces, snapshots: series, perProvince: true })).toEqual(full);
  });
});

describe('who receives a province rollup', () => {
  const recipients = { '901': ['a@x.vn'], '90-BM': ['b@x.vn'], '90': ['c@x.vn'], '91': ['d@x.vn'] };
  it('the province office, when the province has districts or groups under it', () => {
    for (const week of ['2025-W26', '2025-W29']) {
      const plan = planProvinces(units, config, week, recipients).find((p) => p.provinceCode === '90')!;
      expect(rollupRecipients(plan), week).toEqual(['c@x.vn']);
    }
  });
  it('nobody, when the office is the only reporting unit (its own report already covers every commune)', () => {
    const plan = planProvinces(units, config, '2025-W29', recipients).find((p) => p.provinceCode === '91')!;
    expect(plan.reportingUnits.map((r) => r.code)).toEqual(['91']);
    expect(rollupRecipients(plan)).toEqual([]);
    // Before the merger the same province reports by district: its rollup goes out.
    expect(rollupRecipients(planProvinces(units, config, '2025-W26', recipients).find((p) => p.provinceCode === '91')!)).toEqual(['d@x.vn']);
  });
});

describe('the payload each reporting unit’s task receives', () => {
  it('stays far below Step Functions’ 256 KB state limit for a province of 600 communes in 30 districts', () => {
    const big: Unit[] = [{ code: 'VN', name: 'Toàn quốc', level: 'national', parent: null, ...always }, { code: '01', name: 'Thành phố Hà Nội', level: 'province', parent: 'VN', ...always }];
    for (let d = 1; d <= 30; d++) {
      const district = `01${String(d).padStart(2, '0')}`;
      big.push({ code: district, name: `Quận Huyện Thứ ${d} Của Thành Phố`, level: 'district', parent: '01', validFrom: '2000-01-01', validTo: '2025-06-30', successor: null });
      for (let c = 1; c <= 20; c++) big.push({ code: `${district}${String(c).padStart(3, '0')}`, name: `Phường Xã Số ${c} Thuộc Huyện ${d}`, level: 'commune', parent: district, validFrom: '2000-01-01', validTo: '2025-06-30', successor: null });
    }
    const [plan] = planProvinces(big, { provinces: {} }, '2025-W26', {});
    const payload = Buffer.byteLength(JSON.stringify({ units: plan!.reportingUnits.map((r) => sliceOf(plan!, r.code)) }));
    // What PrepareProvince returns for the Map over the province's districts.
    expect(plan!.reportingUnits).toHaveLength(30);
    expect(payload).toBeLessThan(256 * 1024);
  });
});
