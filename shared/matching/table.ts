/**
 * The extract as columns for the scoring loop. A record meets tens of candidates scattered over the
 * extract; reading each candidate's fields from objects costs a cache miss per field, so the loop
 * reads small typed arrays instead, and names are compared by interned ids first (equal ids answer
 * most comparisons without touching the names). Results are identical to `compare.ts`, which stays
 * the reference (a unit test checks the two agree). Pure, no I/O.
 */
import { CardLevel, classifyMarks, compareLetters, DateLevel, NameLevel, SexLevel, YearLevel } from './compare.js';
import type { PersonFeatures } from './model.js';
import type { NameForm } from './normalise.js';

const idx = <T extends string>(levels: readonly T[]) => Object.fromEntries(levels.map((l, i) => [l, i])) as Record<T, number>;
export const NAME = idx(NameLevel);
export const DATE = idx(DateLevel);
export const SEX = idx(SexLevel);
export const YEAR = idx(YearLevel);
export const CARD = idx(CardLevel);

/**
 * Every distinct name seen, with interned ids for the parts the comparison checks. Grows as records
 * bring new spellings (a memo: it never changes an answer).
 */
export class NameTable {
  readonly forms: NameForm[] = [];
  private readonly ids = new Map<NameForm, number>();
  private readonly strings = new Map<string, number>();
  exactKey = new Int32Array(1024);
  key = new Int32Array(1024);
  compact = new Int32Array(1024);
  surname = new Int32Array(1024);
  given = new Int32Array(1024);
  compactLength = new Int32Array(1024);

  /** Distinct strings interned so far (ids are below this). */
  get stringCount(): number {
    return this.strings.size;
  }

  private intern(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) {
      id = this.strings.size;
      this.strings.set(s, id);
    }
    return id;
  }

  /** The name's id, -1 for no name. */
  idOf(form: NameForm | undefined): number {
    if (!form || form.key === '') return -1;
    let id = this.ids.get(form);
    if (id !== undefined) return id;
    id = this.forms.length;
    if (id === this.key.length) this.grow();
    this.forms.push(form);
    this.ids.set(form, id);
    this.exactKey[id] = this.intern(form.exactKey);
    this.key[id] = this.intern(form.key);
    this.compact[id] = this.intern(form.compact);
    this.surname[id] = this.intern(form.surname);
    this.given[id] = this.intern(form.given);
    this.compactLength[id] = form.compact.length;
    return id;
  }

  private grow(): void {
    const twice = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.exactKey = twice(this.exactKey);
    this.key = twice(this.key);
    this.compact = twice(this.compact);
    this.surname = twice(this.surname);
    this.given = twice(this.given);
    this.compactLength = twice(this.compactLength);
  }

  /** `compare.nameLevel` by ids, as a `NameLevel` index. */
  level(a: number, b: number): number {
    if (a < 0 || b < 0) return NAME.missing;
    if (a === b) return NAME.exact;
    if (this.key[a] === this.key[b]) return NAME[classifyMarks(this.forms[a]!, this.forms[b]!)];
    if (this.compact[a] === this.compact[b]) return NAME.keying;
    // Letters differ. `close` needs exactly one word different, `partial` the same given name or
    // the same letters in another order: when surname and given name both differ and the lengths
    // differ, neither is possible.
    if (this.given[a] !== this.given[b] && this.surname[a] !== this.surname[b] && this.compactLength[a] !== this.compactLength[b]) return NAME.different;
    return NAME[compareLetters(this.forms[a]!, this.forms[b]!)];
  }
}

/** Column values of one person (an entry's row, or a record). Year 0 and day 0 mean unknown. */
export interface Row {
  name: number;
  father: number;
  mother: number;
  sex: number;
  year: number;
  month: number;
  day: number;
  fatherYear: number;
  motherYear: number;
  card: string | undefined;
  idNumber: string;
}

export function rowOf(f: PersonFeatures, names: NameTable): Row {
  return {
    name: names.idOf(f.name),
    father: names.idOf(f.father),
    mother: names.idOf(f.mother),
    sex: f.sex,
    year: f.dob?.year ?? 0,
    month: f.dob?.month ?? 0,
    day: f.dob?.day ?? 0,
    fatherYear: f.fatherYear ?? 0,
    motherYear: f.motherYear ?? 0,
    card: f.card,
    idNumber: f.idNumber,
  };
}

/** The extract's comparable fields, one typed array per field. */
export class EntryTable {
  readonly name: Int32Array;
  readonly father: Int32Array;
  readonly mother: Int32Array;
  readonly sex: Uint8Array;
  readonly year: Int16Array;
  readonly month: Uint8Array;
  readonly day: Uint8Array;
  readonly fatherYear: Int16Array;
  readonly motherYear: Int16Array;
  readonly card: (string | undefined)[];
  readonly idNumber: string[];

  constructor(features: readonly PersonFeatures[], names: NameTable) {
    const n = features.length;
    this.name = new Int32Array(n);
    this.father = new Int32Array(n);
    this.mother = new Int32Array(n);
    this.sex = new Uint8Array(n);
    this.year = new Int16Array(n);
    this.month = new Uint8Array(n);
    this.day = new Uint8Array(n);
    this.fatherYear = new Int16Array(n);
    this.motherYear = new Int16Array(n);
    this.card = new Array(n);
    this.idNumber = new Array(n);
    features.forEach((f, i) => {
      const r = rowOf(f, names);
      this.name[i] = r.name;
      this.father[i] = r.father;
      this.mother[i] = r.mother;
      this.sex[i] = r.sex;
      this.year[i] = r.year;
      this.month[i] = r.month;
      this.day[i] = r.day;
      this.fatherYear[i] = r.fatherYear;
      this.motherYear[i] = r.motherYear;
      this.card[i] = r.card;
      this.idNumber[i] = r.idNumber;
    });
  }
}

/** `compare.compareDates` on columns, as a `DateLevel` index. */
export function dateLevel(r: Row, t: EntryTable, i: number): number {
  const y = t.year[i]!;
  if (r.year === 0 || y === 0) return DATE.missing;
  const d = t.day[i]!;
  if (r.day === 0 || d === 0) {
    if (r.year === y) return DATE.yearOnly;
    return Math.abs(r.year - y) === 1 ? DATE.yearOff : DATE.different;
  }
  const m = t.month[i]!;
  if (r.year === y) {
    if (r.month === m && r.day === d) return DATE.exact;
    if (r.day === m && r.month === d) return DATE.swapped;
    return DATE.sameYear;
  }
  return Math.abs(r.year - y) === 1 && r.month === m && r.day === d ? DATE.yearOff : DATE.different;
}

/** `compare.compareSex` on columns. */
export function sexLevel(r: Row, t: EntryTable, i: number): number {
  const s = t.sex[i]!;
  if (r.sex === 3 || s === 3) return SEX.missing;
  return r.sex === s ? SEX.agree : SEX.disagree;
}

/** `compare.compareYears` on columns (0 = unknown). */
export function yearLevel(a: number, b: number): number {
  if (a === 0 || b === 0) return YEAR.missing;
  const d = Math.abs(a - b);
  return d === 0 ? YEAR.exact : d === 1 ? YEAR.off1 : YEAR.different;
}

/** `compare.compareCards` on columns. */
export function cardLevel(r: Row, t: EntryTable, i: number): number {
  const book = r.card;
  if (book === undefined) return CARD.missing;
  const card = t.card[i];
  if (book.length === 12) return book === t.idNumber[i] || book === card ? CARD.exact : CARD.different;
  if (card === undefined || card.length !== book.length) return CARD.missing;
  return book === card ? CARD.exact : CARD.different;
}
