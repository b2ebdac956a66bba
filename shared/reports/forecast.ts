import { z } from 'zod';
import { Stage } from '../workflow/stages.js';
import type { Figures } from './snapshot.js';
import { addDays, dmy as vn, IsoDate } from './week.js';

/**
 * Campaigns and the completion forecast. The 2024 campaign (domain §8) aimed for 30/9/2024 and had
 * to finish by 31/12/2024; which stage counts as "done" is part of the campaign, because a campaign
 * about digitisation ends at approval while one about reconciliation ends at completion.
 */

/** The stage a book must have reached for its records to count as done. */
export const DoneStage = z.enum(['scan', 'review', 'approval', 'reconciliation', 'completed']);
export type DoneStage = z.infer<typeof DoneStage>;

export const Campaign = z
  .object({
    name: z.string().min(1),
    /** The date aimed for (on track = forecast on or before it). */
    target: IsoDate,
    /** The hard deadline (at risk = after the target but on or before it; late = after it). */
    deadline: IsoDate,
    scope: DoneStage.default('completed'),
  })
  .refine((c) => c.target <= c.deadline, { message: 'Ngày mục tiêu phải trước hạn chót', path: ['target'] });
export type Campaign = z.infer<typeof Campaign>;

/** The record counter a book increases as it reaches each stage. */
const recordsDoneAt: Record<DoneStage, keyof Figures['records']> = {
  scan: 'entered',
  review: 'scanned',
  approval: 'reviewed',
  reconciliation: 'approved',
  completed: 'reconciled',
};

/** Records that count as done for the campaign. */
export function doneRecordsOf(f: Figures, scope: DoneStage): number {
  return f.records[recordsDoneAt[scope]];
}

/** Books that have reached the campaign's done stage (or a later one). */
export function doneBooksOf(f: Figures, scope: DoneStage): number {
  const from = Stage.options.indexOf(scope);
  return Stage.options.slice(from).reduce((n, s) => n + f.books.byStage[s], 0);
}

/** Records still to be done: expected minus done, never negative. */
export function remainingRecordsOf(f: Figures, scope: DoneStage): number {
  return Math.max(0, f.records.expected - doneRecordsOf(f, scope));
}

/** done / total as a fraction 0..1 (0 when there is nothing to do yet). */
export function ratio(done: number, total: number): number {
  return total > 0 ? Math.min(1, done / total) : 0;
}

export const ForecastStatus = z.enum(['onTrack', 'atRisk', 'late']);
export type ForecastStatus = z.infer<typeof ForecastStatus>;

export const forecastStatusTitles: Record<ForecastStatus, string> = {
  onTrack: 'Đúng tiến độ',
  atRisk: 'Có nguy cơ chậm',
  late: 'Chậm tiến độ',
};

export const Forecast = z.object({
  status: ForecastStatus,
  /** The date the remaining records would be done at the recent rate; null when the rate is zero. */
  date: IsoDate.nullable(),
  remaining: z.number().int().nonnegative(),
  /** Mean records done per week over `weeksUsed` recent weeks. */
  ratePerWeek: z.number().nonnegative(),
  weeksUsed: z.number().int().nonnegative(),
  weeksNeeded: z.number().nonnegative().nullable(),
  /** The reasoning in Vietnamese, for the workbook and the email. */
  reason: z.string(),
});
export type Forecast = z.infer<typeof Forecast>;

/** How many recent weeks the rolling rate averages over. */
export const FORECAST_WINDOW_WEEKS = 4;

/**
 * Forecast the completion date from the rolling rate: mean records done per week over the last
 * (up to) 4 weeks, `weeklyDone` oldest first; the remaining records at that rate give the weeks
 * needed, counted in days from `asOf` and rounded up. on track ≤ target < at risk ≤ deadline < late.
 * A zero rate with work remaining is late: at that rate the work never ends.
 */
export function forecastCompletion(input: { remaining: number; weeklyDone: readonly number[]; asOf: string; campaign: Campaign }): Forecast {
  const { remaining, asOf, campaign } = input;
  const recent = input.weeklyDone.slice(-FORECAST_WINDOW_WEEKS);
  const weeksUsed = recent.length;
  // A negative week (a correction) lowers the rate but the rate itself cannot go below zero.
  const ratePerWeek = weeksUsed > 0 ? Math.max(0, recent.reduce((a, b) => a + b, 0) / weeksUsed) : 0;
  const targets = `mục tiêu ${vn(campaign.target)}, hạn chót ${vn(campaign.deadline)}`;
  if (remaining <= 0) {
    return { status: 'onTrack', date: asOf, remaining: 0, ratePerWeek, weeksUsed, weeksNeeded: 0, reason: `Đã hoàn thành toàn bộ bản ghi (${targets}).` };
  }
  const rateText = `tốc độ bình quân ${fmt(ratePerWeek)} bản ghi/tuần trong ${weeksUsed} tuần gần nhất`;
  if (ratePerWeek === 0) {
    const reason =
      weeksUsed === 0
        ? `Chưa đủ dữ liệu để tính tốc độ; còn ${fmt(remaining)} bản ghi (${targets}).`
        : `Không có tiến độ trong ${weeksUsed} tuần gần nhất; còn ${fmt(remaining)} bản ghi, không thể hoàn thành nếu giữ tốc độ này (${targets}).`;
    return { status: 'late', date: null, remaining, ratePerWeek, weeksUsed, weeksNeeded: null, reason };
  }
  const weeksNeeded = remaining / ratePerWeek;
  const date = addDays(asOf, Math.ceil(weeksNeeded * 7));
  const status: ForecastStatus = date <= campaign.target ? 'onTrack' : date <= campaign.deadline ? 'atRisk' : 'late';
  const verdict =
    status === 'onTrack'
      ? `kịp mục tiêu ${vn(campaign.target)}`
      : status === 'atRisk'
        ? `sau mục tiêu ${vn(campaign.target)} nhưng trước hạn chót ${vn(campaign.deadline)}`
        : `sau hạn chót ${vn(campaign.deadline)}`;
  const reason = `Còn ${fmt(remaining)} bản ghi, ${rateText}: cần ${fmt(weeksNeeded)} tuần, dự kiến hoàn thành ${vn(date)}, ${verdict}.`;
  return { status, date, remaining, ratePerWeek, weeksUsed, weeksNeeded, reason };
}

const numberVi = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
function fmt(n: number): string {
  return numberVi.format(n);
}
