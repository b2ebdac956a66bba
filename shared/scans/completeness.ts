/**
 * Is the book's set of scans complete? Every record must have exactly one valid PDF, either from this
 * delivery (`accepted`, `unchanged`, `replaced`) or from an earlier one (`existing`): so a contractor
 * completes a set by uploading only the missing or rejected files, and re-delivering the same zip
 * changes nothing.
 *
 * DECISION: orphans, rejected junk and skipped entries do not make a book incomplete (nothing of
 * theirs is stored); they are listed in the report and count in the rework rate when rejected.
 */
import { buildLinkIndex, DEFAULT_NAME_PATTERN, type ExpectedScan } from './linking.js';
import type { ReasonCode } from './reasons.js';
import { coveringStatuses, type ExistingScan, type FileOutcome, type FileStatus, type ScanRun } from './scan-outcome.js';

export interface MissingRecord {
  so: string;
  /** The file name the record expects (TenFile or the default name). */
  expectedName: string;
  reason: 'MISSING_SCAN';
  /** Files of this delivery that were meant for the record but refused. */
  refused: { entryName: string; status: FileStatus; reason?: ReasonCode }[];
}

export interface CompletenessCounts {
  expected: number;
  /** Records with a valid scan after this delivery (this one or earlier). */
  covered: number;
  /** Of those, covered only by an earlier delivery. */
  carriedOver: number;
  missing: number;
  accepted: number;
  unchanged: number;
  replaced: number;
  rejected: number;
  duplicate: number;
  orphan: number;
}

export interface CompletenessResult {
  complete: boolean;
  counts: CompletenessCounts;
  files: FileOutcome[];
  missing: MissingRecord[];
  /** (rejected files + missing records) / expected records; 0 for an empty book. */
  reworkRate: number;
}

/**
 * Compares a delivery's outcomes with the book's records and the scans stored before it.
 * @throws InvalidInput when `expected` is malformed
 */
export function assessCompleteness(
  expected: readonly ExpectedScan[],
  outcomes: readonly FileOutcome[] | ScanRun,
  existing: readonly ExistingScan[] = [],
  options: { defaultNamePattern?: string } = {},
): CompletenessResult {
  const files = [...('files' in outcomes ? outcomes.files : outcomes)];
  const index = buildLinkIndex(expected, options.defaultNamePattern ?? DEFAULT_NAME_PATTERN);
  const coveredNow = new Set(files.filter((f) => f.so && coveringStatuses.includes(f.status)).map((f) => f.so!));
  const stored = new Set(existing.map((e) => e.so));
  const missing: MissingRecord[] = [];
  let carriedOver = 0;
  for (const [so, expectedName] of index.expectedNames) {
    if (coveredNow.has(so)) continue;
    if (stored.has(so)) {
      carriedOver++;
      continue;
    }
    const refused = files.filter((f) => f.so === so).map((f) => ({ entryName: f.entryName, status: f.status, ...(f.reason ? { reason: f.reason } : {}) }));
    missing.push({ so, expectedName, reason: 'MISSING_SCAN', refused });
  }
  const count = (s: FileStatus) => files.filter((f) => f.status === s).length;
  const expectedCount = index.expectedNames.size;
  const counts: CompletenessCounts = {
    expected: expectedCount,
    covered: expectedCount - missing.length,
    carriedOver,
    missing: missing.length,
    accepted: count('accepted'),
    unchanged: count('unchanged'),
    replaced: count('replaced'),
    rejected: count('rejected'),
    duplicate: count('duplicate'),
    orphan: count('orphan'),
  };
  return {
    complete: missing.length === 0,
    counts,
    files,
    missing,
    reworkRate: expectedCount === 0 ? 0 : (counts.rejected + counts.missing) / expectedCount,
  };
}
