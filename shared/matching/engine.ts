/**
 * The matching engine (issue 6): finds each book person in the extract of the National Population
 * Database and decides MATCHED (assign the 12-digit ID), MISMATCH (tracking list) or NOT_FOUND.
 * Pure, no I/O: the caller loads the extract and stores the results.
 *
 * Main course:
 * 1. `buildIndex` validates the extract once, analyses every name, counts term frequencies and
 *    files every entry under its blocking keys.
 * 2. `matchRecords`, per record: looks up candidates by blocking key, scores each (Fellegi–Sunter
 *    with term-frequency adjustment), keeps the plausible ones and ranks them.
 * 3. The band follows from the best candidate: MATCHED needs a high posterior probability that
 *    leaves no room for a second candidate, and no contradicting field; a plausible candidate
 *    below that is a MISMATCH with a field-by-field diff; nothing plausible is NOT_FOUND.
 * 4. Across the run: two records of the same event type whose best candidate is the same ID are
 *    both MISMATCH (`DUPLICATE_CANDIDATE`); an ID already assigned for this event type in an earlier
 *    run is never assigned again (`ID_ALREADY_ASSIGNED`). A wrong ID is the worst outcome, so every
 *    doubt lands on the tracking list, where the police and the officer decide.
 */
import type { RegisterType } from '../books/register-type.js';
import { InvalidInput } from '../errors.js';
import { BlockIndex, type BlockingOptions, DEFAULT_BLOCKING } from './blocking.js';
import { EntryTable, NameTable } from './table.js';
import {
  FIELD_COUNT,
  FIELDS,
  featurise,
  isCorroborated,
  type ModelOptions,
  type NameCache,
  type RecordContext,
  resolveModel,
  Scorer,
  TermFrequencies,
} from './model.js';
import { type DiffEntry, type FieldScore, type MatchResult, type MismatchReason, PersonToMatch, PopulationEntry, type ScoredCandidate } from './schema.js';

export * from './schema.js';

export interface IndexOptions {
  model?: ModelOptions;
  blocking?: Partial<BlockingOptions>;
  /** Validate every entry against `PopulationEntry` (default true; turn off only for data already parsed). */
  validate?: boolean;
}

/** The extract, analysed and indexed once; reused across `matchRecords` calls. Treat as opaque. */
export interface MatchIndex {
  readonly size: number;
  readonly entries: readonly PopulationEntry[];
  readonly table: EntryTable;
  readonly scorer: Scorer;
  readonly blocks: BlockIndex;
  /** Analysed names by raw text, and their ids; both grow with the spellings records bring (memos). */
  readonly names: NameCache;
  readonly nameTable: NameTable;
}

/**
 * Thresholds, in the model's terms (see docs/matching.md for how they were tuned).
 * - MATCHED: the best candidate's probability (its odds over 1 + the odds of every candidate) is at
 *   least `matchProbability`, and no field contradicts it.
 * - MISMATCH: otherwise, when the best candidate's score (log2 posterior odds) is at least `reviewScore`.
 * - NOT_FOUND: no plausible candidate reaches `reviewScore`.
 */
export interface MatchThresholds {
  matchProbability: number;
  reviewScore: number;
  /**
   * MATCHED also needs the best candidate to beat every other by this many bits on the fields both
   * can be compared on (see `comparableMargin`): twins with near-identical names, namesakes.
   */
  ambiguityMargin: number;
  /**
   * MATCHED also needs evidence beyond the name, sex and birth year: the full date of birth, a
   * parent's name or the identity card agreeing (see `isCorroborated`). A name and a year identify
   * nobody for sure, however rare the name: a namesake born the same year is never impossible.
   */
  requireCorroboration: boolean;
}

export const DEFAULT_THRESHOLDS: MatchThresholds = { matchProbability: 0.99, reviewScore: 0, ambiguityMargin: 6, requireCorroboration: true };

export interface MatchOptions extends Partial<MatchThresholds> {
  /** Candidates kept per MISMATCH or NOT_FOUND result, best first (default 3); a MATCHED result keeps its one. */
  maxCandidates?: number;
  /** IDs already assigned in earlier runs, per event type: never assigned again without a decision. */
  assignedIds?: readonly { eventType: RegisterType; idNumber: string }[];
  /** Validate every record against `PersonToMatch` (default true). */
  validate?: boolean;
}

/**
 * Analyses and indexes the extract.
 * @throws InvalidInput when an entry does not satisfy `PopulationEntry` (`details.issues` lists the
 *   first problems) or two entries share an ID number.
 */
export function buildIndex(extract: readonly PopulationEntry[], opts: IndexOptions = {}): MatchIndex {
  if (opts.validate !== false) validateAll(extract, PopulationEntry, (e, i) => `entry ${i} (${(e as { idNumber?: string })?.idNumber ?? '?'})`);
  const seen = new Set<string>();
  for (const e of extract) {
    if (seen.has(e.idNumber)) throw new InvalidInput('Số định danh trùng trong dữ liệu dân cư', { idNumber: e.idNumber });
    seen.add(e.idNumber);
  }
  const names: NameCache = new Map();
  const nameTable = new NameTable();
  // Features are an intermediate form: the index keeps columns, term frequencies and blocks.
  const features = extract.map((e) => featurise(e, names));
  const table = new EntryTable(features, nameTable);
  const scorer = new Scorer(resolveModel(opts.model), new TermFrequencies(table, nameTable));
  const blocks = new BlockIndex(features, { ...DEFAULT_BLOCKING, ...opts.blocking });
  return { size: extract.length, entries: extract, table, scorer, blocks, names, nameTable };
}

/** Levels of the 8 fields packed 3 bits each: candidates are many, arrays per candidate are not needed. */
function pack(levels: Uint8Array): number {
  let code = 0;
  for (let f = FIELD_COUNT - 1; f >= 0; f--) code = code * 8 + levels[f]!;
  return code;
}

function unpack(code: number, out: Uint8Array): Uint8Array {
  let c = code;
  for (let f = 0; f < FIELD_COUNT; f++) {
    out[f] = c % 8;
    c = Math.floor(c / 8);
  }
  return out;
}

/** The plausible candidates of the record being matched, in flat buffers reused from record to record. */
class Found {
  pos = new Int32Array(256);
  score = new Float64Array(256);
  code = new Float64Array(256);
  n = 0;
  oddsSum = 0;
  reset(): void {
    this.n = 0;
    this.oddsSum = 0;
  }
  add(pos: number, score: number, code: number): void {
    if (this.n === this.pos.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.pos = grow(this.pos, (n) => new Int32Array(n));
      this.score = grow(this.score, (n) => new Float64Array(n));
      this.code = grow(this.code, (n) => new Float64Array(n));
    }
    this.pos[this.n] = pos;
    this.score[this.n] = score;
    this.code[this.n] = code;
    this.n++;
    this.oddsSum += 2 ** score;
  }
  /** Whether candidate i ranks before j: higher score, then earlier in the extract (deterministic). */
  before(i: number, j: number): boolean {
    return this.score[i]! > this.score[j]! || (this.score[i] === this.score[j] && this.pos[i]! < this.pos[j]!);
  }
  /** Indexes of the best `k` candidates, best first (k is small: a selection, not a sort). */
  top(k: number): number[] {
    const picked: number[] = [];
    for (let r = 0; r < Math.min(k, this.n); r++) {
      let best = -1;
      for (let i = 0; i < this.n; i++) if (!picked.includes(i) && (best < 0 || this.before(i, best))) best = i;
      picked.push(best);
    }
    return picked;
  }
}

interface Pending {
  result: MatchResult;
  key: string | undefined;
}

/**
 * Matches book persons against the indexed extract. Results are in the order of `records`.
 * @throws InvalidInput when a record does not satisfy `PersonToMatch` or two records share a `recordKey`.
 */
export function matchRecords(index: MatchIndex, records: readonly PersonToMatch[], opts: MatchOptions = {}): MatchResult[] {
  if (opts.validate !== false) validateAll(records, PersonToMatch, (r, i) => `record ${i} (${(r as { recordKey?: string })?.recordKey ?? '?'})`);
  const keys = new Set<string>();
  for (const r of records) {
    if (keys.has(r.recordKey)) throw new InvalidInput('Khóa bản ghi bị trùng', { recordKey: r.recordKey });
    keys.add(r.recordKey);
  }
  const t: MatchThresholds = { ...DEFAULT_THRESHOLDS, ...definedOnly(opts) };
  const maxCandidates = Math.max(1, opts.maxCandidates ?? 3);
  const assigned = new Set((opts.assignedIds ?? []).map((a) => `${a.eventType}|${a.idNumber}`));
  const { scorer, blocks, table, entries, names, nameTable } = index;
  const levels = new Uint8Array(FIELD_COUNT);
  const otherLevels = new Uint8Array(FIELD_COUNT);
  const found = new Found();

  // 1–3: score and band each record on its own. `keepRanked` keeps the ranked list even when MATCHED.
  const evaluate = (record: PersonToMatch, keepRanked: boolean): Pending => {
    const ctx = scorer.prepare(featurise(record, names), nameTable);
    found.reset();
    for (const pos of blocks.candidates(ctx.features)) {
      const score = scorer.score(ctx, nameTable, table, pos, levels);
      if (!Number.isNaN(score)) found.add(pos, score, pack(levels)); // NaN: not plausible
    }
    const ranked = found.top(maxCandidates);
    const b = ranked[0];
    const reasons = new Set<MismatchReason>();
    let outcome: MatchResult['outcome'] = 'NOT_FOUND';
    if (b !== undefined && found.score[b]! >= t.reviewScore) {
      const odds = 2 ** found.score[b]!;
      unpack(found.code[b]!, levels);
      if (scorer.blocksMatch(levels)) reasons.add('FIELDS_DIFFER');
      if (t.requireCorroboration && !isCorroborated(levels)) reasons.add('WEAK_EVIDENCE');
      if (odds / (1 + found.oddsSum) < t.matchProbability) reasons.add(odds / (1 + odds) >= t.matchProbability ? 'AMBIGUOUS' : 'LOW_SCORE');
      else {
        for (let i = 0; i < found.n; i++) {
          if (i !== b && comparableMargin(scorer, ctx, levels, unpack(found.code[i]!, otherLevels)) < t.ambiguityMargin) {
            reasons.add('AMBIGUOUS');
            break;
          }
        }
      }
      if (assigned.has(`${record.eventType}|${entries[found.pos[b]!]!.idNumber}`)) reasons.add('ID_ALREADY_ASSIGNED');
      outcome = reasons.size === 0 ? 'MATCHED' : 'MISMATCH';
    }
    // A MATCHED result keeps its evidence (the chosen candidate); the others keep the ranked list for review.
    const candidates: ScoredCandidate[] = (outcome === 'MATCHED' && !keepRanked ? ranked.slice(0, 1) : ranked).map((i) => ({
      idNumber: entries[found.pos[i]!]!.idNumber,
      score: found.score[i]!,
      probability: 2 ** found.score[i]! / (1 + found.oddsSum),
      prior: ctx.prior,
      breakdown: scorer.breakdown(ctx, featurise(entries[found.pos[i]!]!, names), unpack(found.code[i]!, otherLevels)),
    }));
    const best = candidates[0];
    const result: MatchResult = {
      recordKey: record.recordKey,
      eventType: record.eventType,
      outcome,
      ...(outcome === 'MATCHED' && best ? { idNumber: best.idNumber } : {}),
      ...(best ? { score: best.score, probability: best.probability } : {}),
      reasons: outcome === 'MISMATCH' ? [...reasons] : [],
      diff: best && outcome !== 'NOT_FOUND' ? diffOf(scorer, best.breakdown) : [],
      candidates,
    };
    return { result, key: outcome === 'NOT_FOUND' || !best ? undefined : `${record.eventType}|${best.idNumber}` };
  };
  const pending = records.map((record) => evaluate(record, false));

  // 4: one ID, one record per event type: records sharing a best candidate all go to review.
  const byBest = new Map<string, number[]>();
  pending.forEach((p, i) => {
    if (p.key === undefined) return;
    const group = byBest.get(p.key);
    if (group) group.push(i);
    else byBest.set(p.key, [i]);
  });
  const results = pending.map((p) => p.result);
  for (const group of byBest.values()) {
    if (group.length < 2) continue;
    for (const i of group) {
      // A record that was MATCHED kept only its evidence: score it again to list its candidates for review.
      const r = results[i]!.outcome === 'MATCHED' ? evaluate(records[i]!, true).result : results[i]!;
      r.outcome = 'MISMATCH';
      delete r.idNumber;
      if (!r.reasons.includes('DUPLICATE_CANDIDATE')) r.reasons.push('DUPLICATE_CANDIDATE');
      r.duplicateOf = group.filter((j) => j !== i).map((j) => records[j]!.recordKey);
      results[i] = r;
    }
  }
  return results;
}

/** Field-by-field differences with the best candidate, from its breakdown. */
function diffOf(scorer: Scorer, breakdown: readonly FieldScore[]): DiffEntry[] {
  const diff: DiffEntry[] = [];
  for (const s of breakdown) {
    if (!scorer.levelInDiff(s.field, s.level)) continue;
    diff.push({ field: s.field, book: s.book ?? '', register: s.register ?? '', level: s.level, blocksMatch: scorer.levelBlocks(s.field, s.level) });
  }
  return diff;
}

/** Fields siblings share (parents' names and birth years): indexes in `FIELDS`. */
const FAMILY_FIELDS = new Set(['fatherName', 'fatherBirthYear', 'motherName', 'motherBirthYear'].map((f) => FIELDS.indexOf(f as never)));

/**
 * How much better the best candidate fits than another, counting family fields only where both
 * candidates have them. Parents agreeing is strong evidence against a stranger but none against a
 * sibling: a twin whose register entry lacks parents must not lose to the other twin on that alone.
 */
function comparableMargin(scorer: Scorer, ctx: RecordContext, best: Uint8Array, other: Uint8Array): number {
  let margin = 0;
  for (let f = 0; f < FIELD_COUNT; f++) {
    const lb = best[f]!;
    const lo = other[f]!;
    if (FAMILY_FIELDS.has(f) && (scorer.isMissing(f, lb) || scorer.isMissing(f, lo))) continue;
    margin += scorer.fieldWeight(ctx, f, lb) - scorer.fieldWeight(ctx, f, lo);
  }
  return margin;
}

function definedOnly(opts: MatchOptions): Partial<MatchThresholds> {
  const out: Partial<MatchThresholds> = {};
  if (opts.matchProbability !== undefined) out.matchProbability = opts.matchProbability;
  if (opts.reviewScore !== undefined) out.reviewScore = opts.reviewScore;
  if (opts.ambiguityMargin !== undefined) out.ambiguityMargin = opts.ambiguityMargin;
  if (opts.requireCorroboration !== undefined) out.requireCorroboration = opts.requireCorroboration;
  return out;
}

/** @throws InvalidInput listing the first few items that fail the schema. */
function validateAll<T>(
  items: readonly unknown[],
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } },
  label: (item: unknown, i: number) => string,
): asserts items is readonly T[] {
  const issues: string[] = [];
  for (let i = 0; i < items.length && issues.length < 20; i++) {
    const r = schema.safeParse(items[i]);
    if (!r.success) for (const is of r.error!.issues.slice(0, 3)) issues.push(`${label(items[i], i)}: ${is.path.join('.')} ${is.message}`);
  }
  if (issues.length) throw new InvalidInput('Dữ liệu đối chiếu không hợp lệ', { issues });
}
