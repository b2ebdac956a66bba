import { z } from 'zod';
import { InvalidInput } from '../errors.js';

/**
 * ISO-8601 weeks on the Vietnamese clock (Asia/Ho_Chi_Minh, UTC+7 all year: Vietnam has no
 * daylight saving, so a fixed offset is exact and needs no time-zone database). Stored timestamps
 * stay UTC (decision 15); only the week a moment belongs to is decided in Vietnam time.
 */
const VN_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** A week as "YYYY-Www", e.g. "2026-W48". Week 53 is accepted only in years that have one. */
export const IsoWeek = z
  .string()
  .regex(/^\d{4}-W\d{2}$/, 'Tuần phải có dạng YYYY-Www, ví dụ 2026-W48')
  .refine((w) => {
    const { year, week } = splitWeek(w);
    return week >= 1 && week <= weeksInYear(year);
  }, 'Tuần không tồn tại trong năm này');
export type IsoWeek = z.infer<typeof IsoWeek>;

/** A calendar date "YYYY-MM-DD" (on the Vietnamese clock when it comes from an instant). */
export const IsoDate = z.iso.date();
export type IsoDate = z.infer<typeof IsoDate>;

function splitWeek(w: string): { year: number; week: number } {
  return { year: Number(w.slice(0, 4)), week: Number(w.slice(6)) };
}

/** Weekday with Monday = 0 … Sunday = 6. */
function mondayBased(d: Date): number {
  return (d.getUTCDay() + 6) % 7;
}

/** 52 or 53: a year has 53 ISO weeks when 28 December falls in week 53. */
export function weeksInYear(year: number): number {
  const dec28 = new Date(Date.UTC(year, 11, 28));
  return isoWeekOfCivil(dec28).week;
}

/** ISO week of a civil date held in a Date's UTC fields. */
function isoWeekOfCivil(civil: Date): { year: number; week: number } {
  // The ISO year is the year of the week's Thursday; week 1 is the week holding 4 January.
  const thursday = new Date(civil.getTime() + (3 - mondayBased(civil)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / WEEK_MS);
  return { year, week };
}

function format(year: number, week: number): IsoWeek {
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Vietnamese wall-clock reading of an instant, held in a Date's UTC fields. */
function vnCivil(instant: Date): Date {
  return new Date(instant.getTime() + VN_OFFSET_MS);
}

/** The ISO week an instant falls in, on the Vietnamese clock (Sunday 23:30 +07 is still that week). */
export function isoWeekOf(instant: Date): IsoWeek {
  const { year, week } = isoWeekOfCivil(vnCivil(instant));
  return format(year, week);
}

/** @throws InvalidInput when the text is not an existing ISO week. */
export function parseIsoWeek(week: string): IsoWeek {
  const parsed = IsoWeek.safeParse(week);
  if (!parsed.success) throw new InvalidInput(`Tuần không hợp lệ: ${week}`, { issues: parsed.error.issues });
  return parsed.data;
}

/**
 * Monday 00:00 to the next Monday 00:00 (= Sunday 24:00) Vietnam time, as UTC instants;
 * `end` is exclusive. @throws InvalidInput for a malformed week.
 */
export function weekBounds(week: string): { start: Date; end: Date } {
  const { year, week: n } = splitWeek(parseIsoWeek(week));
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const mondayCivil = jan4.getTime() - mondayBased(jan4) * DAY_MS + (n - 1) * WEEK_MS;
  const start = new Date(mondayCivil - VN_OFFSET_MS);
  return { start, end: new Date(start.getTime() + WEEK_MS) };
}

/**
 * The moment a week's report is due and its snapshot is taken: Friday 11:00 Vietnam time of that
 * week (domain §8: communes report before 11:00 every Friday) = Friday 04:00Z.
 * @throws InvalidInput for a malformed week.
 */
export function reportTimeOf(week: string): Date {
  return new Date(weekBounds(week).start.getTime() + 4 * DAY_MS + 11 * 3600_000);
}

/** The week `n` weeks later (negative: earlier). @throws InvalidInput for a malformed week. */
export function addWeeks(week: string, n: number): IsoWeek {
  return isoWeekOf(new Date(weekBounds(week).start.getTime() + n * WEEK_MS));
}

/** The week before. @throws InvalidInput for a malformed week. */
export function previousWeek(week: string): IsoWeek {
  return addWeeks(week, -1);
}

/** Whole weeks from `a` to `b` (positive when `b` is later). */
export function weeksBetween(a: string, b: string): number {
  return Math.round((weekBounds(b).start.getTime() - weekBounds(a).start.getTime()) / WEEK_MS);
}

/** The Vietnamese wall-clock time of an instant as "HHmm" (e.g. "1100"). */
export function vnClockOf(instant: Date): string {
  return vnCivil(instant).toISOString().slice(11, 16).replace(':', '');
}

/** The Vietnamese calendar date of an instant, "YYYY-MM-DD". */
export function vnDateOf(instant: Date): IsoDate {
  return vnCivil(instant).toISOString().slice(0, 10);
}

/** The instant a Vietnamese calendar date starts (00:00 +07). */
export function vnStartOfDay(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - VN_OFFSET_MS);
}

/** Calendar arithmetic on "YYYY-MM-DD" (time-zone free). */
export function addDays(date: string, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b`, both "YYYY-MM-DD". */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** "23/11–29/11/2026": how the week is printed in workbooks and emails. */
export function weekRangeLabel(week: string): string {
  const { start, end } = weekBounds(week);
  const first = vnDateOf(start);
  const last = vnDateOf(new Date(end.getTime() - 1));
  return `${dmy(first).slice(0, 5)}–${dmy(last)}`;
}

/** "2026-11-23" → "23/11/2026". */
export function dmy(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}
