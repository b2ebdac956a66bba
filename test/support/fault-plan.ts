/**
 * Seeded fault plans for the ingestion fault test: which point to fail at in each run, and at which
 * hit (the batch-write point is reached once per 100 records). Pure, so the same seed gives the same
 * runs; the test prints the seed and takes FAULT_SEED to replay one.
 */
import { type FaultPoint, faultPoints } from '../../shared/faults.js';
import { rng as seededRandom } from './random.js';

export { seededRandom };

export interface PlannedFault {
  run: number;
  point: FaultPoint;
  hit: number;
}

/**
 * `runs` plans: every fault point at least once (in a shuffled order) while runs remain, the rest
 * drawn at random; the hit of the batch-write point drawn in 1…batches.
 */
export function faultPlans(seed: number, runs: number, batches: number): PlannedFault[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const order = [...faultPoints];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return Array.from({ length: runs }, (_, run) => {
    const point = run < order.length ? order[run]! : pick(faultPoints);
    return { run, point, hit: point === 'entry.batch-written' ? 1 + Math.floor(random() * batches) : 1 };
  });
}
