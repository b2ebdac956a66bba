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
import { displayValue, FIELD_COUNT, FIELDS, featurise, type ModelOptions, type NameCache, type PersonFeatures, resolveModel, Scorer, TermFrequencies } from './model.js';
import { type DiffEntry, type MatchResult, type MismatchReason, PersonToMatch, PopulationEntry, type ScoredCandidate } from './schema.js';

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
  readonly features: readonly PersonFeatures[];
  readonly scorer: Scorer;
  readonly blocks: BlockIndex;
  readonly names: NameCache;
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
}

export const DEFAULT_THRESHOLDS: MatchThresholds = { matchProbability: 0.999, reviewScore: 0 };

export interface MatchOptions extends Partial<MatchThresholds> {
  /** Candidates kept per result, best first (default 3). */
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
  const features = extract.map((e) => featurise(e, names));
  const scorer = new Scorer(resolveModel(opts.model), new TermFrequencies(features));
  const blocks = new BlockIndex(features, { ...DEFAULT_BLOCKING, ...opts.blocking });
  return { size: extract.length, entries: extract, features, scorer, blocks, names };
}

interface Ranked {
  pos: number;
  score: number;
  levels: Uint8Array;
}

interface Provisional {
  record: PersonToMatch;
  ctx: ReturnType<Scorer['prepare']>;
  ranked: Ranked[];
  oddsSum: number;
  outcome: MatchResult['outcome'];
  reasons: Set<MismatchReason>;
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
  const maxCandidates = opts.maxCandidates ?? 3;
  const assigned = new Set((opts.assignedIds ?? []).map((a) => `${a.eventType}|${a.idNumber}`));
  const { scorer, blocks, features } = index;
  const localNames: NameCache = new Map();
  const scratch = new Uint8Array(FIELD_COUNT);

  // 1–3: score and band each record on its own.
  const provisional: Provisional[] = records.map((record) => {
    const ctx = scorer.prepare(featurise(record, localNames, index.names));
    const ranked: Ranked[] = [];
    let oddsSum = 0;
    for (const pos of blocks.candidates(ctx.features)) {
      const score = scorer.score(ctx, features[pos]!, scratch);
      if (!plausible(scratch)) continue;
      oddsSum += 2 ** score;
      insertRanked(ranked, { pos, score, levels: scratch.slice() }, maxCandidates + 1, index);
    }
    const reasons = new Set<MismatchReason>();
    const best = ranked[0];
    let outcome: MatchResult['outcome'] = 'NOT_FOUND';
    if (best && best.score >= t.reviewScore) {
      const odds = 2 ** best.score;
      if (scorer.blocksMatch(best.levels)) reasons.add('FIELDS_DIFFER');
      if (odds / (1 + oddsSum) < t.matchProbability) reasons.add(odds / (1 + odds) >= t.matchProbability ? 'AMBIGUOUS' : 'LOW_SCORE');
      if (assigned.has(`${record.eventType}|${index.entries[best.pos]!.idNumber}`)) reasons.add('ID_ALREADY_ASSIGNED');
      outcome = reasons.size === 0 ? 'MATCHED' : 'MISMATCH';
    }
    return { record, ctx, ranked, oddsSum, outcome, reasons };
  });

  // 4: one ID, one record per event type: records sharing a best candidate all go to review.
  const byBest = new Map<string, Provisional[]>();
  for (const p of provisional) {
    if (p.outcome === 'NOT_FOUND') continue;
    const k = `${p.record.eventType}|${index.entries[p.ranked[0]!.pos]!.idNumber}`;
    const group = byBest.get(k);
    if (group) group.push(p);
    else byBest.set(k, [p]);
  }
  const duplicates = new Map<Provisional, string[]>();
  for (const group of byBest.values()) {
    if (group.length < 2) continue;
    for (const p of group) {
      p.reasons.add('DUPLICATE_CANDIDATE');
      p.outcome = 'MISMATCH';
      duplicates.set(
        p,
        group.filter((q) => q !== p).map((q) => q.record.recordKey),
      );
    }
  }

  return provisional.map((p) => toResult(p, index, maxCandidates, duplicates.get(p)));
}

/**
 * A candidate is about this person, not a relative: its name is at least partly the same, or its
 * date of birth agrees (twins: same parents and date, other name), or its identity card agrees.
 * Without this, a sibling of an absent person (same parents, other name and date) would be "found".
 */
function plausible(levels: Uint8Array): boolean {
  const name = levels[0]!; // NameLevel index: exact 0 … partial 5, different 6, missing 7
  const date = levels[2]!; // DateLevel index: exact 0, yearOnly 1, swapped 2
  const card = levels[7]!; // CardLevel index: exact 0
  return name <= 5 || date <= 2 || card === 0;
}

/** Keeps `ranked` sorted (score desc, then ID asc for determinism) and at most `limit` long. */
function insertRanked(ranked: Ranked[], item: Ranked, limit: number, index: MatchIndex): void {
  const before = (a: Ranked, b: Ranked) => a.score > b.score || (a.score === b.score && index.entries[a.pos]!.idNumber < index.entries[b.pos]!.idNumber);
  if (ranked.length >= limit && !before(item, ranked[ranked.length - 1]!)) return;
  let i = ranked.length;
  while (i > 0 && before(item, ranked[i - 1]!)) i--;
  ranked.splice(i, 0, item);
  if (ranked.length > limit) ranked.pop();
}

function toResult(p: Provisional, index: MatchIndex, maxCandidates: number, duplicateOf: string[] | undefined): MatchResult {
  const { scorer } = index;
  const candidates: ScoredCandidate[] = p.ranked.slice(0, maxCandidates).map((c) => ({
    idNumber: index.entries[c.pos]!.idNumber,
    score: c.score,
    probability: 2 ** c.score / (1 + p.oddsSum),
    prior: p.ctx.prior,
    breakdown: scorer.breakdown(p.ctx, index.features[c.pos]!, c.levels),
  }));
  const best = p.ranked[0];
  const diff: DiffEntry[] = [];
  if (best && p.outcome !== 'NOT_FOUND') {
    const entry = index.features[best.pos]!;
    FIELDS.forEach((field, f) => {
      const level = best.levels[f]!;
      if (!scorer.isDiff(f, level)) return;
      diff.push({
        field,
        book: displayValue(field, p.ctx.features) ?? '',
        register: displayValue(field, entry) ?? '',
        level: scorer.levelName(f, level),
        blocksMatch: scorer.isBlocking(f, level),
      });
    });
  }
  return {
    recordKey: p.record.recordKey,
    eventType: p.record.eventType,
    outcome: p.outcome,
    ...(p.outcome === 'MATCHED' && best ? { idNumber: index.entries[best.pos]!.idNumber } : {}),
    ...(best ? { score: best.score, probability: candidates[0]!.probability } : {}),
    reasons: p.outcome === 'MISMATCH' ? [...p.reasons] : [],
    diff,
    candidates,
    ...(duplicateOf ? { duplicateOf } : {}),
  };
}

function definedOnly(opts: MatchOptions): Partial<MatchThresholds> {
  const out: Partial<MatchThresholds> = {};
  if (opts.matchProbability !== undefined) out.matchProbability = opts.matchProbability;
  if (opts.reviewScore !== undefined) out.reviewScore = opts.reviewScore;
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
