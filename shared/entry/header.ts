/**
 * Row 1 of the data sheet → which column holds which Ministry column, what is missing or extra, and
 * which register type the header set looks like (a KH file uploaded for a KS book).
 */
import type { RegisterType } from '../books/register-type.js';
import { columnLetter, headerKey, headerKeyCandidates } from './header-key.js';
import type { LegacyMapping } from './legacy/mapping.js';
import { templates } from './templates/index.js';

export interface HeaderCell {
  /** 1-based column number. */
  index: number;
  text: string;
}

export interface EntryHeader {
  sheetName: string;
  /** The book's type: values are keyed by this template's column names. */
  registerType: RegisterType;
  mode: 'ministry' | 'legacy';
  /** The legacy source when `mode` is legacy. */
  source?: string;
  /** 1-based column number → Ministry column name, for recognised columns (first occurrence). */
  columns: Map<number, string>;
  present: Set<string>;
  /** The type whose columns the header matches best; null when nothing matches. */
  detectedType: RegisterType | null;
  /** Template columns absent from the header (technical ones never; in legacy mode only required ones). */
  missing: string[];
  extra: { index: number; letter: string; text: string }[];
  duplicates: { index: number; letter: string; column: string; firstLetter: string }[];
}

/** header key → (register type → Ministry column name). Technical columns belong to every type. */
const ministryIndex: Map<string, Map<RegisterType, string>> = (() => {
  const ix = new Map<string, Map<RegisterType, string>>();
  for (const t of Object.values(templates)) {
    for (const c of t.columns) {
      const k = headerKey(c.name);
      const byType = ix.get(k) ?? new Map<RegisterType, string>();
      byType.set(t.registerType, c.name);
      ix.set(k, byType);
    }
  }
  return ix;
})();

function lookupMinistry(text: string): Map<RegisterType, string> | undefined {
  for (const k of headerKeyCandidates(text)) {
    const hit = ministryIndex.get(k);
    if (hit) return hit;
  }
  return undefined;
}

function legacyIndex(m: LegacyMapping): Map<string, string> {
  const ix = new Map<string, string>();
  for (const [legacy, target] of Object.entries(m.columns)) {
    const k = headerKey(legacy);
    ix.set(k, target);
    ix.set(k.replace(/ /g, ''), target);
  }
  return ix;
}

/**
 * How many distinct template columns (of any type, or of the mapping) a row's cells name: a sheet
 * whose row 1 names at least `HEADER_MIN_MATCHES` columns is an entry data sheet.
 */
export function headerMatchCount(cells: readonly HeaderCell[], mapping?: LegacyMapping): number {
  const legacy = mapping ? legacyIndex(mapping) : undefined;
  const seen = new Set<string>();
  for (const c of cells) {
    const l = legacy?.get(headerKey(c.text));
    if (l) {
      seen.add(`legacy:${l}`);
      continue;
    }
    const hit = lookupMinistry(c.text);
    if (hit) seen.add([...hit.values()][0]!);
  }
  return seen.size;
}
export const HEADER_MIN_MATCHES = 3;

/** Maps the header row for a book of `expected` type, optionally through a legacy mapping. */
export function matchHeader(sheetName: string, cells: readonly HeaderCell[], expected: RegisterType, mapping?: LegacyMapping): EntryHeader {
  const tpl = templates[expected];
  const legacy = mapping ? legacyIndex(mapping) : undefined;
  const columns = new Map<number, string>();
  const firstIndexOf = new Map<string, number>();
  const extra: EntryHeader['extra'] = [];
  const duplicates: EntryHeader['duplicates'] = [];
  const perType = new Map<RegisterType, Set<string>>();

  for (const cell of cells) {
    const byType = lookupMinistry(cell.text);
    if (byType) {
      for (const [type, name] of byType) {
        const s = perType.get(type) ?? new Set<string>();
        s.add(name);
        perType.set(type, s);
      }
    }
    const name = legacy?.get(headerKey(cell.text)) ?? byType?.get(expected);
    if (name === undefined) {
      extra.push({ index: cell.index, letter: columnLetter(cell.index), text: cell.text });
      continue;
    }
    const first = firstIndexOf.get(name);
    if (first !== undefined) {
      duplicates.push({ index: cell.index, letter: columnLetter(cell.index), column: name, firstLetter: columnLetter(first) });
      continue;
    }
    firstIndexOf.set(name, cell.index);
    columns.set(cell.index, name);
  }

  // The best-matching type; ties go to the expected type. Technical columns count for every type, so they never decide.
  let detectedType: RegisterType | null = null;
  let best = 0;
  const score = (t: RegisterType) => [...(perType.get(t) ?? [])].filter((n) => !templates[t].columns.find((c) => c.name === n)?.technical).length;
  for (const t of [expected, ...(Object.keys(templates) as RegisterType[]).filter((t) => t !== expected)]) {
    const s = score(t);
    if (s > best) {
      best = s;
      detectedType = t;
    }
  }

  const present = new Set(columns.values());
  const missing = tpl.columns.filter((c) => !present.has(c.name) && !c.technical && (mapping ? c.required : true)).map((c) => c.name);
  const header: EntryHeader = {
    sheetName,
    registerType: expected,
    mode: mapping ? 'legacy' : 'ministry',
    columns,
    present,
    detectedType: mapping ? expected : detectedType,
    missing,
    extra,
    duplicates,
  };
  if (mapping) header.source = mapping.source;
  return header;
}
