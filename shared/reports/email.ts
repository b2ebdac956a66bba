import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import { InvalidInput } from '../errors.js';
import { type ForecastStatus, ForecastStatus as ForecastStatusSchema, forecastStatusTitles } from './forecast.js';
import type { WeeklyReport } from './report.js';
import { dmy, IsoDate, IsoWeek, reportTimeOf, vnDateOf, weekRangeLabel } from './week.js';

/**
 * The weekly report email as raw MIME (for SES `SendEmail` with `Content.Raw`): Vietnamese subject,
 * HTML and text bodies with the headline numbers, the burn-down chart inline (cid) and the workbook
 * attached, or linked when it is too large to attach. Pure: no sending here.
 */

/** The numbers an email leads with. */
export const ReportHeadline = z.object({
  booksTotal: z.number().int().nonnegative(),
  booksDone: z.number().int().nonnegative(),
  stalledBooks: z.number().int().nonnegative(),
  recordsExpected: z.number().int().nonnegative(),
  recordsDone: z.number().int().nonnegative(),
  /** Records done this week; null when last week has no snapshot. */
  recordsDoneThisWeek: z.number().int().nullable(),
  recordsRemaining: z.number().int().nonnegative(),
  percentBooks: z.number().min(0).max(1),
  percentRecords: z.number().min(0).max(1),
  forecastDate: IsoDate.nullable(),
  status: ForecastStatusSchema,
  reason: z.string(),
  qualityFlags: z.number().int().nonnegative(),
});
export type ReportHeadline = z.infer<typeof ReportHeadline>;

/** The headline of a report (its totals row). */
export function headlineOf(report: WeeklyReport): ReportHeadline {
  const t = report.totals;
  return {
    booksTotal: t.figures.books.total,
    booksDone: t.doneBooks,
    stalledBooks: t.figures.books.stalled,
    recordsExpected: t.figures.records.expected,
    recordsDone: t.doneRecords,
    recordsDoneThisWeek: t.previous ? (t.weeklyDone.at(-1) ?? null) : null,
    recordsRemaining: t.remainingRecords,
    percentBooks: t.percentBooks,
    percentRecords: t.percentRecords,
    forecastDate: t.forecast.date,
    status: t.forecast.status,
    reason: t.forecast.reason,
    qualityFlags: report.qualityFlags.length,
  };
}

export const PresignedWorkbook = z.object({ presignedUrl: z.url(), expiresAt: z.iso.datetime().optional() });
export type PresignedWorkbook = z.infer<typeof PresignedWorkbook>;

export interface ReportEmailInput {
  to: string[];
  from: string;
  /** Code of the reporting unit: with the week it makes the Message-ID and the idempotency key. */
  unitCode: string;
  unitName: string;
  week: string;
  headline: ReportHeadline;
  /** The workbook bytes (attached), or a presigned link when it was too large to attach. */
  workbook: Buffer | PresignedWorkbook;
  chartPng: Buffer;
  /** Largest workbook attached; SES caps a raw message at 40 MB and base64 adds a third. */
  sizeLimitBytes: number;
  /** Date header; defaults to now. */
  date?: Date;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CHART_CID = 'bieu-do-tien-do@bao-cao-tuan';

/** Whether a workbook of this size goes into the email (otherwise upload it and pass a presigned link). */
export function fitsAsAttachment(bytes: number, sizeLimitBytes: number): boolean {
  return bytes <= sizeLimitBytes;
}

/** "Báo cáo tiến độ số hóa sổ hộ tịch tuần 2026-W48 – Huyện Bình Minh". */
export function reportSubject(week: string, unitName: string): string {
  return `Báo cáo tiến độ số hóa sổ hộ tịch tuần ${week} – ${unitName}`;
}

/** File name of the attached workbook (ASCII, so every client shows it the same). */
export function workbookFileName(unitCode: string, week: string): string {
  return `bao-cao-tien-do-${safe(unitCode)}-${week}.xlsx`;
}

/**
 * Same (unit, week) → same Message-ID and idempotency key, so a retried send is recognisable and
 * a mail client threads a resent report with the first.
 */
export function reportMessageId(unitCode: string, week: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'ho-tich.invalid';
  return `<bao-cao-tuan.${safe(unitCode)}.${week}@${domain}>`;
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9-]/g, '-');
}

const int = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const pct = new Intl.NumberFormat('vi-VN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const statusColour: Record<ForecastStatus, string> = { onTrack: '#1a7f37', atRisk: '#b35900', late: '#c62828' };

function lines(h: ReportHeadline): [string, string][] {
  return [
    ['Tổng số sổ', int.format(h.booksTotal)],
    ['Sổ hoàn thành', `${int.format(h.booksDone)} (${pct.format(h.percentBooks)})`],
    ['Bản ghi hoàn thành', `${int.format(h.recordsDone)} / ${int.format(h.recordsExpected)} (${pct.format(h.percentRecords)})`],
    ['Hoàn thành trong tuần', h.recordsDoneThisWeek === null ? 'chưa có số liệu tuần trước' : `${int.format(h.recordsDoneThisWeek)} bản ghi`],
    ['Bản ghi còn lại', int.format(h.recordsRemaining)],
    ['Sổ chậm tiến độ', int.format(h.stalledBooks)],
    ['Dự kiến hoàn thành', h.forecastDate ? dmy(h.forecastDate) : 'chưa xác định'],
    ['Tình trạng', forecastStatusTitles[h.status]],
    ['Cảnh báo chất lượng dữ liệu', int.format(h.qualityFlags)],
  ];
}

/**
 * The raw MIME message. @throws InvalidInput when the workbook bytes exceed `sizeLimitBytes`
 * (the caller uploads it and passes `{ presignedUrl }` instead) or the week is malformed.
 */
export async function buildReportEmail(input: ReportEmailInput): Promise<Buffer> {
  const week = IsoWeek.parse(input.week);
  const h = ReportHeadline.parse(input.headline);
  const attach = Buffer.isBuffer(input.workbook) ? input.workbook : undefined;
  if (attach && !fitsAsAttachment(attach.length, input.sizeLimitBytes)) {
    throw new InvalidInput(`Tệp báo cáo ${attach.length} byte vượt giới hạn ${input.sizeLimitBytes} byte: gửi đường dẫn tải về thay cho tệp đính kèm`, {
      size: attach.length,
      limit: input.sizeLimitBytes,
    });
  }
  const link = Buffer.isBuffer(input.workbook) ? undefined : PresignedWorkbook.parse(input.workbook);
  const subject = reportSubject(week, input.unitName);
  const fileName = workbookFileName(input.unitCode, week);
  const asOf = `11:00 ngày ${dmy(vnDateOf(reportTimeOf(week)))} (tuần ${weekRangeLabel(week)})`;
  const expiry = link?.expiresAt ? ` (hiệu lực đến ${dmy(vnDateOf(new Date(link.expiresAt)))})` : '';

  const text = [
    subject,
    `Số liệu đến ${asOf}.`,
    '',
    ...lines(h).map(([k, v]) => `- ${k}: ${v}`),
    '',
    h.reason,
    '',
    attach ? `Chi tiết trong tệp đính kèm ${fileName}.` : `Tải báo cáo chi tiết${expiry}: ${link?.presignedUrl}`,
    '',
    'Thư được gửi tự động từ hệ thống số hóa sổ hộ tịch; vui lòng không trả lời thư này.',
  ].join('\n');

  const rows = lines(h)
    .map(([k, v]) => `<tr><td style="padding:4px 12px 4px 0">${escapeHtml(k)}</td><td style="padding:4px 0;text-align:right"><b>${escapeHtml(v)}</b></td></tr>`)
    .join('');
  const html = [
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body style="font-family:Arial,sans-serif;font-size:14px">',
    `<h2 style="font-size:18px">${escapeHtml(subject)}</h2>`,
    `<p>Số liệu đến ${escapeHtml(asOf)}.</p>`,
    `<table style="border-collapse:collapse">${rows}</table>`,
    `<p style="color:${statusColour[h.status]}">${escapeHtml(h.reason)}</p>`,
    `<p><img src="cid:${CHART_CID}" alt="Biểu đồ số bản ghi còn lại theo tuần" width="720" height="400"></p>`,
    attach
      ? `<p>Chi tiết trong tệp đính kèm <b>${escapeHtml(fileName)}</b>.</p>`
      : `<p><a href="${escapeHtml(link?.presignedUrl ?? '')}">Tải báo cáo chi tiết</a>${escapeHtml(expiry)}</p>`,
    '<p style="color:#666;font-size:12px">Thư được gửi tự động từ hệ thống số hóa sổ hộ tịch; vui lòng không trả lời thư này.</p>',
    '</body></html>',
  ].join('\n');

  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    subject,
    messageId: reportMessageId(input.unitCode, week, input.from),
    date: input.date ?? new Date(),
    headers: { 'X-Idempotency-Key': `bao-cao-tuan:${input.unitCode}:${week}` },
    text,
    html,
    attachments: [
      { filename: 'bieu-do-tien-do.png', content: input.chartPng, contentType: 'image/png', cid: CHART_CID },
      ...(attach ? [{ filename: fileName, content: attach, contentType: XLSX_TYPE }] : []),
    ],
    // Fixed CRLF line ends: SES and RFC 5322 expect them whatever the platform.
    newline: 'windows',
  });
  return composer.compile().build();
}
