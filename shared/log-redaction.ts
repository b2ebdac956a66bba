/**
 * Redaction of personal data in log lines (issue 9, docs/security.md). Pure: the logger applies it to
 * every line's attributes and message. Two nets, because a log call may carry data nobody meant to log:
 *  1. keys: any attribute whose name says it holds personal data (names, dates of birth, ID and document
 *     numbers, addresses, emails, record fields, before/after images, request bodies) is replaced whole;
 *  2. values: in every other string, what looks like an ID number (9–12 digits), a date of birth
 *     (dd.mm.yyyy, dd/mm/yyyy) or an email address is masked.
 */

export const REDACTED = '[redacted]';

/** Attribute names that hold personal data, matched case-insensitively anywhere in the name. */
const SENSITIVE_KEY = /hoten|fullname|givenname|surname|ngaysinh|birth|dob|dinhdanh|giayto|cmnd|cccd|idnumber|assignedid|noicutru|noisinh|quequan|address|email|recipients?$|^to$|^cc$|^fields$|corrections|^before$|^after$|^body$|^rawbody$|^person$|^people$|^subjects?$|^candidates$|^diff$/i;

const PATTERNS: [RegExp, string][] = [
  [/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]'],
  [/\b\d{1,2}[./-]\d{1,2}[./-](19|20)\d{2}\b/g, '[date]'],
  [/(?<![\w-])\d{9,12}(?![\w-])/g, '[number]'],
];

/** A string with ID numbers, dates and emails masked. */
export function redactText(text: string): string {
  let out = text;
  for (const [re, mask] of PATTERNS) out = out.replace(re, mask);
  return out;
}

/** A deep copy of `value` with sensitive keys replaced and strings masked (cycles and depth bounded). */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redact(v, depth + 1, seen);
  return out;
}
