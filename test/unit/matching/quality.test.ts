import { describe, expect, it } from 'vitest';
import { buildIndex, matchRecords } from '../../../shared/matching/engine.js';
import { generateDataset } from '../../bench/population-generator.js';

/**
 * A small end-to-end run on synthetic data (a seed used neither for tuning nor for the benchmark):
 * a guard against regressions in precision, not a measurement (that is `npm run bench -- matching`).
 */
describe('matching quality on a synthetic population', () => {
  it('assigns no wrong ID beyond the 0.5 % budget and matches most present persons', () => {
    const data = generateDataset({ seed: 2025, extractSize: 20_000, records: 5_000 });
    const results = matchRecords(buildIndex(data.extract), data.records);
    let matched = 0;
    let wrong = 0;
    let present = 0;
    for (const r of results) {
      const truth = data.truth.get(r.recordKey);
      if (truth) present++;
      if (r.outcome === 'MATCHED') {
        matched++;
        if (r.idNumber !== truth) wrong++;
      }
    }
    expect(wrong / matched).toBeLessThanOrEqual(0.005);
    expect((matched - wrong) / present).toBeGreaterThan(0.85);
    // One ID per event type within the run.
    const assigned = results.filter((r) => r.outcome === 'MATCHED').map((r) => `${r.eventType}|${r.idNumber}`);
    expect(new Set(assigned).size).toBe(assigned.length);
  });
});
