import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Adaptive quality control. Default: every record of a book is reviewed. A unit may switch to
 * `adaptive`: once the entry clerk's error rate over the last `window` reviewed records is below
 * `threshold`, only `samplePercent` % of a book's records are reviewed; any error found in a sample
 * sends that clerk's next books back to full review until the rate is earned again.
 */
export const ReviewPolicy = z.object({
  unitCode: z.string(),
  mode: z.enum(['full', 'adaptive']).default('full'),
  samplePercent: z.number().int().min(1).max(100).default(20),
  window: z.number().int().min(20).max(5000).default(200),
  threshold: z.number().min(0).max(1).default(0.02),
  /** Never sample fewer records than this from a book. */
  minSample: z.number().int().min(1).default(10),
});
export type ReviewPolicy = z.infer<typeof ReviewPolicy>;

export const defaultPolicy = (unitCode: string): ReviewPolicy => ReviewPolicy.parse({ unitCode });

/** A clerk's recent review outcomes: '1' = a record with a clerk error, '0' = clean; newest last. */
export const ClerkQuality = z.object({
  userId: z.string(),
  recent: z.string().regex(/^[01]*$/).default(''),
  forceFull: z.boolean().default(false),
  reviewed: z.number().int().default(0),
  errors: z.number().int().default(0),
  byReason: z.record(z.string(), z.number().int()).default({}),
});
export type ClerkQuality = z.infer<typeof ClerkQuality>;

export type ReviewPlan = { mode: 'full' } | { mode: 'sample'; sample: string[]; percent: number };

export function recentErrorRate(q: ClerkQuality, window: number): number | undefined {
  const bits = q.recent.slice(-window);
  if (bits.length < window) return undefined; // not enough evidence yet
  return [...bits].filter((b) => b === '1').length / bits.length;
}

/** Which records of a book must be reviewed. Deterministic: the same book gets the same sample. */
export function decideReviewPlan(policy: ReviewPolicy, clerk: ClerkQuality | undefined, bookId: string, sos: readonly string[]): ReviewPlan {
  if (policy.mode !== 'adaptive' || !clerk || clerk.forceFull) return { mode: 'full' };
  const rate = recentErrorRate(clerk, policy.window);
  if (rate === undefined || rate >= policy.threshold) return { mode: 'full' };
  const size = Math.min(sos.length, Math.max(policy.minSample, Math.ceil((sos.length * policy.samplePercent) / 100)));
  if (size >= sos.length) return { mode: 'full' };
  const ranked = [...sos].sort((a, b) => rank(bookId, a).localeCompare(rank(bookId, b)));
  return { mode: 'sample', sample: ranked.slice(0, size).sort(), percent: policy.samplePercent };
}

/** Folds one reviewed record into the clerk's quality. An error found while sampling forces full review. */
export function recordOutcome(q: ClerkQuality, outcome: { clerkError: boolean; reasons: string[]; sampled: boolean }, window: number): ClerkQuality {
  const byReason = { ...q.byReason };
  for (const r of outcome.reasons) byReason[r] = (byReason[r] ?? 0) + 1;
  const recent = (q.recent + (outcome.clerkError ? '1' : '0')).slice(-window);
  const next = { ...q, recent, reviewed: q.reviewed + 1, errors: q.errors + (outcome.clerkError ? 1 : 0), byReason };
  if (outcome.clerkError && outcome.sampled) return { ...next, forceFull: true };
  // A full review that brings the rate back under the bar lifts the forced full review.
  return next;
}

/** After a full review: lift `forceFull` when the clerk's recent rate is below the threshold again. */
export function afterFullReview(q: ClerkQuality, policy: ReviewPolicy): ClerkQuality {
  const rate = recentErrorRate(q, policy.window);
  return rate !== undefined && rate < policy.threshold ? { ...q, forceFull: false } : q;
}

function rank(bookId: string, so: string): string {
  return createHash('sha256').update(`${bookId}|${so}`).digest('hex');
}
