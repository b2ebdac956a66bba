import { z } from 'zod';
import { RegisterType } from '../books/register-type.js';
import { CorrectionReason } from '../review/reasons.js';
import { Principal } from '../users/user.js';

/** Registration number as written in the book: "n/yyyy" (numbers restart at 1 each year). */
export const SoDangKy = z.string().regex(/^\d{1,6}\/\d{4}$/);

/** A reviewer's correction of one field: kept forever, with who, when, before, after and why. */
export const Correction = z.object({
  field: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  reason: CorrectionReason,
  note: z.string().max(500).optional(),
  by: Principal,
  at: z.string(),
});
export type Correction = z.infer<typeof Correction>;

/** The accepted scan of a record (issue 4). */
export const RecordScan = z.object({
  key: z.string(),
  fileName: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  pages: z.number().int(),
  versionId: z.string().optional(),
  uploadId: z.string(),
});
export type RecordScan = z.infer<typeof RecordScan>;

/** One person of a record looked up in the population register, and how it was settled. */
export const SubjectReconciliation = z.object({
  key: z.string(),
  role: z.string(),
  outcome: z.enum(['MATCHED', 'MISMATCH', 'NOT_FOUND']),
  idNumber: z.string().optional(),
  reasons: z.array(z.string()).default([]),
  diff: z.array(z.object({ field: z.string(), book: z.string(), register: z.string(), level: z.string() })).default([]),
  candidates: z.array(z.object({ idNumber: z.string(), score: z.number(), probability: z.number() })).default([]),
  resolution: z
    .object({ action: z.enum(['acceptCandidate', 'citizenMustCorrect', 'correctRecord', 'treatAsNotFound']), idNumber: z.string().optional(), note: z.string().optional(), by: Principal, at: z.string() })
    .optional(),
  assignedId: z.string().optional(),
  extractId: z.string(),
});
export type SubjectReconciliation = z.infer<typeof SubjectReconciliation>;

/** Settled: matched, resolved by police and officer, or a new ID assigned after "not found". */
export function isSettled(s: SubjectReconciliation): boolean {
  if (s.assignedId) return true;
  if (s.outcome === 'MATCHED') return true;
  return s.resolution !== undefined && s.resolution.action !== 'treatAsNotFound';
}

/**
 * One registered event of a book, as keyed from the Ministry template. `fields` holds every template
 * column by its Ministry name, normalised as text (dates dd.mm.yyyy or yyyy, codes as digits, ID
 * numbers with their leading zeros). The column set per register type lives in `shared/entry/templates`.
 */
export const BookRecord = z.object({
  bookId: z.string(),
  so: SoDangKy,
  registerType: RegisterType,
  /** Excel row the record came from (header = row 1). */
  rowNumber: z.number().int().min(2),
  fields: z.record(z.string(), z.string().nullable()),
  /** The upload whose content this is: a re-upload replaces every record of the previous one. */
  entryVersion: z.string(),
  version: z.number().int().min(1),
  updatedAt: z.string(),
  scan: RecordScan.optional(),
  review: z.object({ status: z.enum(['ok', 'corrected']), by: Principal, at: z.string() }).optional(),
  corrections: z.array(Correction).default([]),
  reconciliation: z.array(SubjectReconciliation).optional(),
});
export type BookRecord = z.infer<typeof BookRecord>;

/** Sort key part for a registration number: year first, then the number, zero-padded. */
export function soSortKey(so: string): string {
  const [n, y] = so.split('/');
  return `${y}#${n!.padStart(6, '0')}`;
}
