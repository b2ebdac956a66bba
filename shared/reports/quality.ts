import { z } from 'zod';
import { Stage, waitingStages } from '../workflow/stages.js';
import { type Figures, type FiguresDelta, type RecordFigures, recordTitles } from './snapshot.js';

/**
 * Data-quality flags in the spirit of the statistics rules (Circular 03/2019, domain §8): sub-totals
 * must add up, the pipeline can only narrow (entered ≥ scanned ≥ reviewed ≥ approved ≥ reconciled),
 * cumulative counters never fall (deleting data is prohibited, domain §10), unusual rises or falls
 * against earlier weeks must be explained, and a commune whose figures froze while books are in
 * progress needs a follow-up.
 */

export const QualityFlagKind = z.enum(['subtotal', 'pipeline', 'decrease', 'unusualChange', 'unchanged']);
export type QualityFlagKind = z.infer<typeof QualityFlagKind>;

export const qualityFlagTitles: Record<QualityFlagKind, string> = {
  subtotal: 'Số liệu thành phần không khớp tổng',
  pipeline: 'Số liệu các bước không hợp lý',
  decrease: 'Số liệu lũy kế giảm',
  unusualChange: 'Biến động bất thường',
  unchanged: 'Số liệu không thay đổi',
};

export const QualityFlag = z.object({
  unitCode: z.string(),
  kind: QualityFlagKind,
  severity: z.enum(['error', 'warning']),
  /** What was checked, e.g. "records.scanned" or "books.byStage". */
  metric: z.string(),
  /** Vietnamese explanation with the numbers. */
  message: z.string(),
  /** Deviation from the recent mean in percent (unusual changes); null when the mean was zero. */
  percent: z.number().nullable().optional(),
  values: z.record(z.string(), z.number()),
});
export type QualityFlag = z.infer<typeof QualityFlag>;

export const QualityOptions = z.object({
  /** Deviation from the mean of earlier weeks that counts as unusual, as a fraction (0.5 = 50 %). */
  unusualFraction: z.number().positive().default(0.5),
  /** …and it must also exceed this many records, so small communes do not flag on noise. */
  unusualFloor: z.number().int().nonnegative().default(50),
  /** Earlier weeks the mean is taken over. */
  historyWeeks: z.number().int().positive().default(4),
  /** Fewer earlier weeks than this: no unusual-change check yet. */
  minHistoryWeeks: z.number().int().positive().default(2),
  /** Weeks without any change (while books are in progress) that raise the "unchanged" flag. */
  unchangedWeeks: z.number().int().positive().default(2),
});
export type QualityOptions = z.input<typeof QualityOptions>;

const pipeline = ['entered', 'scanned', 'reviewed', 'approved', 'reconciled'] as const satisfies readonly (keyof RecordFigures)[];
const fmt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/** Sub-totals that must add up, on one unit's cumulative figures. */
export function subtotalFlags(unitCode: string, f: Figures): QualityFlag[] {
  const flags: QualityFlag[] = [];
  const byStageSum = Stage.options.reduce((n, s) => n + f.books.byStage[s], 0);
  if (byStageSum !== f.books.total) {
    flags.push({
      unitCode,
      kind: 'subtotal',
      severity: 'error',
      metric: 'books.byStage',
      message: `Tổng số sổ theo giai đoạn (${fmt.format(byStageSum)}) khác tổng số sổ (${fmt.format(f.books.total)}).`,
      values: { byStageSum, total: f.books.total },
    });
  }
  if (f.books.completed !== f.books.byStage.completed) {
    flags.push({
      unitCode,
      kind: 'subtotal',
      severity: 'error',
      metric: 'books.completed',
      message: `Số sổ hoàn thành (${fmt.format(f.books.completed)}) khác số sổ ở giai đoạn Hoàn thành (${fmt.format(f.books.byStage.completed)}).`,
      values: { completed: f.books.completed, byStageCompleted: f.books.byStage.completed },
    });
  }
  const working = waitingStages.reduce((n, s) => n + f.books.byStage[s], 0);
  if (f.books.stalled > working) {
    flags.push({
      unitCode,
      kind: 'subtotal',
      severity: 'error',
      metric: 'books.stalled',
      message: `Số sổ chậm tiến độ (${fmt.format(f.books.stalled)}) lớn hơn số sổ đang xử lý (${fmt.format(working)}).`,
      values: { stalled: f.books.stalled, working },
    });
  }
  if (f.quality && Object.keys(f.quality.byReason).length > 0) {
    const byReasonSum = Object.values(f.quality.byReason).reduce((a, b) => a + b, 0);
    if (byReasonSum !== f.quality.errors) {
      flags.push({
        unitCode,
        kind: 'subtotal',
        severity: 'error',
        metric: 'quality.byReason',
        message: `Tổng số lỗi theo nguyên nhân (${fmt.format(byReasonSum)}) khác tổng số lỗi (${fmt.format(f.quality.errors)}).`,
        values: { byReasonSum, errors: f.quality.errors },
      });
    }
  }
  return flags;
}

/** Each step can only hold what the step before it holds: one flag per violated pair. */
export function pipelineFlags(unitCode: string, f: Figures): QualityFlag[] {
  const flags: QualityFlag[] = [];
  for (let i = 1; i < pipeline.length; i++) {
    const before = pipeline[i - 1]!;
    const after = pipeline[i]!;
    if (f.records[after] > f.records[before]) {
      flags.push({
        unitCode,
        kind: 'pipeline',
        severity: 'error',
        metric: `records.${after}`,
        message: `${recordTitles[after]} (${fmt.format(f.records[after])}) lớn hơn ${recordTitles[before].toLowerCase()} (${fmt.format(f.records[before])}).`,
        values: { [before]: f.records[before], [after]: f.records[after] },
      });
    }
  }
  return flags;
}

/**
 * Flags that compare weeks. `weekly` holds the unit's week-over-week deltas, oldest first, the last
 * one being this week's; `current` the cumulative figures now.
 */
export function trendFlags(unitCode: string, current: Figures, weekly: readonly FiguresDelta[], options: QualityOptions = {}): QualityFlag[] {
  const o = QualityOptions.parse(options);
  const flags: QualityFlag[] = [];
  const thisWeek = weekly.at(-1);
  if (!thisWeek) return flags;
  const earlier = weekly.slice(0, -1).slice(-o.historyWeeks);

  if (thisWeek.books.total < 0) {
    flags.push({
      unitCode,
      kind: 'decrease',
      severity: 'error',
      metric: 'books.total',
      message: `Tổng số sổ giảm ${fmt.format(-thisWeek.books.total)} so với tuần trước; dữ liệu không được xóa.`,
      values: { delta: thisWeek.books.total },
    });
  }
  for (const m of pipeline) {
    const delta = thisWeek.records[m];
    if (delta < 0) {
      flags.push({
        unitCode,
        kind: 'decrease',
        severity: 'error',
        metric: `records.${m}`,
        message: `${recordTitles[m]} giảm ${fmt.format(-delta)} bản ghi so với tuần trước; số liệu lũy kế không được giảm.`,
        values: { delta },
      });
    }
    if (earlier.length < o.minHistoryWeeks) continue;
    const mean = earlier.reduce((n, d) => n + d.records[m], 0) / earlier.length;
    const deviation = delta - mean;
    const beyondShare = mean === 0 ? true : Math.abs(deviation) > o.unusualFraction * Math.abs(mean);
    if (beyondShare && Math.abs(deviation) > o.unusualFloor) {
      const percent = mean === 0 ? null : Math.round((deviation / Math.abs(mean)) * 1000) / 10;
      const direction = deviation > 0 ? 'tăng' : 'giảm';
      const share = percent === null ? 'trong khi các tuần trước không có thay đổi' : `${direction} ${fmt.format(Math.abs(percent))}% so với bình quân`;
      flags.push({
        unitCode,
        kind: 'unusualChange',
        severity: 'warning',
        metric: `records.${m}`,
        message: `${recordTitles[m]} tuần này ${fmt.format(delta)} bản ghi, bình quân ${earlier.length} tuần trước ${fmt.format(mean)}: ${share}. Đề nghị giải trình.`,
        percent,
        values: { delta, mean, deviation },
      });
    }
  }

  const inProgress = waitingStages.reduce((n, s) => n + current.books.byStage[s], 0);
  const still = countTrailing(weekly, isStill);
  if (inProgress > 0 && still >= o.unchangedWeeks) {
    flags.push({
      unitCode,
      kind: 'unchanged',
      severity: 'warning',
      metric: 'all',
      message: `Số liệu không thay đổi trong ${still} tuần liên tiếp trong khi còn ${fmt.format(inProgress)} sổ đang xử lý.`,
      values: { weeks: still, inProgress },
    });
  }
  return flags;
}

function isStill(d: FiguresDelta): boolean {
  return pipeline.every((m) => d.records[m] === 0) && Stage.options.every((s) => d.books.byStage[s] === 0) && d.books.total === 0;
}

function countTrailing<T>(xs: readonly T[], p: (x: T) => boolean): number {
  let n = 0;
  for (let i = xs.length - 1; i >= 0 && p(xs[i]!); i--) n++;
  return n;
}

/** Every flag for one unit. */
export function qualityFlagsOf(unitCode: string, current: Figures, weekly: readonly FiguresDelta[], options: QualityOptions = {}): QualityFlag[] {
  return [...subtotalFlags(unitCode, current), ...pipelineFlags(unitCode, current), ...trendFlags(unitCode, current, weekly, options)];
}
