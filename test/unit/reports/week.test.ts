import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../shared/errors.js';
import {
  addDays,
  addWeeks,
  isoWeekOf,
  previousWeek,
  reportTimeOf,
  vnDateOf,
  weekBounds,
  weekRangeLabel,
  weeksBetween,
  weeksInYear,
} from '../../../shared/reports/week.js';

describe('ISO weeks on the Vietnamese clock', () => {
  it('2026-W48 runs from Monday 23/11 00:00 +07 to Sunday 29/11 24:00 +07', () => {
    const { start, end } = weekBounds('2026-W48');
    expect(start.toISOString()).toBe('2026-11-22T17:00:00.000Z');
    expect(end.toISOString()).toBe('2026-11-29T17:00:00.000Z');
    expect(weekRangeLabel('2026-W48')).toBe('23/11–29/11/2026');
  });

  it('Sunday 23:30 +07 belongs to the same week, though it is already Monday-eve in UTC terms of the next day', () => {
    expect(isoWeekOf(new Date('2026-11-29T23:30:00+07:00'))).toBe('2026-W48');
    expect(isoWeekOf(new Date('2026-11-30T00:00:00+07:00'))).toBe('2026-W49');
    // Monday 00:30 +07 is still Sunday in UTC: the Vietnamese clock decides.
    expect(isoWeekOf(new Date('2026-11-29T17:30:00Z'))).toBe('2026-W49');
    expect(isoWeekOf(new Date('2026-11-23T00:00:00+07:00'))).toBe('2026-W48');
    expect(isoWeekOf(new Date('2026-11-22T23:59:59+07:00'))).toBe('2026-W47');
  });

  it('the report time is Friday 11:00 +07 = 04:00Z', () => {
    expect(reportTimeOf('2026-W48').toISOString()).toBe('2026-11-27T04:00:00.000Z');
    expect(vnDateOf(reportTimeOf('2026-W48'))).toBe('2026-11-27');
    expect(isoWeekOf(reportTimeOf('2026-W48'))).toBe('2026-W48');
  });

  it('handles years with 53 weeks and the turn of the year', () => {
    expect(weeksInYear(2026)).toBe(53);
    expect(weeksInYear(2025)).toBe(52);
    expect(isoWeekOf(new Date('2027-01-01T10:00:00+07:00'))).toBe('2026-W53');
    expect(isoWeekOf(new Date('2024-12-30T10:00:00+07:00'))).toBe('2025-W01');
    expect(addWeeks('2026-W53', 1)).toBe('2027-W01');
    expect(previousWeek('2026-W01')).toBe('2025-W52');
    expect(weeksBetween('2025-W50', '2026-W02')).toBe(4);
  });

  it('rejects weeks that do not exist', () => {
    expect(() => weekBounds('2025-W53')).toThrow(InvalidInput);
    expect(() => weekBounds('2026-W00')).toThrow(InvalidInput);
    expect(() => weekBounds('2026-48')).toThrow(InvalidInput);
  });

  it('calendar-day arithmetic does not drift', () => {
    expect(addDays('2024-08-02', 56)).toBe('2024-09-27');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });
});
