import { z } from 'zod';
import { ReasonCode, WarningCode } from './reasons.js';

/**
 * What happened to one file of a delivery:
 * - `accepted`: a valid PDF linked to a record without a stored scan; stored;
 * - `unchanged`: the same bytes (SHA-256) as the scan already stored for its record; not stored again;
 * - `replaced`: a valid PDF for a record that already had a different scan; stored, the previous one kept as a version;
 * - `rejected`: refused (`reason` says why); `so` is set when the name linked to a record;
 * - `duplicate`: its name equals another entry's up to case or Unicode normalisation; none of them is stored;
 * - `orphan`: a valid PDF that links to no record of the book; not stored.
 */
export const FileStatus = z.enum(['accepted', 'rejected', 'duplicate', 'orphan', 'unchanged', 'replaced']);
export type FileStatus = z.infer<typeof FileStatus>;

export const ScanWarning = z.object({ code: WarningCode, detail: z.string().optional() });
export type ScanWarning = z.infer<typeof ScanWarning>;

export const FileOutcome = z.object({
  /** The entry's path in the archive (or the uploaded file name), as decoded. */
  entryName: z.string(),
  status: FileStatus,
  reason: ReasonCode.optional(),
  /** Technical cause, for operators (English, not shown to contractors). */
  detail: z.string().optional(),
  so: z.string().optional(),
  sha256: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  pages: z.number().int().positive().optional(),
  /** For `replaced`: the SHA-256 of the scan it replaces. */
  previousSha256: z.string().optional(),
  warnings: z.array(ScanWarning),
});
export type FileOutcome = z.infer<typeof FileOutcome>;

/** Entries that are not scans at all (folders, OS metadata): ignored, listed for transparency. */
export const SkippedEntry = z.object({ entryName: z.string(), reason: z.enum(['DIRECTORY', 'SYSTEM_FILE']) });
export type SkippedEntry = z.infer<typeof SkippedEntry>;

/** A scan already stored for the book by an earlier delivery. */
export const ExistingScan = z.object({
  so: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative().optional(),
  pages: z.number().int().positive().optional(),
  fileName: z.string().optional(),
});
export type ExistingScan = z.infer<typeof ExistingScan>;

/** The outcome of one delivery (a zip or a single PDF). */
export const ScanRun = z.object({
  files: z.array(FileOutcome),
  skipped: z.array(SkippedEntry),
  stats: z.object({
    /** Entries in the central directory (1 for a single PDF). */
    entries: z.number().int().nonnegative(),
    /** Bytes of the upload. */
    uploadBytes: z.number().int().nonnegative(),
    /** Bytes that came out of the inflater, rejected entries included. */
    inflatedBytes: z.number().int().nonnegative(),
    /** Bytes handed to the sink. */
    storedBytes: z.number().int().nonnegative(),
  }),
});
export type ScanRun = z.infer<typeof ScanRun>;

/** Statuses whose file is the record's current scan after this delivery. */
export const coveringStatuses: readonly FileStatus[] = ['accepted', 'unchanged', 'replaced'];

/** The scans stored after a delivery, to pass as `existing` to the next one. */
export function existingFromOutcomes(files: readonly FileOutcome[], before: readonly ExistingScan[] = []): ExistingScan[] {
  const bySo = new Map(before.map((e) => [e.so, e]));
  for (const f of files) {
    if (f.so && f.sha256 && coveringStatuses.includes(f.status)) {
      bySo.set(f.so, { so: f.so, sha256: f.sha256, size: f.size, pages: f.pages, fileName: f.entryName.split('/').pop() });
    }
  }
  return [...bySo.values()];
}
