import { z } from 'zod';
import { Principal } from '../users/user.js';
import { ActionName, Stage } from '../workflow/stages.js';
import { RegisterType } from './register-type.js';

/** Volume number as written on the cover: "n/yyyy", e.g. "02/2018". */
export const QuyenSo = z
  .string()
  .trim()
  .regex(/^\d{1,4}\/\d{4}$/, 'Quyển số phải có dạng n/yyyy, ví dụ 02/2018');

/**
 * A book id as `bookIdOf` builds it: `<commune>-<type>-<quyenSo with / → .>-<yearOpened>`. Checked on
 * every path that names a book, so a malformed id (traversal, NUL, look-alike digits) is refused as such
 * instead of being looked up.
 */
export const BookId = z
  .string()
  .max(64)
  .regex(
    new RegExp(`^\\d{5}-(${RegisterType.options.join('|')})-\\d{1,4}\\.\\d{4}-\\d{4}$`),
    'Mã sổ có dạng <mã xã>-<loại sổ>-<quyển số>-<năm mở sổ>, ví dụ 90101-KS-02.2018-2018',
  );

export const PhysicalCondition = z.enum(['good', 'worn', 'damaged', 'partly_illegible']);
export type PhysicalCondition = z.infer<typeof PhysicalCondition>;

/** What an officer records when inventorying a book (the body of POST /books). */
export const BookInventory = z.strictObject({
  unitCode: z.string().regex(/^\d{5}$/, 'Mã xã gồm 5 chữ số'),
  registerType: RegisterType,
  quyenSo: QuyenSo,
  yearOpened: z.number().int().min(1945).max(2100),
  pageCount: z.number().int().min(1).max(2000),
  /** The total of events written when the book was closed: the completeness reference. */
  closingTotal: z.number().int().min(0).max(20000).nullable(),
  physicalCondition: PhysicalCondition,
  custodyLocation: z.string().trim().min(1).max(200),
  notes: z.string().trim().max(2000).default(''),
});
export type BookInventory = z.infer<typeof BookInventory>;

export const PendingAction = z.object({
  action: ActionName,
  reason: z.string().optional(),
  /** Records a return to Scan names (their scans are wrong). */
  records: z.array(z.string()).optional(),
  by: Principal,
  at: z.string(),
  /** The request that recorded it: a retry of that same request finishes it instead of getting 409. */
  requestId: z.string().optional(),
});
export type PendingAction = z.infer<typeof PendingAction>;

export const Failure = z.object({ error: z.string(), cause: z.string(), at: z.string() });

/** A book as stored. `taskToken` never leaves the backend (see `toBookView`). */
export const Book = BookInventory.extend({
  bookId: z.string(),
  stage: Stage,
  version: z.number().int().min(1),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  stageEnteredAt: z.string(),
  executionSeq: z.number().int().min(0),
  executionArn: z.string().optional(),
  taskToken: z.string().optional(),
  pendingAction: PendingAction.optional(),
  stalled: z.object({ since: z.string(), escalations: z.number().int() }).optional(),
  failure: Failure.optional(),
  lastReturn: z
    .object({ from: Stage, action: ActionName, reason: z.string(), records: z.array(z.string()).optional(), by: z.string(), at: z.string() })
    .optional(),
  counts: z.object({ records: z.number().int(), scans: z.number().int(), uploads: z.number().int() }),
  /** The accepted entry workbook: who keyed it (segregation of duties, clerk quality). */
  entry: z.object({ uploadId: z.string(), keyedBy: Principal, acceptedAt: z.string(), records: z.number().int() }).optional(),
  /** The review of the current pass: which records must be reviewed, who reviewed. */
  review: z
    .object({
      mode: z.enum(['full', 'sample']),
      sample: z.array(z.string()).optional(),
      reviewers: z.array(z.string()).default([]),
      reviewed: z.number().int().default(0),
      errors: z.number().int().default(0),
    })
    .optional(),
  /** Reviewers' findings over every review pass of the book (reports: error rates by reason). */
  quality: z.object({ reviewedRecords: z.number().int(), errors: z.number().int(), byReason: z.record(z.string(), z.number().int()) }).optional(),
  /** A reviewer's lease on the book; expired claims are ignored on read. */
  reviewClaim: z.object({ by: Principal, until: z.string() }).optional(),
  /** Reconciliation with the population register: counts over the book's subjects (reports read these). */
  reconciliation: z
    .object({
      extractId: z.string(),
      matched: z.number().int(),
      mismatch: z.number().int(),
      notFound: z.number().int(),
      resolved: z.number().int(),
      pending: z.number().int(),
      /** Records whose every person is settled (the report's "records reconciled"). */
      settledRecords: z.number().int().default(0),
      /** The police's list of people not in the register, as Excel (archive key), written when the counts change. */
      notFoundKey: z.string().optional(),
      at: z.string(),
    })
    .optional(),
  approval: z.object({ by: Principal, at: z.string(), packageKey: z.string(), checksum: z.string() }).optional(),
});
export type Book = z.infer<typeof Book>;

/** The book as the API shows it. */
export const BookView = Book.omit({ taskToken: true }).extend({
  waiting: z.boolean(),
  allowedActions: z.array(ActionName),
});
export type BookView = z.infer<typeof BookView>;

/**
 * Deterministic id from the book's identity (commune + type + volume + year opened), so the same
 * book inventoried twice is detected by a conditional write instead of a uniqueness index.
 */
export function bookIdOf(inv: Pick<BookInventory, 'unitCode' | 'registerType' | 'quyenSo' | 'yearOpened'>): string {
  return `${inv.unitCode}-${inv.registerType}-${inv.quyenSo.replace('/', '.')}-${inv.yearOpened}`;
}
