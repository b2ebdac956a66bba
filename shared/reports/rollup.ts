import { NotFound } from '../errors.js';
import { type Unit, unitsValidOn } from '../units/unit.js';
import { Campaign, doneBooksOf, doneRecordsOf, FORECAST_WINDOW_WEEKS, forecastCompletion, ratio, remainingRecordsOf } from './forecast.js';
import { type QualityFlag, QualityOptions, qualityFlagsOf } from './quality.js';
import { rankUnits } from './ranking.js';
import type { BurnDownPoint, DistrictReport, ErrorRate, NationalReport, ProgressLevel, ProvinceReport, ReconciliationMonth, UnitProgress } from './report.js';
import { getReportingUnit, ReportingConfig, reportingUnitsOf, structureDateOf } from './reporting-structure.js';
import {
  type CommuneSnapshot,
  deltaOf,
  emptyFigures,
  type Figures,
  type FiguresDelta,
  figuresOf,
  type ReconciliationFigures,
  type StalledBook,
  sumFigures,
} from './snapshot.js';
import { IsoWeek, previousWeek, reportTimeOf, vnDateOf, vnStartOfDay } from './week.js';

/**
 * Rollups: commune snapshots → reporting unit (district, group or province office) → province →
 * nation, with week-over-week deltas, ranking, forecast and quality flags.
 * 1. Index the snapshots by week; a commune without a snapshot in a week before a merger is the sum
 *    of the communes merged into it, so series run unbroken across 1/7/2025.
 * 2. For each unit, the series of summed figures over the weeks given; the last is this week.
 * 3. Deltas between consecutive weeks feed the forecast (4-week rolling rate) and the trend flags.
 * Cost: communes × weeks of snapshots given, never books or records.
 */

/** What every report is built from. */
export interface ReportInputs {
  week: string;
  /** All unit versions (names of old communes stay resolvable). */
  units: readonly Unit[];
  config?: ReportingConfig | undefined;
  campaign: Campaign;
  /**
   * Snapshots of this week and earlier weeks. At least the last 6 weeks for the 4-week flags and
   * rate, the last snapshot of the previous month for month-to-date reconciliation, and as many as
   * the burn-down chart should show. Later weeks are ignored.
   */
  snapshots: readonly CommuneSnapshot[];
  generatedAt: Date | string;
  quality?: QualityOptions | undefined;
}

interface Point {
  week: string;
  figures: Figures;
}

/** Snapshot history indexed by week, resolving merged communes through their predecessors. */
class History {
  readonly weeks: string[];
  private readonly byWeek = new Map<string, Map<string, Figures>>();
  private readonly predecessors = new Map<string, string[]>();

  constructor(
    snapshots: readonly CommuneSnapshot[],
    units: readonly Unit[],
    readonly current: string,
  ) {
    for (const s of snapshots) {
      if (s.week > current) continue;
      const m = this.byWeek.get(s.week) ?? new Map<string, Figures>();
      m.set(s.unitCode, figuresOf(s));
      this.byWeek.set(s.week, m);
    }
    this.byWeek.set(current, this.byWeek.get(current) ?? new Map());
    this.weeks = [...this.byWeek.keys()].sort();
    for (const u of units) {
      if (u.successor === null) continue;
      const list = this.predecessors.get(u.successor) ?? [];
      if (!list.includes(u.code)) list.push(u.code);
      this.predecessors.set(u.successor, list);
    }
  }

  /** A commune's figures in a week: its own snapshot, else the sum of its predecessors' (if any). */
  communeAt(code: string, week: string, seen = new Set<string>()): Figures | undefined {
    const own = this.byWeek.get(week)?.get(code);
    if (own) return own;
    seen.add(code);
    const parts = (this.predecessors.get(code) ?? [])
      .filter((p) => !seen.has(p))
      .map((p) => this.communeAt(p, week, seen))
      .filter((f): f is Figures => f !== undefined);
    return parts.length > 0 ? sumFigures(parts) : undefined;
  }

  /** Sum over communes in a week; undefined when none of them has data that week. */
  sumAt(communes: readonly string[], week: string): Figures | undefined {
    const parts = communes.map((c) => this.communeAt(c, week)).filter((f): f is Figures => f !== undefined);
    return parts.length > 0 ? sumFigures(parts) : undefined;
  }

  /** The weeks with data, oldest first; this week always last (zero when no snapshot at all). */
  series(communes: readonly string[]): Point[] {
    const points: Point[] = [];
    for (const week of this.weeks) {
      const f = this.sumAt(communes, week);
      if (f) points.push({ week, figures: f });
      else if (week === this.current) points.push({ week, figures: emptyFigures() });
    }
    return points;
  }

  /** The week whose snapshot is the month-to-date baseline: the last one taken before the month began. */
  monthBaseline(monthStart: Date): string | undefined {
    return this.weeks.filter((w) => w < this.current && reportTimeOf(w) < monthStart).at(-1);
  }
}

interface Computed {
  progress: UnitProgress;
  weekly: FiguresDelta[];
  series: Point[];
}

interface Context {
  week: string;
  asOfDate: string;
  campaign: Campaign;
  history: History;
}

function contextOf(input: ReportInputs): Context & { config: ReportingConfig; names: Map<string, string>; quality: QualityOptions } {
  const week = IsoWeek.parse(input.week);
  return {
    week,
    asOfDate: vnDateOf(reportTimeOf(week)),
    campaign: Campaign.parse(input.campaign),
    history: new History(input.snapshots, input.units, week),
    config: ReportingConfig.parse(input.config ?? {}),
    // Later versions win, so a code keeps its latest name.
    names: new Map([...input.units].sort((a, b) => a.validFrom.localeCompare(b.validFrom)).map((u) => [u.code, u.name])),
    quality: QualityOptions.parse(input.quality ?? {}),
  };
}

/** One unit's progress over the given communes. */
function progressOf(
  ctx: Context,
  unit: { code: string; name: string; level: ProgressLevel; parentCode: string | null },
  communes: readonly string[],
): Computed {
  const series = ctx.history.series(communes);
  const current = series.at(-1)!.figures;
  const prevWeek = previousWeek(ctx.week);
  const previous = series.find((p) => p.week === prevWeek)?.figures ?? null;
  const weekly: FiguresDelta[] = [];
  for (let i = 1; i < series.length; i++) {
    const [a, b] = [series[i - 1]!, series[i]!];
    // Only consecutive weeks make a weekly change; a gap in the history is skipped, not averaged.
    if (a.week === previousWeek(b.week)) weekly.push(deltaOf(b.figures, a.figures));
  }
  const scope = ctx.campaign.scope;
  const weeklyDone = weekly.slice(-FORECAST_WINDOW_WEEKS).map((d) => doneRecordsOf(d, scope));
  const doneBooks = doneBooksOf(current, scope);
  const doneRecords = doneRecordsOf(current, scope);
  const remainingRecords = remainingRecordsOf(current, scope);
  const progress: UnitProgress = {
    unitCode: unit.code,
    name: unit.name,
    level: unit.level,
    parentCode: unit.parentCode,
    figures: current,
    previous,
    delta: previous ? deltaOf(current, previous) : null,
    doneBooks,
    doneRecords,
    remainingRecords,
    percentBooks: ratio(doneBooks, current.books.total),
    percentRecords: ratio(doneRecords, current.records.expected),
    weeklyDone,
    forecast: forecastCompletion({ remaining: remainingRecords, weeklyDone, asOf: ctx.asOfDate, campaign: ctx.campaign }),
    rank: null,
  };
  return { progress, weekly, series };
}

function burnDownOf(ctx: Context, series: readonly Point[]): BurnDownPoint[] {
  return series.map((p) => ({ date: vnDateOf(reportTimeOf(p.week)), remaining: remainingRecordsOf(p.figures, ctx.campaign.scope) }));
}

function reconciliationMonthOf(ctx: Context, communes: readonly { code: string; name: string }[]): ReconciliationMonth {
  const month = ctx.asOfDate.slice(0, 7);
  const baselineWeek = ctx.history.monthBaseline(vnStartOfDay(`${month}-01`));
  const zero: ReconciliationFigures = { matched: 0, mismatch: 0, notFound: 0, resolved: 0, pending: 0 };
  const rows = communes.map((c) => {
    const now = ctx.history.communeAt(c.code, ctx.week)?.reconciliation ?? zero;
    const base = (baselineWeek && ctx.history.communeAt(c.code, baselineWeek)?.reconciliation) || zero;
    // Outcomes are cumulative counters, so the month's share is the difference; `pending` is a
    // current count and is shown as it stands. A correction that lowered a counter shows as 0
    // here and as a "decrease" quality flag.
    const since = (k: 'matched' | 'mismatch' | 'notFound' | 'resolved') => Math.max(0, now[k] - base[k]);
    return {
      unitCode: c.code,
      name: c.name,
      matched: since('matched'),
      mismatch: since('mismatch'),
      notFound: since('notFound'),
      resolved: since('resolved'),
      pending: now.pending,
    };
  });
  const total = { ...zero };
  for (const r of rows) for (const k of Object.keys(zero) as (keyof ReconciliationFigures)[]) total[k] += r[k];
  return { month, since: baselineWeek ? vnDateOf(reportTimeOf(baselineWeek)) : null, rows, total };
}

function errorRatesOf(communes: readonly UnitProgress[]): ErrorRate[] {
  return communes.flatMap((c) => {
    const q = c.figures.quality;
    if (!q) return [];
    return [
      {
        unitCode: c.unitCode,
        name: c.name,
        reviewedRecords: q.reviewedRecords,
        errors: q.errors,
        rate: ratio(q.errors, q.reviewedRecords),
        byReason: q.byReason,
      },
    ];
  });
}

function headerOf(ctx: Context & { quality: QualityOptions }, input: ReportInputs, series: readonly Point[], flags: QualityFlag[]) {
  return {
    week: ctx.week,
    asOf: reportTimeOf(ctx.week).toISOString(),
    generatedAt: new Date(input.generatedAt).toISOString(),
    campaign: ctx.campaign,
    burnDown: burnDownOf(ctx, series),
    qualityFlags: flags,
  };
}

/** Codes of the communes of a reporting unit plus every commune merged into them (stalled books carry the old code). */
function withPredecessors(units: readonly Unit[], codes: readonly string[]): Set<string> {
  const set = new Set(codes);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (u.successor && set.has(u.successor) && !set.has(u.code)) {
        set.add(u.code);
        grew = true;
      }
    }
  }
  return set;
}

/**
 * The weekly report of one reporting unit (`unitCode`: a district, a group code, or a province
 * office) with its communes ranked. `stalledBooks` may list books of other units; only this unit's
 * (including books under merged communes' codes) are kept.
 * @throws NotFound when no reporting unit has that code this week.
 */
export function buildDistrictReport(input: ReportInputs & { unitCode: string; stalledBooks?: readonly StalledBook[] }): DistrictReport {
  const ctx = contextOf(input);
  const ru = getReportingUnit(input.units, ctx.config, ctx.week, input.unitCode);
  const name = (code: string) => ctx.names.get(code) ?? code;
  const communes = ru.communes.map((c) => progressOf(ctx, { code: c, name: name(c), level: 'commune', parentCode: ru.code }, [c]));
  const total = progressOf(ctx, { code: ru.code, name: ru.name, level: ru.kind, parentCode: ru.provinceCode }, ru.communes);
  const ranked = rankUnits(communes.map((c) => c.progress));
  const flags = communes.flatMap((c) => qualityFlagsOf(c.progress.unitCode, c.progress.figures, c.weekly, ctx.quality));
  const inScope = withPredecessors(input.units, ru.communes);
  const stalled = (input.stalledBooks ?? [])
    .filter((b) => inScope.has(b.unitCode))
    .map((b) => ({ ...b, unitName: name(b.unitCode) }))
    .sort((a, b) => b.days - a.days || a.bookId.localeCompare(b.bookId));
  return {
    kind: 'district',
    ...headerOf(ctx, input, total.series, flags),
    unit: { code: ru.code, name: ru.name, kind: ru.kind, provinceCode: ru.provinceCode, provinceName: name(ru.provinceCode) },
    totals: total.progress,
    communes: ranked,
    stalledBooks: stalled,
    reconciliation: reconciliationMonthOf(
      ctx,
      ru.communes.map((c) => ({ code: c, name: name(c) })),
    ),
    errorRates: errorRatesOf(ranked),
  };
}

/**
 * The weekly report of a province: its reporting units ranked within the province, and all its
 * communes ranked province-wide. @throws NotFound when the province is not valid that week.
 */
export function buildProvinceReport(input: ReportInputs & { provinceCode: string }): ProvinceReport {
  const ctx = contextOf(input);
  const province = unitsValidOn(input.units, structureDateOf(ctx.week)).find((u) => u.code === input.provinceCode && u.level === 'province');
  if (!province) throw new NotFound(`Không có tỉnh ${input.provinceCode} trong tuần ${ctx.week}`, { code: input.provinceCode });
  const name = (code: string) => ctx.names.get(code) ?? code;
  const rus = reportingUnitsOf(input.units, ctx.config, ctx.week, province.code);
  const all = rus.flatMap((r) => r.communes);
  const units = rus.map((r) => progressOf(ctx, { code: r.code, name: r.name, level: r.kind, parentCode: province.code }, r.communes));
  const communes = rus.flatMap((r) => r.communes.map((c) => progressOf(ctx, { code: c, name: name(c), level: 'commune', parentCode: r.code }, [c])));
  const total = progressOf(ctx, { code: province.code, name: province.name, level: 'province', parentCode: 'VN' }, all);
  const flags = communes.flatMap((c) => qualityFlagsOf(c.progress.unitCode, c.progress.figures, c.weekly, ctx.quality));
  return {
    kind: 'province',
    ...headerOf(ctx, input, total.series, flags),
    province: { code: province.code, name: province.name },
    totals: total.progress,
    units: rankUnits(units.map((u) => u.progress)),
    communes: rankUnits(communes.map((c) => c.progress)),
    reconciliation: reconciliationMonthOf(
      ctx,
      all.map((c) => ({ code: c, name: name(c) })),
    ),
  };
}

/**
 * A province's summed figures for every week its communes have data (this week last, zero when
 * none), as snapshots with the province's code: what a province rollup stores for the national
 * report, so that the national run reads one item per province, not every commune's snapshots.
 */
export function provinceSeriesOf(input: ReportInputs & { provinceCode: string }): CommuneSnapshot[] {
  const ctx = contextOf(input);
  const communes = reportingUnitsOf(input.units, ctx.config, ctx.week, input.provinceCode).flatMap((r) => r.communes);
  return ctx.history.series(communes).map((p) => ({ ...p.figures, week: p.week, unitCode: input.provinceCode, takenAt: reportTimeOf(p.week).toISOString() }));
}

/**
 * The national report: every province ranked; quality flags on each province's totals.
 * `perProvince`: the snapshots are the provinces' series (`provinceSeriesOf`), not communes'.
 */
export function buildNationalReport(input: ReportInputs & { perProvince?: boolean }): NationalReport {
  const ctx = contextOf(input);
  const provinces = unitsValidOn(input.units, structureDateOf(ctx.week)).filter((u) => u.level === 'province');
  const rus = input.perProvince ? [] : reportingUnitsOf(input.units, ctx.config, ctx.week);
  const perProvince = provinces.map((p) => {
    const communes = input.perProvince ? [p.code] : rus.filter((r) => r.provinceCode === p.code).flatMap((r) => r.communes);
    return { communes, computed: progressOf(ctx, { code: p.code, name: p.name, level: 'province', parentCode: 'VN' }, communes) };
  });
  const total = progressOf(
    ctx,
    { code: 'VN', name: ctx.names.get('VN') ?? 'Việt Nam', level: 'national', parentCode: null },
    perProvince.flatMap((p) => p.communes),
  );
  const flags = perProvince.flatMap((p) => qualityFlagsOf(p.computed.progress.unitCode, p.computed.progress.figures, p.computed.weekly, ctx.quality));
  return {
    kind: 'national',
    ...headerOf(ctx, input, total.series, flags),
    totals: total.progress,
    provinces: rankUnits(perProvince.map((p) => p.computed.progress)),
  };
}
