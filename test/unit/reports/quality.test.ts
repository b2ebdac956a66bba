import { describe, expect, it } from 'vitest';
import { pipelineFlags, qualityFlagsOf, subtotalFlags, trendFlags } from '../../../shared/reports/quality.js';
import { deltaOf, type Figures, type FiguresDelta } from '../../../shared/reports/snapshot.js';
import { figures } from './fixtures.js';

/** Weekly deltas where only "records entered" moves by the given amounts. */
function enteredDeltas(amounts: number[]): FiguresDelta[] {
  const zero = figures();
  return amounts.map((n) => deltaOf(figures({ records: { entered: n } }), zero));
}

const inProgress: Figures = figures({ byStage: { entry: 3, scan: 2 }, records: { expected: 500, entered: 300, scanned: 200 } });

describe('data-quality flags', () => {
  it('flags a planted unusual rise with its percentage against the mean of the previous 4 weeks', () => {
    const flags = trendFlags('90101', inProgress, enteredDeltas([100, 110, 90, 100, 400]));
    const rise = flags.filter((f) => f.kind === 'unusualChange');
    expect(rise).toHaveLength(1);
    expect(rise[0]).toMatchObject({ unitCode: '90101', metric: 'records.entered', percent: 300, severity: 'warning' });
    expect(rise[0]?.values).toMatchObject({ delta: 400, mean: 100 });
    expect(rise[0]?.message).toContain('300%');
  });

  it('flags an unusual fall too', () => {
    const flags = trendFlags('90101', inProgress, enteredDeltas([400, 400, 400, 400, 100]));
    expect(flags.find((f) => f.kind === 'unusualChange')?.percent).toBe(-75);
  });

  it('ordinary variation, and large swings below the absolute floor, are not flagged', () => {
    expect(trendFlags('90101', inProgress, enteredDeltas([100, 110, 90, 100, 120])).filter((f) => f.kind === 'unusualChange')).toEqual([]);
    // +400 % but only 8 records: under the 50-record floor.
    expect(trendFlags('90101', inProgress, enteredDeltas([2, 2, 2, 2, 10])).filter((f) => f.kind === 'unusualChange')).toEqual([]);
    // Same swing with a lower floor is flagged: the floor is what kept it quiet.
    expect(trendFlags('90101', inProgress, enteredDeltas([2, 2, 2, 2, 10]), { unusualFloor: 5 }).filter((f) => f.kind === 'unusualChange')).toHaveLength(1);
  });

  it('needs enough history before judging a change unusual', () => {
    expect(trendFlags('90101', inProgress, enteredDeltas([100, 900])).filter((f) => f.kind === 'unusualChange')).toEqual([]);
  });

  it('flags a non-monotone pipeline, one flag per violated step', () => {
    const f = figures({ byStage: { review: 2 }, records: { expected: 100, entered: 100, scanned: 120, reviewed: 50, approved: 60, reconciled: 10 } });
    const flags = pipelineFlags('90102', f);
    expect(flags.map((x) => x.metric)).toEqual(['records.scanned', 'records.approved']);
    expect(flags.every((x) => x.severity === 'error' && x.kind === 'pipeline')).toBe(true);
    expect(flags[0]?.values).toEqual({ entered: 100, scanned: 120 });
  });

  it('flags sub-totals that do not add up', () => {
    const f = figures({ byStage: { entry: 4, completed: 5 } });
    expect(subtotalFlags('90103', f)).toEqual([]);
    const broken = { ...f, books: { ...f.books, total: 10 } };
    const flags = subtotalFlags('90103', broken);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ metric: 'books.byStage', values: { byStageSum: 9, total: 10 } });
    const badReasons = { ...f, quality: { reviewedRecords: 10, errors: 3, byReason: { a: 1, b: 1 } } };
    expect(subtotalFlags('90103', badReasons).map((x) => x.metric)).toEqual(['quality.byReason']);
  });

  it('flags figures frozen for 2 weeks while books are in progress, but not when nothing is in progress', () => {
    const still = enteredDeltas([50, 0, 0]);
    expect(trendFlags('90201', inProgress, still).find((f) => f.kind === 'unchanged')?.values).toEqual({ weeks: 2, inProgress: 5 });
    const allDone = figures({ byStage: { completed: 5 } });
    expect(trendFlags('90201', allDone, still).find((f) => f.kind === 'unchanged')).toBeUndefined();
    expect(trendFlags('90201', inProgress, enteredDeltas([50, 50, 0])).find((f) => f.kind === 'unchanged')).toBeUndefined();
  });

  it('a cumulative counter that falls is an error', () => {
    const flags = qualityFlagsOf('90202', inProgress, enteredDeltas([-5]));
    expect(flags.find((f) => f.kind === 'decrease')).toMatchObject({ metric: 'records.entered', severity: 'error', values: { delta: -5 } });
  });
});
