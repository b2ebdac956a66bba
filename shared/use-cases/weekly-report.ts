/**
 * Weekly progress reports (issue 7), run by the report workflow: plan → one task per reporting unit
 * (snapshot its communes, build its workbook, email it) → province rollups → the national rollup.
 * Reads are proportional to books + units: each commune's books once (through the GSI), one
 * snapshot item per reporting unit per week, never records.
 */
import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ddbStats, sfn } from '../aws/clients.js';
import { sendRawEmail } from '../aws/mailer.js';
import { presignGet, putObject } from '../aws/s3-objects.js';
import { listBooksOfCommune } from '../books/book-repo.js';
import { ConfigError, Forbidden, InvalidInput } from '../errors.js';
import { logger } from '../logger.js';
import type { RequestContext } from '../request-context.js';
import { burnDownChartOf } from '../reports/burn-down-chart.js';
import { buildReportEmail, fitsAsAttachment, headlineOf } from '../reports/email.js';
import { Campaign } from '../reports/forecast.js';
import {
  findSentReport,
  getRecipients,
  getReportingConfig,
  getUnitSnapshots,
  listSentReports,
  listWeekSnapshots,
  putUnitSnapshots,
  type SentReport,
  saveSentReport,
} from '../reports/report-repo.js';
import type { WeeklyReport } from '../reports/report.js';
import { getReportingUnit, reportingUnitsOf } from '../reports/reporting-structure.js';
import { buildDistrictReport, buildNationalReport, buildProvinceReport } from '../reports/rollup.js';
import { bookSummaryOf, computeCommuneSnapshot, listStalledBooks } from '../reports/snapshot.js';
import { addWeeks, isoWeekOf, reportTimeOf } from '../reports/week.js';
import type { RunRequest } from '../reports/run-request.js';
import { writeDistrictWorkbook, writeNationalWorkbook, writeProvinceWorkbook } from '../reports/workbook.js';
import { communesInScope, unitsInScope } from '../units/unit.js';
import { listUnits } from '../units/unit-repo.js';
import { getConfig } from '../config.js';

const HISTORY_WEEKS = 8;
const ATTACH_LIMIT = 5 * 1024 * 1024;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';


function campaign(): Campaign {
  const raw = process.env.CAMPAIGN;
  if (!raw) return Campaign.parse({ name: 'Số hóa sổ hộ tịch', target: '2026-09-30', deadline: '2026-12-31' });
  try {
    return Campaign.parse(JSON.parse(raw));
  } catch (err) {
    throw new ConfigError('CAMPAIGN is not a valid campaign', {}, { cause: err });
  }
}

/** Which week and which reporting units a run covers (a scheduled run: the week of its fire time). */
export async function planWeeklyReport(input: { week?: string; unit?: string; resend?: boolean; time?: string }) {
  const week = input.week ?? isoWeekOf(input.time ? new Date(input.time) : new Date());
  const [units, config] = await Promise.all([listUnits(), getReportingConfig()]);
  const all = reportingUnitsOf(units, config, week);
  const selected = input.unit ? all.filter((r) => r.code === input.unit || r.provinceCode === input.unit) : all;
  const provinces = [...new Set(selected.map((r) => r.provinceCode))];
  return { week, resend: input.resend ?? false, units: selected.map((r) => r.code), provinces, national: !input.unit, itemsRead: ddbStats.itemsRead };
}

/**
 * One reporting unit: snapshot each of its communes from their books (frozen at report time, idempotent
 * key), build the report from this week and the previous weeks' snapshots, store the workbook, email it.
 */
export async function runUnitReport(input: { week: string; unit: string; resend: boolean }) {
  const before = ddbStats.itemsRead;
  const [units, config] = await Promise.all([listUnits(), getReportingConfig()]);
  const ru = getReportingUnit(units, config, input.week, input.unit);
  const takenAt = reportTimeOf(input.week).toISOString();
  const snapshots = [];
  const stalled = [];
  for (const commune of ru.communes) {
    // A merged commune's books still carry their old commune codes.
    const codes = communesInScope(units, commune);
    const books = (await Promise.all(codes.map((c) => listBooksOfCommune(c)))).flat();
    const summaries = books.map((b) => bookSummaryOf(b, { holder: b.reviewClaim?.by.username }));
    snapshots.push(computeCommuneSnapshot(input.week, commune, summaries, takenAt));
    stalled.push(...listStalledBooks(summaries, takenAt));
  }
  await putUnitSnapshots({ week: input.week, unitCode: ru.code, takenAt, snapshots, stalled });
  const history = await getUnitSnapshots(ru.code, previousWeeks(input.week));
  const report = buildDistrictReport({
    week: input.week,
    units,
    config,
    campaign: campaign(),
    snapshots: [...history.flatMap((h) => h.snapshots), ...snapshots],
    generatedAt: new Date(),
    unitCode: ru.code,
    stalledBooks: stalled,
  });
  const chart = burnDownChartOf(report);
  const workbook = await writeDistrictWorkbook(report, { chartPng: chart });
  const sent = await deliver({ week: input.week, unitCode: ru.code, unitName: ru.name, kind: ru.kind, resend: input.resend }, report, workbook, chart);
  return { unit: ru.code, status: sent.status, itemsRead: ddbStats.itemsRead - before };
}

/** A province's rollup (its reporting units and communes ranked), from the units' snapshot items. */
export async function runProvinceReport(input: { week: string; province: string; resend: boolean }) {
  const before = ddbStats.itemsRead;
  const [units, config, week] = await Promise.all([listUnits(), getReportingConfig(), listWeekSnapshots(input.week)]);
  const inProvince = new Set(reportingUnitsOf(units, config, input.week, input.province).map((r) => r.code));
  const history = (await Promise.all(previousWeeks(input.week).map((w) => listWeekSnapshots(w)))).flat();
  const snapshots = [...history, ...week].filter((s) => inProvince.has(s.unitCode)).flatMap((s) => s.snapshots);
  const report = buildProvinceReport({ week: input.week, units, config, campaign: campaign(), snapshots, generatedAt: new Date(), provinceCode: input.province });
  const chart = burnDownChartOf(report);
  const workbook = await writeProvinceWorkbook(report, { chartPng: chart });
  const name = units.find((u) => u.code === input.province)?.name ?? input.province;
  const sent = await deliver({ week: input.week, unitCode: `P${input.province}`, unitName: name, kind: 'provinceRollup', resend: input.resend, recipientsOf: input.province }, report, workbook, chart);
  return { province: input.province, status: sent.status, itemsRead: ddbStats.itemsRead - before };
}

/** The national ranking of provinces (stored; emailed to the Ministry when recipients are configured). */
export async function runNationalReport(input: { week: string; resend: boolean }) {
  const before = ddbStats.itemsRead;
  const [units, config] = await Promise.all([listUnits(), getReportingConfig()]);
  const weeks = [...previousWeeks(input.week), input.week];
  const snapshots = (await Promise.all(weeks.map((w) => listWeekSnapshots(w)))).flat().flatMap((s) => s.snapshots);
  const report = buildNationalReport({ week: input.week, units, config, campaign: campaign(), snapshots, generatedAt: new Date() });
  const chart = burnDownChartOf(report);
  const workbook = await writeNationalWorkbook(report, { chartPng: chart });
  const sent = await deliver({ week: input.week, unitCode: 'VN', unitName: 'Toàn quốc', kind: 'national', resend: input.resend }, report, workbook, chart);
  return { status: sent.status, itemsRead: ddbStats.itemsRead - before };
}

/**
 * Store the workbook, then email it once: a unit already `sent` for the week is not emailed again
 * unless `resend`; a failure is recorded (attempts, error) and rethrown so the workflow retries.
 */
async function deliver(
  target: { week: string; unitCode: string; unitName: string; kind: SentReport['kind']; resend: boolean; recipientsOf?: string },
  report: WeeklyReport,
  workbook: Buffer,
  chart: Buffer,
): Promise<SentReport> {
  const config = getConfig();
  const s3Key = `reports/weekly/${target.week}/${target.unitCode}.xlsx`;
  await putObject(config.ARCHIVE_BUCKET, s3Key, workbook, XLSX);
  const recipients = await getRecipients(target.recipientsOf ?? target.unitCode);
  const now = new Date().toISOString();
  const existing = await findSentReport(target.week, target.unitCode);
  const base: SentReport = {
    week: target.week,
    unitCode: target.unitCode,
    kind: target.kind,
    s3Key,
    bytes: workbook.length,
    recipients,
    status: recipients.length ? 'sending' : 'noRecipients',
    attempts: (existing?.attempts ?? 0) + (recipients.length ? 1 : 0),
    generatedAt: now,
    version: existing?.version ?? 0,
  };
  if (existing?.status === 'sent' && !target.resend) {
    // Regenerated (the file is new), never sent twice.
    const kept = { ...existing, s3Key, bytes: workbook.length, generatedAt: now };
    await saveSentReport(kept, existing.version);
    return kept;
  }
  if (!(await saveSentReport(base, existing?.version))) return (await findSentReport(target.week, target.unitCode)) ?? base;
  if (!recipients.length) return base;
  const sending = { ...base, version: (existing?.version ?? 0) + 1 };
  try {
    const attachment = fitsAsAttachment(workbook.length, ATTACH_LIMIT)
      ? workbook
      : { presignedUrl: (await presignGet(config.ARCHIVE_BUCKET, s3Key, { expiresIn: 7 * 86400 })).url, expiresAt: new Date(Date.now() + 7 * 86400_000).toISOString() };
    const raw = await buildReportEmail({
      to: recipients,
      from: config.MAIL_FROM,
      unitCode: target.unitCode,
      unitName: target.unitName,
      week: target.week,
      headline: headlineOf(report),
      workbook: attachment,
      chartPng: chart,
      sizeLimitBytes: ATTACH_LIMIT,
    });
    const messageId = await sendRawEmail(config.MAIL_FROM, recipients, raw);
    const sent: SentReport = { ...sending, status: 'sent', messageId, sentAt: new Date().toISOString(), lastError: undefined };
    await saveSentReport(sent, sending.version);
    return sent;
  } catch (err) {
    logger.error('Weekly report email failed', { unit: target.unitCode, week: target.week, error: (err as Error).name });
    await saveSentReport({ ...sending, status: 'failed', lastError: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500) }, sending.version);
    throw err;
  }
}

function previousWeeks(week: string): string[] {
  return Array.from({ length: HISTORY_WEEKS }, (_, i) => addWeeks(week, -(HISTORY_WEEKS - i)));
}

/** Ops: run a week now (the same workflow the Friday schedule starts). @throws InvalidInput for a unit that makes no report that week. */
export async function requestWeeklyRun(req: RunRequest, ctx: RequestContext) {
  const arn = process.env.REPORT_STATE_MACHINE_ARN;
  if (!arn) throw new ConfigError('REPORT_STATE_MACHINE_ARN is not set');
  const week = req.week ?? isoWeekOf(new Date(ctx.now));
  // A unit that reports nothing this week would start a run that does nothing: refuse it instead.
  if (req.unit && (await planWeeklyReport({ week, unit: req.unit })).units.length === 0) {
    throw new InvalidInput('Không có đơn vị lập báo cáo tuần với mã này', { issues: [{ path: 'body.unit', message: req.unit }] });
  }
  const name = `weekly-${week}-${req.unit ?? 'all'}-${Date.parse(ctx.now)}-${randomUUID().slice(0, 8)}`;
  const res = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify({ week, unit: req.unit ?? null, resend: req.resend, requestedBy: ctx.principal.username }) }));
  return { week, unit: req.unit ?? null, resend: req.resend, executionArn: res.executionArn };
}

/** What was produced and sent for a week, limited to the caller's units. */
export async function listWeeklyReports(query: { week?: string; unit?: string }, ctx: RequestContext) {
  const week = query.week ?? isoWeekOf(new Date(ctx.now));
  const units = await listUnits();
  const scope = unitsInScope(units, ctx.principal.unit);
  if (query.unit && !scope.has(query.unit)) throw new Forbidden('Bạn không có quyền với đơn vị này', { unit: query.unit });
  const all = await listSentReports(week);
  const visible = all.filter((r) => {
    const code = r.unitCode.replace(/^P/, '');
    return (scope.has(code) || ctx.principal.unit === 'VN') && (!query.unit || code === query.unit);
  });
  return { week, reports: visible.map((r) => ({ ...r, version: undefined })) };
}
