import { z } from 'zod';
import { Campaign, Forecast } from './forecast.js';
import { QualityFlag } from './quality.js';
import { Figures, FiguresDelta, ReconciliationFigures, StalledBook } from './snapshot.js';
import { IsoDate, IsoWeek } from './week.js';

/**
 * The weekly reports as data: what the workbooks, the email and (later) the API show. Built by
 * `rollup.ts` from commune snapshots; every figure here is derived, never entered.
 */

/** Kinds of unit a report row can stand for. `group` is a province's configured sub-group (post-2025). */
export const ProgressLevel = z.enum(['commune', 'district', 'group', 'province', 'national']);
export type ProgressLevel = z.infer<typeof ProgressLevel>;

/** One unit's progress in a report: cumulative figures, change, completion and forecast. */
export const UnitProgress = z.object({
  unitCode: z.string(),
  name: z.string(),
  level: ProgressLevel,
  /** The unit it is reported under (reporting unit for communes, province for districts/groups). */
  parentCode: z.string().nullable(),
  figures: Figures,
  /** Last week's figures; null when there is no snapshot of last week. */
  previous: Figures.nullable(),
  /** `figures − previous`; null with `previous`. */
  delta: FiguresDelta.nullable(),
  doneBooks: z.number().int().nonnegative(),
  doneRecords: z.number().int().nonnegative(),
  remainingRecords: z.number().int().nonnegative(),
  /** Fractions 0..1 (the workbooks format them as %). */
  percentBooks: z.number().min(0).max(1),
  percentRecords: z.number().min(0).max(1),
  /** Records done per week over the recent weeks, oldest first (the forecast's input). */
  weeklyDone: z.array(z.number().int()),
  forecast: Forecast,
  /** 1 = best among its peers in this report; null for a report's own total. */
  rank: z.number().int().positive().nullable(),
});
export type UnitProgress = z.infer<typeof UnitProgress>;

export const BurnDownPoint = z.object({ date: IsoDate, remaining: z.number().int().nonnegative() });
export type BurnDownPoint = z.infer<typeof BurnDownPoint>;

/** Reconciliation outcomes since the month began, per commune. */
export const ReconciliationMonth = z.object({
  /** "YYYY-MM" of the report date. */
  month: z.string().regex(/^\d{4}-\d{2}$/),
  /** Date of the baseline snapshot (the last one before the month began); null: counted from the start. */
  since: IsoDate.nullable(),
  rows: z.array(ReconciliationFigures.extend({ unitCode: z.string(), name: z.string() })),
  total: ReconciliationFigures,
});
export type ReconciliationMonth = z.infer<typeof ReconciliationMonth>;

/** Reviewer findings of a commune: errors per reviewed record, overall and by reason. */
export const ErrorRate = z.object({
  unitCode: z.string(),
  name: z.string(),
  reviewedRecords: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  rate: z.number().nonnegative(),
  byReason: z.record(z.string(), z.number().int().nonnegative()),
});
export type ErrorRate = z.infer<typeof ErrorRate>;

export const ReportingUnitKind = z.enum(['district', 'group', 'province']);
export type ReportingUnitKind = z.infer<typeof ReportingUnitKind>;

/** The unit a commune reports to: a district (pre-2025), a province's sub-group or the province office. */
export const ReportingUnit = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  kind: ReportingUnitKind,
  provinceCode: z.string().min(1),
  communes: z.array(z.string()),
});
export type ReportingUnit = z.infer<typeof ReportingUnit>;

const ReportHeader = z.object({
  week: IsoWeek,
  /** The report time the figures stand at (Friday 11:00 +07 of the week). */
  asOf: z.iso.datetime(),
  generatedAt: z.iso.datetime(),
  campaign: Campaign,
  /** Remaining records per week, for the burn-down chart. */
  burnDown: z.array(BurnDownPoint),
  qualityFlags: z.array(QualityFlag),
});

/** The weekly report of a reporting unit (a district, a group, or a province office) with its communes. */
export const DistrictReport = ReportHeader.extend({
  kind: z.literal('district'),
  unit: ReportingUnit.omit({ communes: true }).extend({ provinceName: z.string() }),
  totals: UnitProgress,
  communes: z.array(UnitProgress),
  stalledBooks: z.array(StalledBook.extend({ unitName: z.string() })),
  reconciliation: ReconciliationMonth,
  errorRates: z.array(ErrorRate),
});
export type DistrictReport = z.infer<typeof DistrictReport>;

/** The weekly report of a province: its reporting units and all its communes, each ranked. */
export const ProvinceReport = ReportHeader.extend({
  kind: z.literal('province'),
  province: z.object({ code: z.string(), name: z.string() }),
  totals: UnitProgress,
  units: z.array(UnitProgress),
  communes: z.array(UnitProgress),
  reconciliation: ReconciliationMonth,
});
export type ProvinceReport = z.infer<typeof ProvinceReport>;

/** The national weekly report for the Ministry: provinces ranked. */
export const NationalReport = ReportHeader.extend({
  kind: z.literal('national'),
  totals: UnitProgress,
  provinces: z.array(UnitProgress),
});
export type NationalReport = z.infer<typeof NationalReport>;

export type WeeklyReport = DistrictReport | ProvinceReport | NationalReport;
