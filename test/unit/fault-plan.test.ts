import { describe, expect, it } from 'vitest';
import { faultPoints } from '../../shared/faults.js';
import { faultPlans, seededRandom } from '../support/fault-plan.js';

describe('seeded fault plans', () => {
  it('the same seed gives the same plans; another seed other plans', () => {
    expect(faultPlans(42, 20, 3)).toEqual(faultPlans(42, 20, 3));
    expect(faultPlans(42, 20, 3)).not.toEqual(faultPlans(43, 20, 3));
  });

  it('20 runs cover every fault point, batch hits stay within the batches', () => {
    for (const seed of [1, 2, 3, 1234567]) {
      const plans = faultPlans(seed, 20, 3);
      expect(plans).toHaveLength(20);
      expect(new Set(plans.map((p) => p.point))).toEqual(new Set(faultPoints));
      for (const p of plans) {
        if (p.point === 'entry.batch-written') expect(p.hit).toBeGreaterThanOrEqual(1);
        expect(p.hit).toBeLessThanOrEqual(p.point === 'entry.batch-written' ? 3 : 1);
      }
    }
  });

  it('the generator is uniform enough to spread the hits', () => {
    const r = seededRandom(7);
    const xs = Array.from({ length: 10_000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeGreaterThan(0.48);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeLessThan(0.52);
  });
});
