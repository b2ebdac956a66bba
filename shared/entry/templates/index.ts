/** Every entry template, defined once. Each module can be replaced by the Ministry's real list alone. */
import type { RegisterType } from '../../books/register-type.js';
import type { ColumnDef, TemplateDef } from '../columns.js';
import { cmcTemplate } from './cmc.js';
import { ghTemplate } from './gh.js';
import { khTemplate } from './kh.js';
import { ksTemplate } from './ks.js';
import { ktTemplate } from './kt.js';
import { ncnTemplate } from './ncn.js';
import { tdccTemplate } from './tdcc.js';

export const templates: Record<RegisterType, TemplateDef> = {
  KS: ksTemplate,
  KH: khTemplate,
  KT: ktTemplate,
  CMC: cmcTemplate,
  NCN: ncnTemplate,
  GH: ghTemplate,
  TDCC: tdccTemplate,
};

/** The column's definition in the type's template, or undefined. */
export function findColumn(type: RegisterType, name: string): ColumnDef | undefined {
  return columnIndex(type).get(name);
}

const indexes = new Map<RegisterType, Map<string, ColumnDef>>();
function columnIndex(type: RegisterType): Map<string, ColumnDef> {
  let ix = indexes.get(type);
  if (!ix) {
    ix = new Map(templates[type].columns.map((c) => [c.name, c]));
    indexes.set(type, ix);
  }
  return ix;
}
