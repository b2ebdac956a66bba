import { z } from 'zod';

/** Administrative levels. `district` exists only in the pre-2025 structure. */
export const UnitLevel = z.enum(['national', 'province', 'district', 'commune']);
export type UnitLevel = z.infer<typeof UnitLevel>;

const IsoDate = z.iso.date();

/**
 * One version of an administrative unit. Units are versioned: a commune merged on 1/7/2025 keeps
 * its old version (validTo = 2025-06-30) with `successor` pointing at the new unit, so books that
 * carry the old commune stay attributable to the new one.
 */
export const Unit = z.object({
  code: z.string().regex(/^[0-9A-Z]{1,12}$/),
  name: z.string().min(1).max(200),
  level: UnitLevel,
  parent: z.string().nullable(),
  validFrom: IsoDate,
  validTo: IsoDate.nullable(),
  successor: z.string().nullable(),
});
export type Unit = z.infer<typeof Unit>;

/** Units valid on the given ISO date. */
export function unitsValidOn(units: readonly Unit[], isoDate: string): Unit[] {
  return units.filter((u) => u.validFrom <= isoDate && (u.validTo === null || u.validTo >= isoDate));
}

/**
 * Codes a user scoped to `root` may see: the unit itself, every unit below it in any version of
 * the structure, and every unit that was merged into one of those (predecessors), transitively.
 * `NATIONAL` (the Ministry / ops scope) sees everything.
 */
export function unitsInScope(units: readonly Unit[], root: string): Set<string> {
  if (root === NATIONAL) return new Set(units.map((u) => u.code).concat(NATIONAL));
  const scope = new Set<string>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (scope.has(u.code)) continue;
      const below = u.parent !== null && scope.has(u.parent);
      const mergedInto = u.successor !== null && scope.has(u.successor);
      if (below || mergedInto) {
        scope.add(u.code);
        grew = true;
      }
    }
  }
  return scope;
}

/** Communes (any version) inside the caller's scope, e.g. to fan out a per-unit query. */
export function communesInScope(units: readonly Unit[], root: string): string[] {
  const scope = unitsInScope(units, root);
  return [...new Set(units.filter((u) => u.level === 'commune' && scope.has(u.code)).map((u) => u.code))].sort();
}

export const NATIONAL = 'VN';
