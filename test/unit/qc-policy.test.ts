import { describe, expect, it } from 'vitest';
import { afterFullReview, ClerkQuality, decideReviewPlan, defaultPolicy, recordOutcome, ReviewPolicy } from '../../shared/review/qc-policy.js';

const sos = Array.from({ length: 100 }, (_, i) => `${i + 1}/2018`);
const adaptive = ReviewPolicy.parse({ unitCode: '90101', mode: 'adaptive', samplePercent: 20, window: 50, threshold: 0.04 });
const clerk = (recent: string, forceFull = false) => ClerkQuality.parse({ userId: 'c', recent, forceFull });

describe('adaptive review policy', () => {
  it('full review by default, and without enough evidence', () => {
    expect(decideReviewPlan(defaultPolicy('90101'), clerk('0'.repeat(500)), 'b', sos)).toEqual({ mode: 'full' });
    expect(decideReviewPlan(adaptive, clerk('0'.repeat(49)), 'b', sos)).toEqual({ mode: 'full' });
  });

  it('samples N % once the clerk’s rate over the window is below the threshold, deterministically', () => {
    const plan = decideReviewPlan(adaptive, clerk('0'.repeat(48) + '1' + '0'), 'book-1', sos);
    expect(plan.mode).toBe('sample');
    if (plan.mode !== 'sample') return;
    expect(plan.sample).toHaveLength(20);
    expect(decideReviewPlan(adaptive, clerk('0'.repeat(48) + '1' + '0'), 'book-1', sos)).toEqual(plan);
    expect(decideReviewPlan(adaptive, clerk('0'.repeat(50)), 'book-2', sos)).not.toEqual(plan);
  });

  it('stays full at or above the threshold', () => {
    expect(decideReviewPlan(adaptive, clerk('0'.repeat(48) + '11'), 'b', sos)).toEqual({ mode: 'full' });
  });

  it('an error found in a sample forces full review until a full review earns the rate back', () => {
    let q = clerk('0'.repeat(50));
    q = recordOutcome(q, { clerkError: true, reasons: ['TYPO'], sampled: true }, 50);
    expect(q.forceFull).toBe(true);
    expect(q.byReason).toEqual({ TYPO: 1 });
    expect(decideReviewPlan(adaptive, q, 'b', sos)).toEqual({ mode: 'full' });
    for (let i = 0; i < 50; i++) q = recordOutcome(q, { clerkError: false, reasons: [], sampled: false }, 50);
    q = afterFullReview(q, adaptive);
    expect(q.forceFull).toBe(false);
    expect(decideReviewPlan(adaptive, q, 'b', sos).mode).toBe('sample');
  });
});
