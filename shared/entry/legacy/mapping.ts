/**
 * Legacy sources (MISA-era exports and other tools) name their columns differently. A mapping file
 * says which legacy header feeds which Ministry column; the file is then read and validated exactly
 * like a Ministry-template file. Format: docs/entry-template.md#legacy-mappings.
 */
import { z } from 'zod';
import { RegisterType } from '../../books/register-type.js';
import { InvalidInput } from '../../errors.js';
import { headerKey } from '../header-key.js';
import { templates } from '../templates/index.js';

export const LegacyDateFormat = z.enum(['dd.mm.yyyy', 'dd/mm/yyyy', 'mm/dd/yyyy', 'yyyy-mm-dd']);

export const LegacyMapping = z
  .strictObject({
    /** The tool the export comes from, e.g. "MISA". */
    source: z.string().trim().min(1).max(50),
    registerType: RegisterType,
    description: z.string().max(2000).optional(),
    /** "<legacy header>": "<Ministry column>". Headers are matched like Ministry ones (case, spaces, NFC). */
    columns: z.record(z.string().trim().min(1).max(200), z.string()),
    /** How the legacy tool wrote dates as text; Excel date cells need no format. Default dd.mm.yyyy. */
    dateFormat: LegacyDateFormat.optional(),
  })
  .superRefine((m, ctx) => {
    const names = new Set(templates[m.registerType].columns.map((c) => c.name));
    const targets = new Map<string, string>();
    const keys = new Map<string, string>();
    for (const [legacy, target] of Object.entries(m.columns)) {
      if (!names.has(target)) {
        ctx.addIssue({ code: 'custom', path: ['columns', legacy], message: `"${target}" không phải cột của mẫu ${m.registerType}` });
      }
      const seen = targets.get(target);
      if (seen !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['columns', legacy], message: `cột ${target} đã được ánh xạ từ "${seen}"` });
      }
      targets.set(target, legacy);
      const k = headerKey(legacy);
      const clash = keys.get(k);
      if (clash !== undefined) ctx.addIssue({ code: 'custom', path: ['columns', legacy], message: `tiêu đề trùng với "${clash}"` });
      keys.set(k, legacy);
    }
    for (const c of templates[m.registerType].columns) {
      if (c.required && !targets.has(c.name)) {
        ctx.addIssue({ code: 'custom', path: ['columns'], message: `thiếu ánh xạ cho cột bắt buộc ${c.name}` });
      }
    }
  });
export type LegacyMapping = z.infer<typeof LegacyMapping>;

/** @throws InvalidInput listing every problem of the mapping file. */
export function parseLegacyMapping(json: unknown): LegacyMapping {
  const r = LegacyMapping.safeParse(json);
  if (!r.success) {
    throw new InvalidInput('Bảng ánh xạ cột không hợp lệ', {
      issues: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return r.data;
}
