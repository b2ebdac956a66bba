/**
 * Fellegi–Sunter scoring. Each field comparison lands on an agreement level; each level has
 * m = P(level | same person) and u = P(level | two different persons), and contributes
 * log2(m / u) bits. Where a level means "both sides share this value", u is the frequency of that
 * value in the extract itself (term-frequency adjustment): agreeing on "Nguyễn Văn Hùng" is weaker
 * evidence than agreeing on "Lò Văn Pảo", and 01.01.1960, a placeholder for unknown birthdays, is
 * weaker than 17.08.1960. The score of a candidate is the log2 posterior odds:
 * prior + Σ weights, prior = log2(pInRegister / (1 − pInRegister) / N). Pure, no I/O.
 */
import {
  CardLevel,
  compareCards,
  compareDates,
  compareNames,
  compareSex,
  compareYears,
  DateLevel,
  formatPartialDate,
  NameLevel,
  type PartialDate,
  parsePartialDate,
  type SexCode,
  SexLevel,
  YearLevel,
} from './compare.js';
import { analyseName, type NameForm } from './normalise.js';
import { type FieldScore, MatchField } from './schema.js';

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
 * keying slips), date of birth (beyond year-only precision), sex or identity card, and a parent's
 * name or birth year that is wholly different. A typo in a parent's name or a parent's birth year
 * one year off is reported in `diff` but does not block.
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
    different: { m: 0.05, u: 0.999, diff: true, blocksMatch: true },
  },
};

/**
 * Floors for term-frequency u: a value seen a handful of times in the extract is not evidence of a
 * one-in-a-million name (the extract is a sample; the person's namesake may live outside it).
 */
export const DEFAULT_TF_MIN_U: Record<MatchField, number> = {
  fullName: 1e-4,
  sex: 0.01,
  dateOfBirth: 1e-5,
  fatherName: 1e-4,
  fatherBirthYear: 1e-3,
  motherName: 1e-4,
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

function bump<K>(map: Map<K, number>, key: K | undefined): void {
  if (key !== undefined) map.set(key, (map.get(key) ?? 0) + 1);
}

/** Frequencies of values in the extract; each u is count / (entries that have the field). */
export class TermFrequencies {
  readonly exactName = new Map<string, number>();
  readonly foldedName = new Map<string, number>();
  readonly father = new Map<string, number>();
  readonly mother = new Map<string, number>();
  readonly date = new Map<string, number>();
  readonly year = new Map<number, number>();
  readonly fatherYear = new Map<number, number>();
  readonly motherYear = new Map<number, number>();
  readonly sex = new Map<number, number>();
  readonly totals = { entries: 0, names: 0, dates: 0, fullDates: 0, fathers: 0, mothers: 0, fatherYears: 0, motherYears: 0, sexes: 0 };

  constructor(entries: readonly PersonFeatures[]) {
    const t = this.totals;
    t.entries = entries.length;
    for (const e of entries) {
      if (e.name.key !== '') {
        t.names++;
        bump(this.exactName, e.name.exactKey);
        bump(this.foldedName, e.name.key);
      }
      if (e.dob) {
        t.dates++;
        bump(this.year, e.dob.year);
        if (e.dob.day !== undefined) {
          t.fullDates++;
          bump(this.date, e.dobText);
        }
      }
      if (e.father) {
        t.fathers++;
        bump(this.father, e.father.key);
      }
      if (e.mother) {
        t.mothers++;
        bump(this.mother, e.mother.key);
      }
      if (e.fatherYear !== undefined) {
        t.fatherYears++;
        bump(this.fatherYear, e.fatherYear);
      }
      if (e.motherYear !== undefined) {
        t.motherYears++;
        bump(this.motherYear, e.motherYear);
      }
      if (e.sex !== 3) {
        t.sexes++;
        bump(this.sex, e.sex);
      }
    }
  }
}

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
/** Slots per field in the flat per-record tables (the most levels any field has). */
const SLOTS = 8;
const indexOf = (levels: readonly string[]) => Object.fromEntries(levels.map((l, i) => [l, i])) as Record<string, number>;
const NAME_IDX = indexOf(NameLevel);
const DATE_IDX = indexOf(DateLevel);
const SEX_IDX = indexOf(SexLevel);
const YEAR_IDX = indexOf(YearLevel);
const CARD_IDX = indexOf(CardLevel);

export const FIELD_COUNT = FIELDS.length;

/** A record prepared for scoring: its features and its per-level u and weight tables. */
export interface RecordContext {
  features: PersonFeatures;
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

  constructor(model: Model, tf: TermFrequencies) {
    this.model = model;
    this.tf = tf;
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

  /** Builds the record's u and weight tables: term frequencies are those of the record's own values. */
  prepare(r: PersonFeatures): RecordContext {
    const u = new Float64Array(FIELD_COUNT * SLOTS);
    const weight = new Float64Array(FIELD_COUNT * SLOTS);
    const t = this.tf.totals;
    const floor = this.model.tfMinU;
    const freq = <K>(map: Map<K, number>, key: K | undefined, total: number) => (key === undefined || total === 0 ? 0 : (map.get(key) ?? 0) / total);
    const near = (map: Map<number, number>, y: number | undefined, total: number) =>
      y === undefined ? 0 : freq(map, y - 1, total) + freq(map, y + 1, total);
    const year = r.dob?.year;
    const swapped =
      r.dob?.day !== undefined && r.dob.month !== undefined && r.dob.day <= 12 ? formatPartialDate({ year: r.dob.year, month: r.dob.day, day: r.dob.month }) : undefined;
    const tfU: Record<MatchField, Record<string, number>> = {
      fullName: {
        exact: freq(this.tf.exactName, r.name.exactKey, t.names),
        unaccented: freq(this.tf.foldedName, r.name.key, t.names),
        keying: freq(this.tf.foldedName, r.name.key, t.names),
        marksDiffer: freq(this.tf.foldedName, r.name.key, t.names),
      },
      sex: { agree: freq(this.tf.sex, r.sex, t.sexes) },
      dateOfBirth: {
        exact: freq(this.tf.date, r.dobText, t.fullDates),
        yearOnly: freq(this.tf.year, year, t.dates),
        swapped: freq(this.tf.date, swapped, t.fullDates),
        sameYear: freq(this.tf.year, year, t.dates),
        yearOff: near(this.tf.year, year, t.dates),
      },
      fatherName: nameTf(this.tf.father, r.father?.key, t.fathers),
      fatherBirthYear: { exact: freq(this.tf.fatherYear, r.fatherYear, t.fatherYears), off1: near(this.tf.fatherYear, r.fatherYear, t.fatherYears) },
      motherName: nameTf(this.tf.mother, r.mother?.key, t.mothers),
      motherBirthYear: { exact: freq(this.tf.motherYear, r.motherYear, t.motherYears), off1: near(this.tf.motherYear, r.motherYear, t.motherYears) },
      idCardNumber: { exact: 1 / Math.max(1, t.entries) },
    };
    FIELDS.forEach((field, f) => {
      LEVELS[field].forEach((level, l) => {
        const i = f * SLOTS + l;
        if (this.m[i] === 0) return; // missing: weight 0
        const ui = this.usesTf[i] ? Math.max(tfU[field][level] ?? 0, floor[field], 1e-12) : this.fixedU[i]!;
        u[i] = ui;
        weight[i] = Math.log2(this.m[i]! / ui);
      });
    });
    return { features: r, u, weight, prior: this.prior() };
  }

  /** Compares every field; writes each field's level index into `levels`; returns the score. */
  score(ctx: RecordContext, e: PersonFeatures, levels: Uint8Array): number {
    const r = ctx.features;
    levels[0] = NAME_IDX[compareNames(r.name, e.name).level]!;
    levels[1] = SEX_IDX[compareSex(r.sex, e.sex)]!;
    levels[2] = DATE_IDX[compareDates(r.dob, e.dob)]!;
    levels[3] = r.father && e.father ? NAME_IDX[compareNames(r.father, e.father).level]! : NAME_IDX.missing!;
    levels[4] = YEAR_IDX[compareYears(r.fatherYear, e.fatherYear)]!;
    levels[5] = r.mother && e.mother ? NAME_IDX[compareNames(r.mother, e.mother).level]! : NAME_IDX.missing!;
    levels[6] = YEAR_IDX[compareYears(r.motherYear, e.motherYear)]!;
    levels[7] = CARD_IDX[compareCards(r.card, e.card, e.idNumber)]!;
    let s = ctx.prior;
    for (let f = 0; f < FIELD_COUNT; f++) s += ctx.weight[f * SLOTS + levels[f]!]!;
    return s;
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

function nameTf(map: Map<string, number>, key: string | undefined, total: number): Record<string, number> {
  const f = key === undefined || total === 0 ? 0 : (map.get(key) ?? 0) / total;
  return { exact: f, unaccented: f, keying: f, marksDiffer: f };
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
