/**
 * Fellegi–Sunter scoring. Each field comparison lands on an agreement level; each level has
 * m = P(level | same person) and u = P(level | two different persons), and contributes
 * log2(m / u) bits. Where a level means "both sides share this value", u is the frequency of that
 * value in the extract itself (term-frequency adjustment): agreeing on "Nguyễn Văn Hùng" is weaker
 * evidence than agreeing on "Lò Văn Pảo", and 01.01.1960, a placeholder for unknown birthdays, is
 * weaker than 17.08.1960. The score of a candidate is the log2 posterior odds:
 * prior + Σ weights, prior = log2(pInRegister / (1 − pInRegister) / N). Pure, no I/O.
 */
import { CardLevel, DateLevel, formatPartialDate, NameLevel, type PartialDate, parsePartialDate, type SexCode, SexLevel, YearLevel } from './compare.js';
import { analyseName, type NameForm } from './normalise.js';
import { type FieldScore, MatchField } from './schema.js';
import { CARD, cardLevel, DATE, dateLevel, type EntryTable, NAME, type NameTable, type Row, rowOf, SEX, sexLevel, YEAR, yearLevel } from './table.js';

export interface LevelParams {
  /** P(level | same person). */
  m: number;
  /** P(level | different persons); replaced by the extract's frequency of the shared value when `tf`. */
  u: number;
  /** u comes from term frequencies in the extract (see `TermFrequencies`). */
  tf?: boolean;
  /** A contradiction: the record is not MATCHED automatically, whatever the score. */
  blocksMatch?: boolean;
  /** Reported in the result's `diff` (a substantive difference or a slip worth correcting). */
  diff?: boolean;
}

type LevelsOf = {
  fullName: NameLevel;
  sex: SexLevel;
  dateOfBirth: DateLevel;
  fatherName: NameLevel;
  fatherBirthYear: YearLevel;
  motherName: NameLevel;
  motherBirthYear: YearLevel;
  idCardNumber: CardLevel;
};

/** m/u per field and level; `missing` always weighs 0 and is not configurable. */
export type ModelParams = { [F in MatchField]: Record<Exclude<LevelsOf[F], 'missing'>, LevelParams> };

const parentName = (): ModelParams['fatherName'] => ({
  exact: { m: 0.85, u: 0, tf: true },
  // Typing without diacritics says nothing about identity: same m as exact, u of the folded name.
  unaccented: { m: 0.85, u: 0, tf: true },
  keying: { m: 0.04, u: 0, tf: true, diff: true },
  marksDiffer: { m: 0.01, u: 0, tf: true, diff: true },
  close: { m: 0.04, u: 0.001, diff: true },
  partial: { m: 0.03, u: 0.005, diff: true, blocksMatch: true },
  different: { m: 0.03, u: 0.99, diff: true, blocksMatch: true },
});

const parentYear = (): ModelParams['fatherBirthYear'] => ({
  exact: { m: 0.85, u: 0, tf: true },
  off1: { m: 0.08, u: 0, tf: true, diff: true },
  different: { m: 0.07, u: 0.95, diff: true, blocksMatch: true },
});

/**
 * Default m/u. The m values are judgement calls about data keyed from paper books (documented in
 * docs/matching.md); u values with `tf` are computed from the extract, the others are fixed.
 * What blocks an automatic match: any contradiction in the person's own name (beyond diacritics and
 * keying slips), date of birth (beyond year-only precision) or sex, and a parent's name or birth
 * year that is wholly different. A typo in a parent's name, a parent's birth year one year off or
 * another identity-card number is reported in `diff` but does not block.
 */
export const DEFAULT_PARAMS: ModelParams = {
  fullName: {
    exact: { m: 0.8, u: 0, tf: true },
    unaccented: { m: 0.8, u: 0, tf: true },
    keying: { m: 0.04, u: 0, tf: true, diff: true },
    marksDiffer: { m: 0.005, u: 0, tf: true, diff: true, blocksMatch: true },
    close: { m: 0.02, u: 0.0005, diff: true, blocksMatch: true },
    partial: { m: 0.01, u: 0.004, diff: true, blocksMatch: true },
    different: { m: 0.005, u: 0.99, diff: true, blocksMatch: true },
  },
  sex: {
    agree: { m: 0.98, u: 0, tf: true },
    disagree: { m: 0.02, u: 0.5, diff: true, blocksMatch: true },
  },
  dateOfBirth: {
    exact: { m: 0.95, u: 0, tf: true },
    yearOnly: { m: 0.95, u: 0, tf: true },
    swapped: { m: 0.01, u: 0, tf: true, diff: true, blocksMatch: true },
    sameYear: { m: 0.015, u: 0, tf: true, diff: true, blocksMatch: true },
    yearOff: { m: 0.01, u: 0, tf: true, diff: true, blocksMatch: true },
    different: { m: 0.015, u: 0.97, diff: true, blocksMatch: true },
  },
  fatherName: parentName(),
  fatherBirthYear: parentYear(),
  motherName: parentName(),
  motherBirthYear: parentYear(),
  idCardNumber: {
    exact: { m: 0.95, u: 0, tf: true },
    // Cards are replaced (lost, moved province): another number is a difference to note, not a contradiction.
    different: { m: 0.1, u: 0.999, diff: true },
  },
};

/**
 * Floors for term-frequency u: a name seen once or twice in an extract of 100,000 is not evidence of
 * a one-in-a-million name, only of a rare one (the extract is a sample of the population).
 */
export const DEFAULT_TF_MIN_U: Record<MatchField, number> = {
  fullName: 2e-5,
  sex: 0.01,
  dateOfBirth: 1e-5,
  fatherName: 2e-5,
  fatherBirthYear: 1e-3,
  motherName: 2e-5,
  motherBirthYear: 1e-3,
  idCardNumber: 0,
};

export interface ModelOptions {
  /** Overrides per field and level, merged over `DEFAULT_PARAMS`. */
  params?: { [F in MatchField]?: Partial<{ [L in keyof ModelParams[F]]: Partial<LevelParams> }> };
  tfMinU?: Partial<Record<MatchField, number>>;
  /** Share of book persons expected to be in the extract; sets the prior. Default 0.9. */
  pInRegister?: number;
}

export interface Model {
  params: ModelParams;
  tfMinU: Record<MatchField, number>;
  pInRegister: number;
}

export function resolveModel(opts: ModelOptions = {}): Model {
  const params = structuredClone(DEFAULT_PARAMS) as unknown as Record<string, Record<string, LevelParams>>;
  for (const [field, levels] of Object.entries(opts.params ?? {})) {
    for (const [level, over] of Object.entries(levels ?? {})) {
      const target = params[field]?.[level];
      if (target) Object.assign(target, over);
    }
  }
  return {
    params: params as unknown as ModelParams,
    tfMinU: { ...DEFAULT_TF_MIN_U, ...opts.tfMinU },
    pInRegister: opts.pInRegister ?? 0.9,
  };
}

// ---------------------------------------------------------------------------------------------
// Features: what is compared, computed once per person

/** A person reduced to what the comparisons need (for an extract entry or a book record). */
export interface PersonFeatures {
  name: NameForm;
  sex: SexCode;
  dob?: PartialDate;
  dobText?: string;
  father?: NameForm;
  fatherYear?: number;
  mother?: NameForm;
  motherYear?: number;
  card?: string;
  /** Register side only. */
  idNumber: string;
}

export interface PersonFields {
  fullName: string;
  sex: SexCode;
  dateOfBirth?: string;
  fatherName?: string;
  fatherBirthYear?: number;
  motherName?: string;
  motherBirthYear?: number;
  idCardNumber?: string;
  idNumber?: string;
}

/** Interns analysed names: siblings share parents' names, and common names repeat thousands of times. */
export type NameCache = Map<string, NameForm>;

function cachedName(raw: string | undefined, cache: NameCache, fallback?: NameCache): NameForm | undefined {
  if (raw === undefined) return undefined;
  let form = fallback?.get(raw) ?? cache.get(raw);
  if (!form) {
    form = analyseName(raw);
    cache.set(raw, form);
  }
  return form.key === '' ? undefined : form;
}

/**
 * @throws InvalidInput when the date of birth is not dd.mm.yyyy or yyyy.
 */
export function featurise(p: PersonFields, cache: NameCache, fallback?: NameCache): PersonFeatures {
  const dob = p.dateOfBirth === undefined ? undefined : parsePartialDate(p.dateOfBirth);
  return {
    name: cachedName(p.fullName, cache, fallback) ?? analyseName(''),
    sex: p.sex,
    dob,
    dobText: dob && formatPartialDate(dob),
    father: cachedName(p.fatherName, cache, fallback),
    fatherYear: p.fatherBirthYear,
    mother: cachedName(p.motherName, cache, fallback),
    motherYear: p.motherBirthYear,
    card: p.idCardNumber,
    idNumber: p.idNumber ?? '',
  };
}

// ---------------------------------------------------------------------------------------------
// Term frequencies from the extract

/**
 * Frequencies of values in the extract, counted once on the columns: names by interned key, dates
 * and years by number. Each frequency is count / (entries that have the field).
 */
export class TermFrequencies {
  private readonly exactNames: Int32Array;
  private readonly foldedNames: Int32Array;
  private readonly fathers: Int32Array;
  private readonly mothers: Int32Array;
  private readonly dates = new Map<number, number>();
  private readonly years = new Int32Array(10_000);
  private readonly fatherYears = new Int32Array(10_000);
  private readonly motherYears = new Int32Array(10_000);
  private readonly sexes = new Int32Array(4);
  private readonly names: NameTable;
  readonly totals = { entries: 0, names: 0, dates: 0, fullDates: 0, fathers: 0, mothers: 0, fatherYears: 0, motherYears: 0, sexes: 0 };

  constructor(t: EntryTable, names: NameTable) {
    this.names = names;
    const strings = names.stringCount;
    this.exactNames = new Int32Array(strings);
    this.foldedNames = new Int32Array(strings);
    this.fathers = new Int32Array(strings);
    this.mothers = new Int32Array(strings);
    const totals = this.totals;
    const n = t.name.length;
    totals.entries = n;
    for (let i = 0; i < n; i++) {
      const name = t.name[i]!;
      if (name >= 0) {
        totals.names++;
        this.exactNames[names.exactKey[name]!]!++;
        this.foldedNames[names.key[name]!]!++;
      }
      const father = t.father[i]!;
      if (father >= 0) {
        totals.fathers++;
        this.fathers[names.key[father]!]!++;
      }
      const mother = t.mother[i]!;
      if (mother >= 0) {
        totals.mothers++;
        this.mothers[names.key[mother]!]!++;
      }
      const y = t.year[i]!;
      if (y > 0) {
        totals.dates++;
        this.years[y]!++;
        if (t.day[i]! > 0) {
          totals.fullDates++;
          const k = dayKey(y, t.month[i]!, t.day[i]!);
          this.dates.set(k, (this.dates.get(k) ?? 0) + 1);
        }
      }
      if (t.fatherYear[i]! > 0) {
        totals.fatherYears++;
        this.fatherYears[t.fatherYear[i]!]!++;
      }
      if (t.motherYear[i]! > 0) {
        totals.motherYears++;
        this.motherYears[t.motherYear[i]!]!++;
      }
      if (t.sex[i] !== 3) {
        totals.sexes++;
        this.sexes[t.sex[i]!]!++;
      }
    }
  }

  private static share(counts: Int32Array, i: number, total: number): number {
    return i < 0 || i >= counts.length || total === 0 ? 0 : counts[i]! / total;
  }
  /** Share of entries whose name has exactly these letters, marks and tones. */
  exactName(nameId: number): number {
    return nameId < 0 ? 0 : TermFrequencies.share(this.exactNames, this.names.exactKey[nameId]!, this.totals.names);
  }
  /** Share of entries whose name has these letters, diacritics aside. */
  foldedName(nameId: number): number {
    return nameId < 0 ? 0 : TermFrequencies.share(this.foldedNames, this.names.key[nameId]!, this.totals.names);
  }
  father(nameId: number): number {
    return nameId < 0 ? 0 : TermFrequencies.share(this.fathers, this.names.key[nameId]!, this.totals.fathers);
  }
  mother(nameId: number): number {
    return nameId < 0 ? 0 : TermFrequencies.share(this.mothers, this.names.key[nameId]!, this.totals.mothers);
  }
  date(year: number, month: number, day: number): number {
    return this.totals.fullDates === 0 ? 0 : (this.dates.get(dayKey(year, month, day)) ?? 0) / this.totals.fullDates;
  }
  year(y: number): number {
    return TermFrequencies.share(this.years, y, this.totals.dates);
  }
  fatherYear(y: number): number {
    return TermFrequencies.share(this.fatherYears, y, this.totals.fatherYears);
  }
  motherYear(y: number): number {
    return TermFrequencies.share(this.motherYears, y, this.totals.motherYears);
  }
  sex(s: number): number {
    return TermFrequencies.share(this.sexes, s, this.totals.sexes);
  }
}

const dayKey = (y: number, m: number, d: number) => y * 372 + (m - 1) * 31 + (d - 1);

// ---------------------------------------------------------------------------------------------
// Scoring

export const FIELDS: readonly MatchField[] = MatchField.options;
const LEVELS: Record<MatchField, readonly string[]> = {
  fullName: NameLevel,
  sex: SexLevel,
  dateOfBirth: DateLevel,
  fatherName: NameLevel,
  fatherBirthYear: YearLevel,
  motherName: NameLevel,
  motherBirthYear: YearLevel,
  idCardNumber: CardLevel,
};
/** Slots per field in the flat per-record tables (the most levels any field has); `i >> 3` is the field. */
const SLOTS = 8;
const NAME_IDX = NAME;
const DATE_IDX = DATE;
const SEX_IDX = SEX;
const YEAR_IDX = YEAR;
const CARD_IDX = CARD;

export const FIELD_COUNT = FIELDS.length;
const FIELD_INDEX = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<MatchField, number>;
/** Every level list ends with `missing`. */
const MISSING = FIELDS.map((f) => LEVELS[f].length - 1);

/** A record prepared for scoring: its features, its row of column values, its per-level u and weight tables. */
export interface RecordContext {
  features: PersonFeatures;
  row: Row;
  u: Float64Array;
  weight: Float64Array;
  prior: number;
}

/** Compiled model: parameters as flat tables, plus the extract's term frequencies. */
export class Scorer {
  readonly model: Model;
  readonly tf: TermFrequencies;
  private readonly m = new Float64Array(FIELD_COUNT * SLOTS);
  private readonly fixedU = new Float64Array(FIELD_COUNT * SLOTS);
  private readonly usesTf = new Uint8Array(FIELD_COUNT * SLOTS);
  /** 1 when the level blocks an automatic match, per field × level. */
  readonly blocks = new Uint8Array(FIELD_COUNT * SLOTS);
  readonly inDiff = new Uint8Array(FIELD_COUNT * SLOTS);

  private readonly floor: Float64Array;
  private readonly priorLog2: number;
  private readonly share = new Float64Array(FIELD_COUNT * SLOTS);
  private readonly u = new Float64Array(FIELD_COUNT * SLOTS);
  private readonly weight = new Float64Array(FIELD_COUNT * SLOTS);

  constructor(model: Model, tf: TermFrequencies) {
    this.model = model;
    this.tf = tf;
    this.floor = Float64Array.from(FIELDS.map((f) => model.tfMinU[f]));
    this.priorLog2 = this.prior();
    FIELDS.forEach((field, f) => {
      const levels = model.params[field] as Record<string, LevelParams>;
      LEVELS[field].forEach((level, l) => {
        const p = levels[level];
        if (!p) return; // missing
        const i = f * SLOTS + l;
        this.m[i] = p.m;
        this.fixedU[i] = p.u;
        this.usesTf[i] = p.tf ? 1 : 0;
        this.blocks[i] = p.blocksMatch ? 1 : 0;
        this.inDiff[i] = p.diff ? 1 : 0;
      });
    });
  }

  /** The prior log2 odds that a given extract entry is the record's person. */
  prior(): number {
    const p = this.model.pInRegister;
    return Math.log2(p / (1 - p)) - Math.log2(Math.max(1, this.tf.totals.entries));
  }

  /**
   * Builds the record's u and weight tables: term frequencies are those of the record's own values.
   * The tables are buffers reused by the next call (records are scored one at a time): use the
   * context before preparing the next record.
   */
  prepare(r: PersonFeatures, names: NameTable): RecordContext {
    const tf = this.tf;
    const row = rowOf(r, names);
    // The frequency in the extract of each value the record would share with a candidate, per slot.
    const share = this.share.fill(0);
    const put = (f: number, level: number, value: number) => {
      share[f * SLOTS + level] = value;
    };
    put(0, NAME_IDX.exact, tf.exactName(row.name));
    const folded = tf.foldedName(row.name);
    for (const l of [NAME_IDX.unaccented, NAME_IDX.keying, NAME_IDX.marksDiffer]) put(0, l, folded);
    put(1, SEX_IDX.agree, tf.sex(row.sex));
    if (row.year > 0) {
      put(2, DATE_IDX.yearOnly, tf.year(row.year));
      put(2, DATE_IDX.sameYear, tf.year(row.year));
      put(2, DATE_IDX.yearOff, tf.year(row.year - 1) + tf.year(row.year + 1));
      if (row.day > 0) {
        put(2, DATE_IDX.exact, tf.date(row.year, row.month, row.day));
        if (row.day <= 12) put(2, DATE_IDX.swapped, tf.date(row.year, row.day, row.month));
      }
    }
    const father = tf.father(row.father);
    const mother = tf.mother(row.mother);
    for (const l of [NAME_IDX.exact, NAME_IDX.unaccented, NAME_IDX.keying, NAME_IDX.marksDiffer]) {
      put(3, l, father);
      put(5, l, mother);
    }
    if (row.fatherYear > 0) {
      put(4, YEAR_IDX.exact, tf.fatherYear(row.fatherYear));
      put(4, YEAR_IDX.off1, tf.fatherYear(row.fatherYear - 1) + tf.fatherYear(row.fatherYear + 1));
    }
    if (row.motherYear > 0) {
      put(6, YEAR_IDX.exact, tf.motherYear(row.motherYear));
      put(6, YEAR_IDX.off1, tf.motherYear(row.motherYear - 1) + tf.motherYear(row.motherYear + 1));
    }
    put(7, CARD_IDX.exact, 1 / Math.max(1, tf.totals.entries));

    const u = this.u.fill(0);
    const weight = this.weight.fill(0);
    for (let i = 0; i < u.length; i++) {
      if (this.m[i] === 0) continue; // missing: weight 0
      const ui = this.usesTf[i] ? Math.max(share[i]!, this.floor[i >> 3]!, 1e-12) : this.fixedU[i]!;
      u[i] = ui;
      weight[i] = Math.log2(this.m[i]! / ui);
    }
    return { features: r, row, u, weight, prior: this.priorLog2 };
  }

  /**
   * Compares every field of the record with entry `i`; writes each field's level index into
   * `levels`; returns the score, or NaN when the candidate is not plausible (see `isPlausible`:
   * the other fields are then not compared).
   */
  score(ctx: RecordContext, names: NameTable, t: EntryTable, i: number, levels: Uint8Array): number {
    const r = ctx.row;
    levels[0] = names.level(r.name, t.name[i]!);
    levels[2] = dateLevel(r, t, i);
    levels[7] = cardLevel(r, t, i);
    if (!isPlausible(levels)) return Number.NaN;
    levels[1] = sexLevel(r, t, i);
    levels[3] = names.level(r.father, t.father[i]!);
    levels[4] = yearLevel(r.fatherYear, t.fatherYear[i]!);
    levels[5] = names.level(r.mother, t.mother[i]!);
    levels[6] = yearLevel(r.motherYear, t.motherYear[i]!);
    const w = ctx.weight;
    return (
      ctx.prior +
      w[levels[0]!]! +
      w[8 + levels[1]!]! +
      w[16 + levels[2]!]! +
      w[24 + levels[3]!]! +
      w[32 + levels[4]!]! +
      w[40 + levels[5]!]! +
      w[48 + levels[6]!]! +
      w[56 + levels[7]!]!
    );
  }

  levelName(f: number, level: number): string {
    return LEVELS[FIELDS[f]!][level]!;
  }

  blocksMatch(levels: Uint8Array): boolean {
    for (let f = 0; f < FIELD_COUNT; f++) if (this.blocks[f * SLOTS + levels[f]!]) return true;
    return false;
  }

  isDiff(f: number, level: number): boolean {
    return this.inDiff[f * SLOTS + level] === 1;
  }

  /** Whether a level (by field and level name) is reported in `diff`. */
  levelInDiff(field: MatchField, level: string): boolean {
    const l = LEVELS[field].indexOf(level);
    return l >= 0 && this.inDiff[FIELD_INDEX[field] * SLOTS + l] === 1;
  }

  levelBlocks(field: MatchField, level: string): boolean {
    const l = LEVELS[field].indexOf(level);
    return l >= 0 && this.blocks[FIELD_INDEX[field] * SLOTS + l] === 1;
  }

  isMissing(f: number, level: number): boolean {
    return level === MISSING[f];
  }

  fieldWeight(ctx: RecordContext, f: number, level: number): number {
    return ctx.weight[f * SLOTS + level]!;
  }

  isBlocking(f: number, level: number): boolean {
    return this.blocks[f * SLOTS + level] === 1;
  }

  /** The per-field breakdown of one candidate's score, with both sides' values as written. */
  breakdown(ctx: RecordContext, e: PersonFeatures, levels: Uint8Array): FieldScore[] {
    const r = ctx.features;
    return FIELDS.map((field, f) => {
      const i = f * SLOTS + levels[f]!;
      const book = displayValue(field, r);
      const register = displayValue(field, e);
      return {
        field,
        level: this.levelName(f, levels[f]!),
        weight: ctx.weight[i]!,
        m: this.m[i]!,
        u: ctx.u[i]!,
        termFrequency: this.usesTf[i] === 1,
        ...(book === undefined ? {} : { book }),
        ...(register === undefined ? {} : { register }),
      };
    });
  }
}

/**
 * Evidence beyond name, sex and birth year: the full date of birth, a parent's name (diacritics and
 * keying slips aside) or the identity card agrees.
 */
export function isCorroborated(levels: Uint8Array): boolean {
  const parentAgrees = (l: number) => l <= NAME_IDX.keying!;
  return levels[2] === DATE_IDX.exact || parentAgrees(levels[3]!) || parentAgrees(levels[5]!) || levels[7] === CARD_IDX.exact;
}

/**
 * A candidate is about this person, not a relative: its name is at least partly the same, or its
 * date of birth agrees (twins: same parents and date, other name), or its identity card agrees.
 * Without this, a sibling of an absent person (same parents, other name and date) would be "found".
 */
export function isPlausible(levels: Uint8Array): boolean {
  return levels[0]! <= NAME_IDX.partial! || levels[2]! <= DATE_IDX.swapped! || levels[7] === CARD_IDX.exact;
}

/** A field's value as written, for breakdowns and diffs. */
export function displayValue(field: MatchField, p: PersonFeatures): string | undefined {
  switch (field) {
    case 'fullName':
      return p.name.display || undefined;
    case 'sex':
      return String(p.sex);
    case 'dateOfBirth':
      return p.dobText;
    case 'fatherName':
      return p.father?.display;
    case 'fatherBirthYear':
      return p.fatherYear === undefined ? undefined : String(p.fatherYear);
    case 'motherName':
      return p.mother?.display;
    case 'motherBirthYear':
      return p.motherYear === undefined ? undefined : String(p.motherYear);
    case 'idCardNumber':
      return p.card;
  }
}
