import { z } from 'zod';
import { NotFound } from '../errors.js';
import { type Unit, unitsValidOn } from '../units/unit.js';
import type { ReportingUnit } from './report.js';
import { reportTimeOf, vnDateOf } from './week.js';

/**
 * Who a commune reports to (domain §9, DECISION: the level above the commune is configurable).
 * Before 1/7/2025 communes report to their district. Since then there is no district tier: a
 * province either takes its communes' reports directly (its Department of Justice) or splits them
 * into configured sub-groups, e.g. one per former district or per cluster of communes.
 */

export const ReportingGroup = z.object({
  /** Stable code for the group (keys, file names, email idempotency), e.g. "90-BM". */
  code: z.string().regex(/^[0-9A-Za-z-]{1,20}$/),
  name: z.string().min(1).max(200),
  communes: z.array(z.string().min(1)).min(1),
});
export type ReportingGroup = z.infer<typeof ReportingGroup>;

export const ProvinceReporting = z
  .object({
    /** `district`: communes report to their district where districts exist; `province`: to the province (or its groups). */
    level: z.enum(['district', 'province']),
    groups: z.array(ReportingGroup).default([]),
  })
  .refine((p) => new Set(p.groups.flatMap((g) => g.communes)).size === p.groups.reduce((n, g) => n + g.communes.length, 0), {
    message: 'Một xã chỉ thuộc một nhóm báo cáo',
    path: ['groups'],
  });
export type ProvinceReporting = z.infer<typeof ProvinceReporting>;

/** Reporting level per province code; a province not listed reports by district when it has districts, else to the province. */
export const ReportingConfig = z.object({ provinces: z.record(z.string(), ProvinceReporting).default({}) });
export type ReportingConfig = z.infer<typeof ReportingConfig>;

/** The date (Vietnam) the structure of a week is read at: the week's report day. */
export function structureDateOf(week: string): string {
  return vnDateOf(reportTimeOf(week));
}

/** The province a unit belongs to (walking up the parents), or undefined for the national unit. */
function provinceOf(unit: Unit, byCode: ReadonlyMap<string, Unit>): Unit | undefined {
  let u: Unit | undefined = unit;
  while (u && u.level !== 'province') u = u.parent ? byCode.get(u.parent) : undefined;
  return u;
}

/**
 * The reporting units of every province (or of one, `provinceCode`) for a week, each with the
 * communes valid that week. Communes of a grouped province that no group names report to the
 * province office (a unit with the province's code).
 */
export function reportingUnitsOf(units: readonly Unit[], config: ReportingConfig, week: string, provinceCode?: string): ReportingUnit[] {
  const valid = unitsValidOn(units, structureDateOf(week));
  const byCode = new Map(valid.map((u) => [u.code, u]));
  const out: ReportingUnit[] = [];
  for (const province of valid.filter((u) => u.level === 'province' && (provinceCode === undefined || u.code === provinceCode))) {
    const communes = valid.filter((u) => u.level === 'commune' && provinceOf(u, byCode)?.code === province.code);
    const districts = valid.filter((u) => u.level === 'district' && u.parent === province.code);
    const setting = config.provinces[province.code] ?? { level: districts.length > 0 ? 'district' : 'province', groups: [] };
    const assigned = new Set<string>();
    // Where the week's structure still has districts (before 1/7/2025) they are the reporting level;
    // a province's configured level and groups take effect once its districts are gone.
    if (setting.level === 'district' || districts.length > 0) {
      for (const d of districts) {
        const own = communes.filter((c) => c.parent === d.code).map((c) => c.code);
        for (const c of own) assigned.add(c);
        out.push({ code: d.code, name: d.name, kind: 'district', provinceCode: province.code, communes: own });
      }
    } else {
      const validCodes = new Set(communes.map((c) => c.code));
      for (const g of setting.groups) {
        const own = g.communes.filter((c) => validCodes.has(c));
        for (const c of own) assigned.add(c);
        out.push({ code: g.code, name: g.name, kind: 'group', provinceCode: province.code, communes: own });
      }
    }
    const rest = communes.filter((c) => !assigned.has(c.code)).map((c) => c.code);
    if (rest.length > 0) out.push({ code: province.code, name: province.name, kind: 'province', provinceCode: province.code, communes: rest });
  }
  return out;
}

/** The reporting unit with this code for the week. @throws NotFound when no such unit reports that week. */
export function getReportingUnit(units: readonly Unit[], config: ReportingConfig, week: string, code: string): ReportingUnit {
  const found = reportingUnitsOf(units, config, week).find((r) => r.code === code);
  if (!found) throw new NotFound(`Không có đơn vị báo cáo ${code} trong tuần ${week}`, { code, week });
  return found;
}
