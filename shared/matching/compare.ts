/**
 * Field comparisons between a book record and a population entry: each returns an agreement level
 * that the model (`model.ts`) turns into a weight. Pure, no I/O.
 */
import { InvalidInput } from '../errors.js';
import { analyseName, type NameForm } from './normalise.js';

export { slipKey } from './normalise.js';

// ---------------------------------------------------------------------------------------------
// String similarity

/** Jaro similarity in [0, 1] (0 when either string is empty). */
export function jaro(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const matchedB = new Uint8Array(lb);
  const matchedA = new Uint8Array(la);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (matchedB[j] === 0 && a.charCodeAt(i) === b.charCodeAt(j)) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  // Transpositions: matched characters of a and b, taken in order, that differ (halved).
  let k = 0;
  let halfTranspositions = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions++;
    k++;
  }
  const t = halfTranspositions / 2;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

/**
 * Jaro–Winkler similarity in [0, 1]: Jaro boosted by a common prefix of up to 4 characters
 * (`prefixScale` 0.1 as in Winkler 1990; must not exceed 0.25 or scores pass 1).
 */
export function jaroWinkler(a: string, b: string, prefixScale = 0.1): number {
  const j = jaro(a, b);
  let prefix = 0;
  const max = Math.min(4, a.length, b.length);
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * prefixScale * (1 - j);
}

/** Whether two strings are at most one edit apart (substitution, insertion, deletion or adjacent transposition). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  let j = 0; // common suffix, not overlapping the prefix
  while (j < la - i && j < lb - i && a.charCodeAt(la - 1 - j) === b.charCodeAt(lb - 1 - j)) j++;
  if (la !== lb) return i + j >= Math.min(la, lb); // one insertion or deletion
  if (i + j >= la - 1) return true; // one substitution
  // adjacent transposition: exactly two differing positions i, i + 1, crossed
  return i + j === la - 2 && a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i);
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * Agreement levels for a name, best first:
 * - `exact`: same letters, marks and tones (tone placement "Hoà"/"Hòa", case and spacing ignored);
 * - `unaccented`: same letters, one side typed entirely without diacritics ("Nguyen Thi Thu Ha");
 * - `keying`: same letters, a keying slip: one word lost its marks or tone while the others kept
 *   theirs ("Nguyễn Thi Hà"), final i/y ("Mỹ"/"Mĩ"), Telex/VNI leftovers ("Nguyeenx"), spacing ("ThuHà");
 * - `marksDiffer`: same letters but both sides carry different marks ("Hùng"/"Hưng", "Hà"/"Hạ"): a different name as written;
 * - `close`: one word one edit away or a known spelling slip ("Hùng"/"Hùg", "Thanh"/"Thang");
 * - `partial`: surname and given name agree and a middle name is dropped or added; or the surname
 *   differs under the same distinctive middle and given name; or the words are in another order;
 * - `different`; `missing` when either side has no name.
 */
export const NameLevel = ['exact', 'unaccented', 'keying', 'marksDiffer', 'close', 'partial', 'different', 'missing'] as const;
export type NameLevel = (typeof NameLevel)[number];

export interface NameComparison {
  level: NameLevel;
  /** Diacritics-aware similarity in [0, 1]: 1 exact, < 1 as marks and letters diverge. */
  similarity: number;
}

const SIMILARITY: Partial<Record<NameLevel, number>> = { exact: 1, unaccented: 0.97, keying: 0.95, marksDiffer: 0.9 };

/** The agreement level of two analysed names (see `NameLevel`); the scorer's hot path, no allocation. */
export function nameLevel(a: NameForm, b: NameForm): NameLevel {
  if (a.key === '' || b.key === '') return 'missing';
  if (a.key === b.key) return classifyMarks(a, b);
  if (a.compact === b.compact) return 'keying';
  return compareLetters(a, b);
}

/** Compares two analysed names: the level, and a diacritics-aware similarity in [0, 1]. */
export function compareNames(a: NameForm, b: NameForm): NameComparison {
  const level = nameLevel(a, b);
  const fixed = SIMILARITY[level];
  if (fixed !== undefined) return { level, similarity: fixed };
  if (level === 'missing') return { level, similarity: 0 };
  // Letters differ: Jaro–Winkler word by word when the words line up, on the whole key otherwise.
  if (a.words.length === b.words.length) {
    let sum = 0;
    for (let i = 0; i < a.words.length; i++) sum += jaroWinkler(a.words[i]!.folded, b.words[i]!.folded);
    return { level, similarity: (0.9 * sum) / a.words.length };
  }
  return { level, similarity: 0.9 * jaroWinkler(a.key, b.key) };
}

/** Convenience: analyses and compares two raw names. */
export function compareNameStrings(a: string, b: string): NameComparison {
  return compareNames(analyseName(a), analyseName(b));
}

/** Whether every word of `inner` occurs in `outer` (space-separated folded words). */
function contains(outer: string, inner: string): boolean {
  if (inner === '' || inner === outer) return true;
  if (outer.length <= inner.length) return false;
  if (!inner.includes(' ')) return hasWord(outer, inner);
  for (const w of inner.split(' ')) if (!hasWord(outer, w)) return false;
  return true;
}

function hasWord(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    const end = i + word.length;
    if ((i === 0 || text.charCodeAt(i - 1) === 32) && (end === text.length || text.charCodeAt(end) === 32)) return true;
  }
  return false;
}

/** Same folded letters (`a.key === b.key`): decide what the mark differences mean, word by word. */
export function classifyMarks(a: NameForm, b: NameForm): NameLevel {
  let unaccented = false;
  let keying = false;
  for (let i = 0; i < a.words.length; i++) {
    const wa = a.words[i]!;
    const wb = b.words[i]!;
    if (wa.decoded !== wb.decoded) keying = true;
    if (wa.exact === wb.exact) continue;
    if (!wa.marked || !wb.marked) {
      // A bare word: harmless when the whole name was typed bare, a keying slip when only this word lost its marks.
      if ((!wa.marked && a.unmarked) || (!wb.marked && b.unmarked)) unaccented = true;
      else keying = true;
    } else if (wa.base === wb.base && (wa.tone === wb.tone || wa.tone === 0 || wb.tone === 0)) {
      keying = true; // final i/y, or a tone mark left out
    } else {
      return 'marksDiffer';
    }
  }
  if (keying) return 'keying';
  return unaccented ? 'unaccented' : 'exact';
}

/** Different folded letters (`a.key !== b.key`, `a.compact !== b.compact`): grade by which parts of the name differ. */
export function compareLetters(a: NameForm, b: NameForm): NameLevel {
  const wa = a.words;
  const wb = b.words;
  if (wa.length === wb.length) {
    let differing = -1;
    let count = 0;
    for (let i = 0; i < wa.length && count < 2; i++) {
      if (wa[i]!.folded !== wb[i]!.folded) {
        differing = i;
        count++;
      }
    }
    if (count === 1) {
      const x = wa[differing]!;
      const y = wb[differing]!;
      if (x.slip === y.slip || withinOneEdit(x.folded, y.folded)) return 'close';
    }
  }
  if (a.given === b.given) {
    // A middle name dropped or added ("Nguyễn Thị Thu Hà" / "Nguyễn Thu Hà"), not replaced: Văn Hùng and Đức Hùng are two people.
    if (a.surname === b.surname && (contains(a.middle, b.middle) || contains(b.middle, a.middle))) return 'partial';
    // The surname changed (recognition, adoption) under a distinctive middle name.
    if (a.middle === b.middle && a.middle !== '' && a.middle !== 'van' && a.middle !== 'thi') return 'partial';
  }
  if (wa.length === wb.length && wa.length > 1 && a.compact.length === b.compact.length) {
    const sa = wa.map((w) => w.folded).sort();
    const sb = wb.map((w) => w.folded).sort();
    if (sa.every((w, i) => w === sb[i])) return 'partial'; // word order
  }
  return 'different';
}

// ---------------------------------------------------------------------------------------------
// Dates of birth

/** A date as written in the Ministry template: dd.mm.yyyy, or yyyy alone when only the year is known. */
export interface PartialDate {
  year: number;
  month?: number;
  day?: number;
}

const DATE_RE = /^(?:(\d{2})\.(\d{2})\.)?(\d{4})$/;

/** Whether `s` is a real calendar date in dd.mm.yyyy form, or a bare yyyy. */
export function isPartialDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  if (m[1] === undefined) return true;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/**
 * Parses "dd.mm.yyyy" or "yyyy".
 * @throws InvalidInput when the text is neither, or not a real calendar date.
 */
export function parsePartialDate(s: string): PartialDate {
  const m = DATE_RE.exec(s.trim());
  if (!m || !isPartialDate(s.trim())) throw new InvalidInput('Ngày sinh phải có dạng dd.mm.yyyy hoặc yyyy', { value: s });
  return m[1] === undefined ? { year: Number(m[3]) } : { year: Number(m[3]), month: Number(m[2]), day: Number(m[1]) };
}

export function formatPartialDate(d: PartialDate): string {
  if (d.day === undefined || d.month === undefined) return String(d.year);
  return `${String(d.day).padStart(2, '0')}.${String(d.month).padStart(2, '0')}.${d.year}`;
}

/**
 * Agreement levels for a date of birth:
 * - `exact`: both full dates, equal;
 * - `yearOnly`: one side is year-only and the years agree (less evidence, no contradiction);
 * - `swapped`: same year, day and month exchanged (05.03 vs 03.05), a classic keying slip;
 * - `sameYear`: same year, other day/month; `yearOff`: one year apart, day and month equal (or unknown);
 * - `different`; `missing` when either side has no date.
 */
export const DateLevel = ['exact', 'yearOnly', 'swapped', 'sameYear', 'yearOff', 'different', 'missing'] as const;
export type DateLevel = (typeof DateLevel)[number];

export function compareDates(a: PartialDate | undefined, b: PartialDate | undefined): DateLevel {
  if (!a || !b) return 'missing';
  const full = a.day !== undefined && b.day !== undefined;
  if (!full) {
    if (a.year === b.year) return 'yearOnly';
    return Math.abs(a.year - b.year) === 1 ? 'yearOff' : 'different';
  }
  if (a.year === b.year) {
    if (a.month === b.month && a.day === b.day) return 'exact';
    if (a.day === b.month && a.month === b.day) return 'swapped';
    return 'sameYear';
  }
  return Math.abs(a.year - b.year) === 1 && a.month === b.month && a.day === b.day ? 'yearOff' : 'different';
}

// ---------------------------------------------------------------------------------------------
// Sex, years, identity cards

/** Sex as coded by the Ministry (`GioiTinh`): 1 male, 2 female, 3 unknown. */
export type SexCode = 1 | 2 | 3;

export const SexLevel = ['agree', 'disagree', 'missing'] as const;
export type SexLevel = (typeof SexLevel)[number];

/** Unknown (3) on either side counts as missing, not as a disagreement. */
export function compareSex(a: SexCode | undefined, b: SexCode | undefined): SexLevel {
  if (a === undefined || b === undefined || a === 3 || b === 3) return 'missing';
  return a === b ? 'agree' : 'disagree';
}

/** A parent's birth year: equal, one year apart (age given instead of year, or a slip), or different. */
export const YearLevel = ['exact', 'off1', 'different', 'missing'] as const;
export type YearLevel = (typeof YearLevel)[number];

export function compareYears(a: number | undefined, b: number | undefined): YearLevel {
  if (a === undefined || b === undefined) return 'missing';
  const d = Math.abs(a - b);
  return d === 0 ? 'exact' : d === 1 ? 'off1' : 'different';
}

export const CardLevel = ['exact', 'different', 'missing'] as const;
export type CardLevel = (typeof CardLevel)[number];

/**
 * Identity-card numbers compare only like with like: a 9-digit CMND with a 9-digit CMND, a 12-digit
 * CCCD with a 12-digit CCCD or with the personal ID number (a CCCD's number is the personal ID number).
 */
export function compareCards(book: string | undefined, card: string | undefined, idNumber: string): CardLevel {
  if (book === undefined) return 'missing';
  if (book.length === 12) return book === idNumber || book === card ? 'exact' : 'different';
  if (card === undefined || card.length !== book.length) return 'missing';
  return book === card ? 'exact' : 'different';
}
