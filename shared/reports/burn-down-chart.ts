import { z } from 'zod';
import { Canvas, type Rgb } from './png.js';
import { BurnDownPoint, type WeeklyReport } from './report.js';
import { daysBetween, IsoDate } from './week.js';

/**
 * The burn-down chart: records remaining per week, the projection at the forecast rate, the target
 * and the deadline. Drawn on our own canvas (no native chart package); labels use the built-in 5×7
 * font, so Vietnamese words appear without diacritics and the legend uses colour swatches.
 */

export const BurnDownInput = z.object({
  points: z.array(BurnDownPoint),
  deadline: IsoDate,
  target: IsoDate,
  title: z.string(),
  /** Forecast completion date; draws a dashed projection from the last point to zero. */
  forecastDate: IsoDate.nullable().optional(),
  width: z.number().int().min(200).max(2000).default(720),
  height: z.number().int().min(150).max(1500).default(400),
});
export type BurnDownInput = z.input<typeof BurnDownInput>;

export const chartColours = {
  background: [255, 255, 255],
  axis: [60, 60, 60],
  grid: [225, 225, 225],
  remaining: [31, 119, 180],
  forecast: [120, 120, 120],
  target: [255, 140, 0],
  deadline: [214, 39, 40],
  text: [30, 30, 30],
} as const satisfies Record<string, Rgb>;

/** "12K", "1.5M": tick labels short enough for the small font. */
function compact(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(n % 1_000_000 === 0 ? 0 : 1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}K`;
  return String(Math.round(n));
}

/** The smallest round step (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) not below `n`, so every tick is a round number. */
function niceStep(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/** The chart as PNG bytes. @throws ZodError on malformed input */
export function renderBurnDownPng(input: BurnDownInput): Buffer {
  const o = BurnDownInput.parse(input);
  const c = new Canvas(o.width, o.height, chartColours.background);
  const plot = { left: 64, right: o.width - 36, top: 44, bottom: o.height - 64 };
  const points = [...o.points].sort((a, b) => a.date.localeCompare(b.date));

  c.text(plot.left, 12, fit(o.title, plot.right - plot.left, 2), chartColours.text, 2);

  // The x range covers the history and both campaign dates, with a little room on the right; a
  // forecast past that is clipped at the edge rather than squashing the history.
  const dates = [...points.map((p) => p.date), o.target, o.deadline];
  dates.sort();
  const first = dates[0]!;
  const lastKnown = dates.at(-1)!;
  const spanDays = Math.max(7, daysBetween(first, lastKnown) + 7);
  const yMax = 4 * niceStep(Math.max(0, ...points.map((p) => p.remaining)) / 4);
  const x = (date: string) => plot.left + ((plot.right - plot.left) * daysBetween(first, date)) / spanDays;
  const y = (v: number) => plot.bottom - ((plot.bottom - plot.top) * v) / yMax;

  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    c.line(plot.left, y(v), plot.right, y(v), chartColours.grid);
    const label = compact(v);
    c.text(plot.left - 6 - Canvas.textWidth(label), y(v) - 3, label, chartColours.text);
  }
  for (let i = 0; i <= 4; i++) {
    const day = Math.round((spanDays * i) / 4);
    const d = new Date(Date.parse(`${first}T00:00:00Z`) + day * 86_400_000).toISOString().slice(0, 10);
    const label = `${d.slice(8, 10)}/${d.slice(5, 7)}`;
    c.line(x(d), plot.bottom, x(d), plot.bottom + 4, chartColours.axis);
    c.text(x(d) - Canvas.textWidth(label) / 2, plot.bottom + 8, label, chartColours.text);
  }

  c.line(x(o.target), plot.top, x(o.target), plot.bottom, chartColours.target, 2, [6, 4]);
  c.line(x(o.deadline), plot.top, x(o.deadline), plot.bottom, chartColours.deadline, 2);
  c.line(plot.left, plot.top, plot.left, plot.bottom, chartColours.axis, 2);
  c.line(plot.left, plot.bottom, plot.right, plot.bottom, chartColours.axis, 2);

  const last = points.at(-1);
  if (last && o.forecastDate && last.remaining > 0) {
    let endDate = o.forecastDate;
    let endValue = 0;
    const edgeDays = spanDays;
    if (daysBetween(first, endDate) > edgeDays) {
      // Clip at the right edge: the value where the projection crosses it.
      const total = daysBetween(last.date, endDate);
      const upToEdge = edgeDays - daysBetween(first, last.date);
      endValue = last.remaining * (1 - upToEdge / total);
      endDate = new Date(Date.parse(`${first}T00:00:00Z`) + edgeDays * 86_400_000).toISOString().slice(0, 10);
    }
    c.line(x(last.date), y(last.remaining), x(endDate), y(endValue), chartColours.forecast, 2, [8, 5]);
  }
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    c.line(x(a.date), y(a.remaining), x(b.date), y(b.remaining), chartColours.remaining, 3);
  }
  for (const p of points) c.fillRect(x(p.date) - 3, y(p.remaining) - 3, 7, 7, chartColours.remaining);
  if (points.length === 0) c.text(plot.left + 12, plot.top + 12, 'Chưa có dữ liệu', chartColours.text, 2);

  // Legend: swatch + label, left to right under the x labels.
  let lx = plot.left;
  const ly = o.height - 22;
  const legend: [Rgb, string][] = [
    [chartColours.remaining, 'Còn lại'],
    [chartColours.forecast, 'Dự báo'],
    [chartColours.target, 'Mục tiêu'],
    [chartColours.deadline, 'Hạn chót'],
  ];
  for (const [colour, label] of legend) {
    c.fillRect(lx, ly, 14, 8, colour);
    lx += 20 + c.text(lx + 20, ly, label, chartColours.text) + 16;
  }
  return c.toPng();
}

/** Cuts text to the width available (the title must not run off the image). */
function fit(text: string, width: number, scale: number): string {
  const max = Math.floor(width / (6 * scale));
  return [...text].length <= max ? text : `${[...text].slice(0, max - 2).join('')}..`;
}

/** The unit a report is about, as named in titles and subjects. */
export function reportUnitName(report: WeeklyReport): string {
  if (report.kind === 'district') return report.unit.name;
  if (report.kind === 'province') return report.province.name;
  return report.totals.name;
}

/** The burn-down chart of a report, as the workbook and the email embed it. */
export function burnDownChartOf(report: WeeklyReport): Buffer {
  return renderBurnDownPng({
    points: report.burnDown,
    target: report.campaign.target,
    deadline: report.campaign.deadline,
    forecastDate: report.totals.forecast.date,
    title: `${reportUnitName(report)} - ${report.week}`,
  });
}
