import { z } from 'zod';
import type { Book } from '../books/book.js';
import { Stage, waitingStages } from '../workflow/stages.js';
import { IsoWeek } from './week.js';

/**
 * The weekly snapshot of one commune: what its weekly report says, frozen at report time.
 * Pure domain: the snapshot is computed from per-book summaries, so building it costs one pass over
 * the commune's books and never touches its records (the record-level figures come from counters
 * each book already keeps).
 */

const Count = z.number().int().nonnegative();
const Delta = z.number().int();

function recordFigures<T extends z.ZodNumber>(n: T) {
  return z.object({
    /** What the books should hold: each book's closing total, or what was entered when that is larger or missing. */
    expected: n,
    entered: n,
    scanned: n,
    reviewed: n,
    approved: n,
    reconciled: n,
  });
}
function bookFigures<T extends z.ZodNumber>(n: T) {
  return z.object({ total: n, byStage: z.record(Stage, n), stalled: n, completed: n });
}
function reconciliationFigures<T extends z.ZodNumber>(n: T) {
  return z.object({
    /** Found in CSDLQGVDC and consistent: the personal ID number was taken (cumulative). */
    matched: n,
    /** Found but inconsistent, put on the tracking list (cumulative; still open = mismatch − resolved). */
    mismatch: n,
    /** Not found: entered as new into CSDLQGVDC (cumulative). */
    notFound: n,
    /** Mismatches resolved by police and officer (cumulative). */
    resolved: n,
    /** Handed over, result not back yet (a current count, not cumulative: reconciliation is asynchronous). */
    pending: n,
  });
}
function qualityFigures<T extends z.ZodNumber>(n: T) {
  return z.object({ reviewedRecords: n, errors: n, byReason: z.record(z.string(), n) });
}
function figures<T extends z.ZodNumber>(n: T) {
  return z.object({
    books: bookFigures(n),
    records: recordFigures(n),
    reconciliation: reconciliationFigures(n),
    /** Reviewer findings, present when at least one book's review recorded them. */
    quality: qualityFigures(n).optional(),
  });
}

export const RecordFigures = recordFigures(Count);
export type RecordFigures = z.infer<typeof RecordFigures>;
export const BookFigures = bookFigures(Count);
export type BookFigures = z.infer<typeof BookFigures>;
export const ReconciliationFigures = reconciliationFigures(Count);
export type ReconciliationFigures = z.infer<typeof ReconciliationFigures>;
export const QualityFigures = qualityFigures(Count);
export type QualityFigures = z.infer<typeof QualityFigures>;

/** Cumulative figures of a unit (a commune, or the sum over communes). */
export const Figures = figures(Count);
export type Figures = z.infer<typeof Figures>;
/** The same shape as a difference between two weeks (may be negative). */
export const FiguresDelta = figures(Delta);
export type FiguresDelta = z.infer<typeof FiguresDelta>;

/** A commune's figures as at `takenAt` (normally the week's report time, Friday 11:00 +07). */
export const CommuneSnapshot = Figures.extend({
  week: IsoWeek,
  unitCode: z.string().min(1),
  takenAt: z.iso.datetime(),
});
export type CommuneSnapshot = z.infer<typeof CommuneSnapshot>;

/** Per-book record counters (each kept on the book as its stages progress). */
export const BookRecordCounts = z.object({ records: Count, scanned: Count, reviewed: Count, approved: Count, reconciled: Count });
export type BookRecordCounts = z.infer<typeof BookRecordCounts>;

/** The few facts about one book that a weekly report needs. */
export const BookSummary = z.object({
  bookId: z.string().min(1),
  unitCode: z.string().min(1),
  stage: Stage,
  stageEnteredAt: z.iso.datetime(),
  /** Last time anything moved on the book (an upload, a decision); defaults to `stageEnteredAt`. */
  lastProgressAt: z.iso.datetime().optional(),
  /** Set by the workflow when a stage waited past its timeout (decision 9). */
  stalled: z.object({ since: z.string() }).optional(),
  /** Who holds the book now (team, contractor or user), when known. */
  holder: z.string().optional(),
  /** The book's closing total (completeness reference); null when unknown. */
  closingTotal: Count.nullable(),
  counts: BookRecordCounts,
  reconciliation: ReconciliationFigures.optional(),
  quality: QualityFigures.optional(),
});
export type BookSummary = z.infer<typeof BookSummary>;

/** A stalled book as listed in the "Sổ chậm tiến độ" sheet. */
export const StalledBook = z.object({
  bookId: z.string(),
  unitCode: z.string(),
  stage: Stage,
  /** When progress stopped (the last progress, or entry into the stage). */
  since: z.iso.datetime(),
  days: Count,
  /** Whether the workflow flagged it (timeout) rather than only the report's N-day rule. */
  flagged: z.boolean(),
  holder: z.string().optional(),
});
export type StalledBook = z.infer<typeof StalledBook>;

export const SnapshotOptions = z.object({
  /** A book in a working stage with no progress for this many days counts as stalled (default: the stage timeout, 14). */
  stalledAfterDays: z.number().int().positive().default(14),
});
export type SnapshotOptions = z.input<typeof SnapshotOptions>;

const DAY_MS = 86_400_000;
const working = new Set<Stage>(waitingStages);

/** Zero figures, the starting point of every sum. */
export function emptyFigures(): Figures {
  return {
    books: { total: 0, byStage: zeroByStage(), stalled: 0, completed: 0 },
    records: { expected: 0, entered: 0, scanned: 0, reviewed: 0, approved: 0, reconciled: 0 },
    reconciliation: { matched: 0, mismatch: 0, notFound: 0, resolved: 0, pending: 0 },
  };
}

function zeroByStage(): Record<Stage, number> {
  return Object.fromEntries(Stage.options.map((s) => [s, 0])) as Record<Stage, number>;
}

function toIso(at: Date | string): string {
  return typeof at === 'string' ? new Date(at).toISOString() : at.toISOString();
}

/** Whole days between two instants. */
function daysSince(since: string, at: string): number {
  return Math.max(0, Math.floor((Date.parse(at) - Date.parse(since)) / DAY_MS));
}

/** The stalled book entry, or undefined when the book is moving (or not in a working stage). */
export function stalledBookOf(book: BookSummary, takenAt: Date | string, options: SnapshotOptions = {}): StalledBook | undefined {
  // Books still in inventory have not started and completed ones are done: neither can stall.
  if (!working.has(book.stage)) return undefined;
  const { stalledAfterDays } = SnapshotOptions.parse(options);
  const at = toIso(takenAt);
  const since = book.lastProgressAt ?? book.stageEnteredAt;
  const days = daysSince(since, at);
  const flagged = book.stalled !== undefined;
  if (!flagged && days < stalledAfterDays) return undefined;
  return { bookId: book.bookId, unitCode: book.unitCode, stage: book.stage, since, days, flagged, ...(book.holder ? { holder: book.holder } : {}) };
}

/** Stalled books of a commune, longest-stalled first. */
export function listStalledBooks(books: readonly BookSummary[], takenAt: Date | string, options: SnapshotOptions = {}): StalledBook[] {
  return books
    .map((b) => stalledBookOf(b, takenAt, options))
    .filter((s): s is StalledBook => s !== undefined)
    .sort((a, b) => b.days - a.days || a.bookId.localeCompare(b.bookId));
}

/**
 * The commune's snapshot for `week`, from the summaries of its books (including books that carry a
 * predecessor commune's code, decision 5). One pass over the books; record figures are sums of the
 * books' counters.
 */
export function computeCommuneSnapshot(
  week: IsoWeek,
  unitCode: string,
  books: readonly BookSummary[],
  takenAt: Date | string,
  options: SnapshotOptions = {},
): CommuneSnapshot {
  const at = toIso(takenAt);
  const f = emptyFigures();
  for (const b of books) {
    f.books.total += 1;
    f.books.byStage[b.stage] += 1;
    if (stalledBookOf(b, at, options)) f.books.stalled += 1;
    f.records.expected += Math.max(b.closingTotal ?? 0, b.counts.records);
    f.records.entered += b.counts.records;
    f.records.scanned += b.counts.scanned;
    f.records.reviewed += b.counts.reviewed;
    f.records.approved += b.counts.approved;
    f.records.reconciled += b.counts.reconciled;
    if (b.reconciliation) addInto(f.reconciliation, b.reconciliation);
    if (b.quality) {
      f.quality ??= { reviewedRecords: 0, errors: 0, byReason: {} };
      f.quality.reviewedRecords += b.quality.reviewedRecords;
      f.quality.errors += b.quality.errors;
      for (const [reason, n] of Object.entries(b.quality.byReason)) f.quality.byReason[reason] = (f.quality.byReason[reason] ?? 0) + n;
    }
  }
  f.books.completed = f.books.byStage.completed;
  return { week, unitCode, takenAt: at, ...f };
}

function addInto<T extends Record<string, number>>(into: T, add: T): void {
  for (const k of Object.keys(add) as (keyof T)[]) (into[k] as number) += add[k] as number;
}

const reviewedFrom = new Set<Stage>(['approval', 'reconciliation', 'completed']);
const approvedFrom = new Set<Stage>(['reconciliation', 'completed']);

/** Who holds a book in each working stage when no person has claimed it (the role that must act next). */
export const stageHolders: Partial<Record<Stage, string>> = {
  entry: 'Tổ số hóa (nhập liệu)',
  scan: 'Đơn vị scan',
  review: 'Công chức Tư pháp – Hộ tịch (kiểm tra)',
  approval: 'Công chức Tư pháp – Hộ tịch (phê duyệt)',
  reconciliation: 'Công an xã (đối chiếu)',
};

type SummarySource = Pick<Book, 'bookId' | 'unitCode' | 'stage' | 'stageEnteredAt' | 'updatedAt' | 'stalled' | 'closingTotal' | 'counts' | 'reconciliation' | 'quality' | 'reviewClaim'>;

/**
 * A book's summary from the stored book, as at `at`. Review and approval act on whole books, so a book
 * past review has all its records reviewed and a book past approval all of them approved; the
 * reconciliation outcomes and reviewers' findings are the counters the book keeps; the holder is the
 * reviewer whose claim is live at `at`, otherwise the role the stage waits for.
 */
export function bookSummaryOf(book: SummarySource, at: Date | string): BookSummary {
  const records = book.counts.records;
  const r = book.reconciliation;
  const claim = book.reviewClaim && Date.parse(book.reviewClaim.until) > Date.parse(toIso(at)) ? book.reviewClaim.by.username : undefined;
  const holder = claim ?? stageHolders[book.stage];
  return {
    bookId: book.bookId,
    unitCode: book.unitCode,
    stage: book.stage,
    stageEnteredAt: book.stageEnteredAt,
    // ISO timestamps: the later of the two sorts last.
    lastProgressAt: [book.stageEnteredAt, book.updatedAt].sort()[1]!,
    ...(book.stalled ? { stalled: { since: book.stalled.since } } : {}),
    ...(holder ? { holder } : {}),
    closingTotal: book.closingTotal,
    counts: {
      records,
      scanned: book.counts.scans,
      reviewed: reviewedFrom.has(book.stage) ? records : 0,
      approved: approvedFrom.has(book.stage) ? records : 0,
      reconciled: book.stage === 'completed' ? records : Math.min(records, r?.settledRecords ?? 0),
    },
    ...(r ? { reconciliation: { matched: r.matched, mismatch: r.mismatch, notFound: r.notFound, resolved: r.resolved, pending: r.pending } } : {}),
    ...(book.quality && book.quality.reviewedRecords > 0 ? { quality: book.quality } : {}),
  };
}

/** Sum of figures (quality only when some part has it). */
export function sumFigures(parts: readonly Figures[]): Figures {
  const f = emptyFigures();
  for (const p of parts) {
    f.books.total += p.books.total;
    f.books.stalled += p.books.stalled;
    f.books.completed += p.books.completed;
    addInto(f.books.byStage, p.books.byStage);
    addInto(f.records, p.records);
    addInto(f.reconciliation, p.reconciliation);
    if (p.quality) {
      f.quality ??= { reviewedRecords: 0, errors: 0, byReason: {} };
      f.quality.reviewedRecords += p.quality.reviewedRecords;
      f.quality.errors += p.quality.errors;
      for (const [reason, n] of Object.entries(p.quality.byReason)) f.quality.byReason[reason] = (f.quality.byReason[reason] ?? 0) + n;
    }
  }
  return f;
}

/** `current − previous`, field by field (week-over-week change). */
export function deltaOf(current: Figures, previous: Figures): FiguresDelta {
  const sub = <T extends Record<string, number>>(a: T, b: T): T =>
    Object.fromEntries(Object.keys(a).map((k) => [k, (a[k] as number) - ((b[k] as number | undefined) ?? 0)])) as T;
  const d: FiguresDelta = {
    books: {
      total: current.books.total - previous.books.total,
      byStage: sub(current.books.byStage, previous.books.byStage),
      stalled: current.books.stalled - previous.books.stalled,
      completed: current.books.completed - previous.books.completed,
    },
    records: sub(current.records, previous.records),
    reconciliation: sub(current.reconciliation, previous.reconciliation),
  };
  if (current.quality) {
    const prev = previous.quality ?? { reviewedRecords: 0, errors: 0, byReason: {} };
    const reasons = new Set([...Object.keys(current.quality.byReason), ...Object.keys(prev.byReason)]);
    d.quality = {
      reviewedRecords: current.quality.reviewedRecords - prev.reviewedRecords,
      errors: current.quality.errors - prev.errors,
      byReason: Object.fromEntries([...reasons].map((r) => [r, (current.quality?.byReason[r] ?? 0) - (prev.byReason[r] ?? 0)])),
    };
  }
  return d;
}

/** Only the figures of a snapshot (drops week, unit and time). */
export function figuresOf(s: Figures): Figures {
  return { books: s.books, records: s.records, reconciliation: s.reconciliation, ...(s.quality ? { quality: s.quality } : {}) };
}

/** Vietnamese names of the record figures (workbooks, flags, email). */
export const recordTitles: Record<keyof RecordFigures, string> = {
  expected: 'Bản ghi dự kiến',
  entered: 'Đã nhập',
  scanned: 'Đã scan',
  reviewed: 'Đã kiểm tra',
  approved: 'Đã phê duyệt',
  reconciled: 'Đã đối chiếu',
};

/** Vietnamese names of the reconciliation outcomes. */
export const reconciliationTitles: Record<keyof ReconciliationFigures, string> = {
  matched: 'Khớp',
  mismatch: 'Sai lệch',
  notFound: 'Không tìm thấy',
  resolved: 'Đã xử lý (trong số sai lệch, không tìm thấy)',
  pending: 'Chờ kết quả',
};
