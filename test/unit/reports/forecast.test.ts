import { describe, expect, it } from 'vitest';
import { Campaign, doneBooksOf, doneRecordsOf, forecastCompletion, remainingRecordsOf } from '../../../shared/reports/forecast.js';
import { rankUnits } from '../../../shared/reports/ranking.js';
import { campaign2024, figures } from './fixtures.js';

// Friday 2024-08-02 is the report day of 2024-W31.
const asOf = '2024-08-02';

describe('completion forecast from the 4-week rolling rate', () => {
  it('on track: 800 left at 100/week → 8 weeks → 56 days → 27/09/2024, before the 30/09 target', () => {
    const f = forecastCompletion({ remaining: 800, weeklyDone: [100, 100, 100, 100], asOf, campaign: campaign2024 });
    expect(f).toMatchObject({ status: 'onTrack', date: '2024-09-27', ratePerWeek: 100, weeksUsed: 4, weeksNeeded: 8 });
    expect(f.reason).toContain('27/09/2024');
  });

  it('at risk: 1,000 left at 100/week → 70 days → 11/10/2024, after the target but before the deadline', () => {
    const f = forecastCompletion({ remaining: 1000, weeklyDone: [100, 100, 100, 100], asOf, campaign: campaign2024 });
    expect(f.status).toBe('atRisk');
    expect(f.date).toBe('2024-10-11');
    expect(f.reason).toContain('hạn chót 31/12/2024');
  });

  it('late: 3,000 left at 100/week → 210 days → 28/02/2025, after the deadline', () => {
    const f = forecastCompletion({ remaining: 3000, weeklyDone: [100, 100, 100, 100], asOf, campaign: campaign2024 });
    expect(f.status).toBe('late');
    expect(f.date).toBe('2025-02-28');
  });

  it('uses only the last 4 weeks, and rounds part-days up', () => {
    // Last four: 200, 100, 100, 0 → 100/week; 250 left → 2.5 weeks = 17.5 days → 18 days.
    const f = forecastCompletion({ remaining: 250, weeklyDone: [0, 0, 200, 100, 100, 0], asOf, campaign: campaign2024 });
    expect(f.ratePerWeek).toBe(100);
    expect(f.date).toBe('2024-08-20');
  });

  it('no progress with work remaining is late with no date; nothing remaining is on track', () => {
    const stuck = forecastCompletion({ remaining: 10, weeklyDone: [0, 0], asOf, campaign: campaign2024 });
    expect(stuck).toMatchObject({ status: 'late', date: null, weeksNeeded: null });
    const none = forecastCompletion({ remaining: 0, weeklyDone: [], asOf, campaign: campaign2024 });
    expect(none).toMatchObject({ status: 'onTrack', date: asOf });
  });

  it('the campaign scope decides what counts as done', () => {
    const f = figures({
      byStage: { entry: 2, reconciliation: 3, completed: 5 },
      records: { expected: 1000, entered: 900, scanned: 800, reviewed: 700, approved: 600, reconciled: 400 },
    });
    expect(doneRecordsOf(f, 'completed')).toBe(400);
    expect(doneRecordsOf(f, 'reconciliation')).toBe(600);
    expect(doneBooksOf(f, 'completed')).toBe(5);
    expect(doneBooksOf(f, 'reconciliation')).toBe(8);
    expect(remainingRecordsOf(f, 'reconciliation')).toBe(400);
  });

  it('a target after the deadline is rejected', () => {
    expect(Campaign.safeParse({ ...campaign2024, target: '2025-01-31' }).success).toBe(false);
  });
});

describe('ranking', () => {
  it('orders by % of records, then % of books; full ties share a rank and the next rank is skipped', () => {
    const ranked = rankUnits([
      { unitCode: 'A', percentRecords: 0.5, percentBooks: 0.3 },
      { unitCode: 'B', percentRecords: 0.5, percentBooks: 0.3 },
      { unitCode: 'C', percentRecords: 0.5, percentBooks: 0.4 },
      { unitCode: 'D', percentRecords: 0.7, percentBooks: 0.1 },
      { unitCode: 'E', percentRecords: 0.2, percentBooks: 0.9 },
    ]);
    expect(ranked.map((r) => [r.unitCode, r.rank])).toEqual([
      ['D', 1],
      ['C', 2],
      ['A', 3],
      ['B', 3],
      ['E', 5],
    ]);
  });
});
