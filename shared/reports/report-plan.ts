import { z } from 'zod';
import { NATIONAL, Unit, unitsInScope } from '../units/unit.js';
import { ReportingConfig, reportingUnitsOf } from './reporting-structure.js';
import { SentReport } from './sent-report.js';

/**
 * The plan of a weekly run, frozen by its first step so that no later step reads the whole unit
 * table again (report-time reads stay ≈ books + units, issue 7):
 *  - per province, the unit versions its reports need (its districts, communes, the communes merged
 *    into them, its own versions and the national unit) and the recipients of its reporting units;
 *  - per reporting unit, a slice of that: the province's non-commune units plus its own communes and
 *    their predecessors. A report built from a slice equals one built from every unit (tested).
 * Pure: the repository stores plans, the use cases read them.
 */

export const UnitSlice = z.object({
  /** Reporting unit code (district, group, or the province office). */
  code: z.string(),
  provinceCode: z.string(),
  /** The reporting configuration of its province only. */
  config: ReportingConfig,
  units: z.array(Unit),
  recipients: z.array(z.string()),
  /** The unit's send record for the week as the plan found it (absent: none yet). */
  sent: SentReport.optional(),
});
export type UnitSlice = z.infer<typeof UnitSlice>;

export const ProvincePlan = z.object({
  week: z.string(),
  provinceCode: z.string(),
  config: ReportingConfig,
  units: z.array(Unit),
  /** Reporting units in report order, with their recipients and send records. */
  reportingUnits: z.array(z.object({ code: z.string(), recipients: z.array(z.string()), sent: SentReport.optional() })),
  /** Recipients and send record of the province's own rollup. */
  recipients: z.array(z.string()),
  sent: SentReport.optional(),
});
export type ProvincePlan = z.infer<typeof ProvincePlan>;

/** Recipients per unit code (reporting units, provinces, `VN`). */
export const RecipientMap = z.record(z.string(), z.array(z.email()));
export type RecipientMap = z.infer<typeof RecipientMap>;

/** Every version of the province's own units, of everything below or merged into them, and of the national unit. */
export function unitsOfProvince(units: readonly Unit[], provinceCode: string): Unit[] {
  const scope = unitsInScope(units, provinceCode);
  return units.filter((u) => scope.has(u.code) || u.code === NATIONAL);
}

/** Province-level units only (and the national unit): what the national ranking needs. */
export function nationalUnits(units: readonly Unit[]): Unit[] {
  return units.filter((u) => u.level === 'province' || u.level === 'national');
}

/** Send records of a week by unit code (`SENT#<code>`; a province's rollup is `P<code>`). */
export type SentByUnit = ReadonlyMap<string, SentReport>;

/**
 * The plans of the provinces that report this week: every one, or the one `only` names (a province
 * code), or only the reporting unit `only` names within its province (its rollup still runs).
 */
export function planProvinces(
  units: readonly Unit[],
  config: ReportingConfig,
  week: string,
  recipients: RecipientMap,
  options: { only?: string | undefined; sent?: SentByUnit } = {},
): ProvincePlan[] {
  const sent = options.sent ?? new Map<string, SentReport>();
  const byProvince = new Map<string, ProvincePlan>();
  for (const ru of reportingUnitsOf(units, config, week)) {
    if (options.only && ru.code !== options.only && ru.provinceCode !== options.only) continue;
    let plan = byProvince.get(ru.provinceCode);
    if (!plan) {
      const p = ru.provinceCode;
      plan = { week, provinceCode: p, config, units: unitsOfProvince(units, p), reportingUnits: [], recipients: recipients[p] ?? [], sent: sent.get(`P${p}`) };
      byProvince.set(p, plan);
    }
    plan.reportingUnits.push({ code: ru.code, recipients: recipients[ru.code] ?? [], sent: sent.get(ru.code) });
  }
  return [...byProvince.values()];
}

/**
 * One reporting unit's slice of its province's plan: its communes and every commune merged into
 * them, their parents, the unit itself, the province and the national unit (every version of each).
 * Small enough to travel in the workflow's payload.
 */
export function sliceOf(plan: ProvincePlan, unitCode: string): UnitSlice {
  const ru = reportingUnitsOf(plan.units, plan.config, plan.week, plan.provinceCode).find((r) => r.code === unitCode);
  const communes = new Set(ru?.communes ?? []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of plan.units) {
      if (u.successor && communes.has(u.successor) && !communes.has(u.code)) {
        communes.add(u.code);
        grew = true;
      }
    }
  }
  const keep = new Set([...communes, unitCode, plan.provinceCode, NATIONAL]);
  for (const u of plan.units) if (communes.has(u.code) && u.parent) keep.add(u.parent);
  const planned = plan.reportingUnits.find((r) => r.code === unitCode);
  return {
    code: unitCode,
    provinceCode: plan.provinceCode,
    config: { provinces: plan.config.provinces[plan.provinceCode] ? { [plan.provinceCode]: plan.config.provinces[plan.provinceCode]! } : {} },
    units: plan.units.filter((u) => keep.has(u.code)),
    recipients: planned?.recipients ?? [],
    ...(planned?.sent ? { sent: planned.sent } : {}),
  };
}

/**
 * Who receives a province's rollup: its recipients, unless the province's office is its only reporting unit
 * (a post-2025 province without sub-groups): the office's report already covers every commune and goes to
 * the same office, so the rollup is stored but not emailed a second time.
 */
export function rollupRecipients(plan: Pick<ProvincePlan, 'provinceCode' | 'reportingUnits' | 'recipients'>): string[] {
  const onlyOffice = plan.reportingUnits.length === 1 && plan.reportingUnits[0]!.code === plan.provinceCode;
  return onlyOffice ? [] : plan.recipients;
}
