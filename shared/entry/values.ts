/**
 * Turning what a cell holds into the canonical text of its column, and the format checks the
 * validator uses. Pure functions, no exceljs: the reader hands plain values in.
 */
import { canonicalCode, isCode } from './codes.js';
import type { ColumnDef } from './columns.js';
import { BIDI_CONTROL_RANGE } from '../unicode.js';

/**
 * OOXML escapes characters XML cannot carry as `_xHHHH_` (Excel writes a control character or a
 * literal "_x0001_" this way); exceljs leaves the escapes in the text.
 */
export function decodeOoxmlEscapes(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The inverse, for writing: a literal "_x0041_" must survive a round trip through Excel. */
export function encodeOoxmlEscapes(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x[0-9A-Fa-f]{4}_/g, (m) => `_x005F_${m.slice(1)}`);
}

// C0 and C1 controls other than tab, line feed and carriage return (handled as whitespace), and the
// bidirectional controls (LRM/RLM, embeddings, overrides, isolates): invisible, they make a name display
// differently from what is stored ("Nguyễn \u202Ena Vnăv" shows as "Nguyễn văN an"), so they are refused too.
const CONTROL = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F${BIDI_CONTROL_RANGE}]`, 'g');
// Invisible format characters pasted from web pages (zero-width spaces, BOM): dropped silently.
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
/**
 * Text that needs more than a trim: characters outside printable Latin (ASCII, Latin-1, Latin
 * Extended-A/B and the precomposed Vietnamese letters of Latin Extended Additional — all already NFC),
 * a double space, or an OOXML escape. Most cells of a Vietnamese register pass this one test.
 */
const NEEDS_WORK = /[^\u0020-\u007E\u00A1-\u024F\u1E00-\u1EFF]| {2}|_x[0-9A-Fa-f]{4}_/;

export interface CleanText {
  text: string | null;
  /** Control characters found and removed, as "U+0007". */
  controls: string[];
}

/**
 * NFC, escapes decoded, control characters removed (and reported), whitespace runs collapsed,
 * trimmed; line breaks kept only in multiline columns. Empty → null.
 */
export function cleanText(raw: string, multiline = false): CleanText {
  const sink: TextSink = {};
  const text = cleanCellText(raw, multiline, sink);
  return { text, controls: sink.controls ?? [] };
}

/** Findings of `cleanCellText` / `canonicalText`, in a reusable object (no allocation per cell). */
export interface TextSink {
  /** Control characters found and removed, as "U+0007". */
  controls?: string[];
  /** The canonical date when a date's separators or order were changed. */
  dateChangedTo?: string;
}

/** `cleanText` without allocating a result: control characters go to `sink.controls` (reset on each call). */
export function cleanCellText(raw: string, multiline: boolean, sink: TextSink): string | null {
  sink.controls = undefined;
  let s = raw;
  if (!NEEDS_WORK.test(s)) {
    s = s.trim();
    return s === '' ? null : s;
  }
  s = decodeOoxmlEscapes(s).normalize('NFC');
  const found = s.match(CONTROL);
  if (found) {
    sink.controls = [...new Set(found)].map((c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    s = s.replace(CONTROL, '');
  }
  s = s.replace(INVISIBLE, '').replace(/\r\n?/g, '\n');
  if (multiline) {
    s = s
      .split('\n')
      .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  } else {
    s = s.replace(/\s+/g, ' ').trim();
  }
  return s === '' ? null : s;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A JS date from exceljs (UTC midnight for date cells) as dd.mm.yyyy. */
export function formatDate(d: Date): string {
  return `${pad2(d.getUTCDate())}.${pad2(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}

/** Date formats a legacy mapping may declare for text dates. */
export type DateFormat = 'dd.mm.yyyy' | 'dd/mm/yyyy' | 'mm/dd/yyyy' | 'yyyy-mm-dd';

export interface NormalisedDate {
  value: string;
  /** True when the separators or order were changed (a warning for Ministry files). */
  changed: boolean;
}

/**
 * Canonical dd.mm.yyyy for text dates: "5.3.2008" → "05.03.2008" (silently, the Ministry form with
 * single digits); "05/03/2008", "05-03-2008", "2008-03-05" → "05.03.2008" (changed: reported as a
 * warning). Day-month order is Vietnamese (d/m) unless a legacy mapping says otherwise. Text that
 * does not look like a date is returned unchanged for the validator to reject. Calendar validity
 * (31.02) is not checked here.
 */
export function normaliseDateText(s: string, format?: DateFormat): NormalisedDate {
  let m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  if (m) return { value: `${pad2(+m[1]!)}.${pad2(+m[2]!)}.${m[3]}`, changed: false };
  const declared = format !== undefined && format !== 'dd.mm.yyyy';
  m = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(s);
  if (m && format !== 'yyyy-mm-dd') {
    const [a, b] = format === 'mm/dd/yyyy' ? [m[2]!, m[1]!] : [m[1]!, m[2]!];
    return { value: `${pad2(+a)}.${pad2(+b)}.${m[3]}`, changed: !declared };
  }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return { value: `${pad2(+m[3]!)}.${pad2(+m[2]!)}.${m[1]}`, changed: !declared };
  return { value: s, changed: false };
}

export type DateCheck = { ok: true; year: number; month?: number; day?: number; yearOnly: boolean; key: number } | { ok: false; problem: 'format' | 'invalid' };

/** Checks canonical text against dd.mm.yyyy (or yyyy when allowed). `key` is yyyymmdd (yyyy0000 for a year). */
export function checkDate(value: string, allowYearOnly: boolean): DateCheck {
  if (allowYearOnly && /^\d{4}$/.test(value)) {
    const year = +value;
    return { ok: true, year, yearOnly: true, key: year * 10000 };
  }
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(value);
  if (!m) return { ok: false, problem: 'format' };
  const day = +m[1]!;
  const month = +m[2]!;
  const year = +m[3]!;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { ok: false, problem: 'invalid' };
  return { ok: true, year, month, day, yearOnly: false, key: year * 10000 + month * 100 + day };
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS[month - 1]!;
}

/** "15/2008" → { n: 15, year: 2008 }; anything else → undefined. */
export function parseSoDangKy(value: string): { n: number; year: number } | undefined {
  const m = /^(\d{1,6})\/(\d{4})$/.exec(value);
  if (!m) return undefined;
  return { n: +m[1]!, year: +m[2]! };
}

const CANONICAL_DATE = /^(\d{2}\.\d{2}\.\d{4}|\d{4})$/;

/**
 * Canonical text for a column from cleaned, non-empty text (no checking beyond what makes it
 * canonical). A date whose separators or order were changed is noted in `sink.dateChangedTo`
 * (reset on each call).
 */
export function canonicalText(col: ColumnDef, text: string, dateFormat: DateFormat | undefined, sink: TextSink): string {
  sink.dateChangedTo = undefined;
  switch (col.type) {
    case 'date':
    case 'dateOrYear': {
      if (CANONICAL_DATE.test(text)) return text;
      const d = normaliseDateText(text, dateFormat);
      if (d.changed) sink.dateChangedTo = d.value;
      return d.value;
    }
    case 'code':
      return isCode(col.codes!, text) ? text : (canonicalCode(col.codes!, text) ?? text);
    case 'soDangKy':
      // "15 / 2008" is the same number as "15/2008".
      return text.includes(' ') ? text.replace(/\s+/g, '') : text;
    case 'idNumber':
      // ID numbers are keyed in groups ("001 234 567 890"); the groups are not part of the number.
      return /[\s.]/.test(text) ? text.replace(/[\s.]+/g, '') : text;
    default:
      return text;
  }
}

/** Today as yyyymmdd in Vietnam (UTC+7, no daylight saving): "future" is judged by the commune's calendar. */
export function todayKey(now: Date = new Date()): number {
  const vn = new Date(now.getTime() + 7 * 3600_000);
  return vn.getUTCFullYear() * 10000 + (vn.getUTCMonth() + 1) * 100 + vn.getUTCDate();
}
