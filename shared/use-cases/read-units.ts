import type { RequestContext } from '../request-context.js';
import { unitsInScope } from '../units/unit.js';
import { listUnits } from '../units/unit-repo.js';

/** Units (all versions) in the caller's scope, plus the chain above the caller's own unit for context. */
export async function listUnitsForCaller(ctx: RequestContext) {
  const units = await listUnits();
  const scope = unitsInScope(units, ctx.principal.unit);
  return units.filter((u) => scope.has(u.code)).sort((a, b) => a.code.localeCompare(b.code) || a.validFrom.localeCompare(b.validFrom));
}
