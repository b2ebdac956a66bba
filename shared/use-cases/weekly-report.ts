/**
 * Weekly progress reports (issue 7), run by the report workflow: plan → one task per reporting unit
 * (snapshot its communes, build its workbook, email it) → province rollups → the national rollup.
 * Reads are proportional to books + units: each commune's books once (through the GSI), one
 * snapshot item per reporting unit per week, never records.
 */
import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { appendAudit } from '../audit/audit.js';
import { sfn } from '../aws/clients.js';
import { sendRawEmail } from '../aws/mailer.js';
import { countReads } from '../aws/read-counter.js';
import { presignGet, putObject } from '../aws/s3-objects.js';
import { listBooksOfCommune } from '../books/book-repo.js';
import { getConfig, getReportStateMachineArn } from '../config.js';
import { ConfigError, Conflict, Forbidden, InvalidInput } from '../errors.js';
import { logger } from '../logger.js';
import { burnDownChartOf } from '../reports/burn-down-chart.js';
import { buildReportEmail, fitsAsAttachment, headlineOf } from '../reports/email.js';
import { Campaign } from '../reports/forecast.js';
import type { ReportingUnit, WeeklyReport } from '../reports/report.js';
import { nationalUnits, planProvinces, rollupRecipients, sliceOf, type UnitSlice } from '../reports/report-plan.js';
import {
  findPreviousUnitSnapshots,
  findReportRun,
  findSentReport,
  findUnitSnapshots,
  getAllRecipients,
  getNationalPlan,
  getProvincePlan,
  getReportingConfig,
  HISTORY_WEEKS,
  listProvinceSeries,
  listProvinceSnapshots,
  listSentReports,
  putNationalPlan,
  putProvincePlan,
  putProvinceSeries,
  putUnitSnapshots,
  type ReportRun,
  type SentReport,
  saveReportRun,
  saveSentReport,
  type UnitSnapshots,
} from '../reports/report-repo.js';
import { getReportingUnit, reportingUnitsOf } from '../reports/reporting-structure.js';
import { buildDistrictReport, buildNationalReport, buildProvinceReport, provinceSeriesOf } from '../reports/rollup.js';
import type { RunRequest } from '../reports/run-request.js';
import { bookSummaryOf, type CommuneSnapshot, computeCommuneSnapshot, listStalledBooks } from '../reports/snapshot.js';
import { addWeeks, isoWeekOf, reportTimeOf, vnClockOf } from '../reports/week.js';
import { writeDistrictWorkbook, writeNationalWorkbook, writeProvinceWorkbook } from '../reports/workbook.js';
import type { RequestContext } from '../request-context.js';
import { communesInScope, NATIONAL, type Unit, unitsInScope } from '../units/unit.js';
import { listUnits } from '../units/unit-repo.js';
import { systemPrincipal } from '../users/user.js';

/** How long a `sending` record belongs to the run that wrote it (longer than a report task may run). */
const SENDING_LEASE_MS = 20 * 60_000;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function campaign(): Campaign {
  const raw = getConfig().CAMPAIGN;
  if (!raw) return Campaign.parse({ name: 'Số hóa sổ hộ tịch', target: '2026-09-30', deadline: '2026-12-31' });
  try {
    return Campaign.parse(JSON.parse(raw));
  } catch (err) {
    throw new ConfigError('CAMPAIGN is not a valid campaign', {}, { cause: err });
  }
}

/**
 * Which week and which provinces a run covers (a scheduled run: the week of its fire time).
 * 1. Read the units, the reporting configuration, the recipients and the week's send records once.
 * 2. Freeze a plan per province (and the national one) so that no later step reads all units again.
 */
export async function planWeeklyReport(input: { week?: string; unit?: string; resend?: boolean; time?: string }) {
  return countReads(async () => {
    const week = input.week ?? isoWeekOf(input.time ? new Date(input.time) : new Date());
    const [units, config, recipients, sent] = await Promise.all([listUnits(), getReportingConfig(), getAllRecipients(), listSentReports(week)]);
    const plans = planProvinces(units, config, week, recipients, { only: input.unit, sent: new Map(sent.map((r) => [r.unitCode, r])) });
    // Each scope has its own plan items, so a one-unit run never narrows a full run of the same week.
    const scope = input.unit ?? 'all';
    await Promise.all(plans.map((p) => putProvincePlan(scope, p)));
    const national = !input.unit;
    if (national) await putNationalPlan({ week, units: nationalUnits(units), recipients: recipients.VN ?? [], sent: sent.find((r) => r.unitCode === 'VN') });
    return { week, scope, resend: input.resend ?? false, provinces: plans.map((p) => p.provinceCode), national };
  });
}

/** A province's reporting units, each with its slice of the plan (the next Map's items). */
export async function prepareProvinceReport(input: { week: string; scope: string; province: string }) {
  return countReads(async () => {
    const plan = await getProvincePlan(input.scope, input.week, input.province);
    return { units: plan.reportingUnits.map((r) => sliceOf(plan, r.code)) };
  });
}

/**
 * One reporting unit:
 * 1. Snapshot each of its communes from their books (frozen at report time; the item is idempotent).
 * 2. Carry the previous weeks forward from the unit's last snapshot item (one read).
 * 3. Build the report, store the workbook, email it once.
 */
export async function runUnitReport(input: { week: string; run?: string; unit: UnitSlice; resend: boolean }) {
  return countReads(async () => {
    const { units, config } = input.unit;
    const ru = getReportingUnit(units, config, input.week, input.unit.code);
    const frozen =
      (input.unit.sent?.snapshotAt ? await findUnitSnapshots(input.week, ru.provinceCode, ru.code) : undefined) ??
      (await takeUnitSnapshots(input.week, ru, units));
    const report = buildDistrictReport({
      week: input.week,
      units,
      config,
      campaign: campaign(),
      snapshots: [...frozen.history, ...frozen.snapshots],
      generatedAt: new Date(),
      unitCode: ru.code,
      stalledBooks: frozen.stalled,
    });
    const sent = await deliver(
      {
        week: input.week,
        unitCode: ru.code,
        unitName: ru.name,
        provinceCode: ru.provinceCode,
        kind: ru.kind,
        resend: input.resend,
        run: input.run ?? 'manual',
        recipients: input.unit.recipients,
        known: input.unit.sent ?? null,
        snapshotAt: frozen.final ? frozen.takenAt : undefined,
      },
      report,
      writeDistrictWorkbook,
    );
    return { unit: ru.code, status: sent.status };
  });
}

/**
 * The unit's snapshot of its communes now, from their books, with the previous weeks carried forward.
 * Taken at or after the week's report time it is final: stored once, and if another run froze the
 * week first, that run's figures are the week's (returned instead).
 */
async function takeUnitSnapshots(week: string, ru: ReportingUnit, units: readonly Unit[]): Promise<UnitSnapshots> {
  const takenAt = new Date().toISOString();
  const snapshots = [];
  const stalled = [];
  for (const commune of ru.communes) {
    // A merged commune's books still carry their old commune codes.
    const codes = communesInScope(units, commune);
    const books = (await Promise.all(codes.map((c) => listBooksOfCommune(c)))).flat();
    const summaries = books.map((b) => bookSummaryOf(b, takenAt));
    snapshots.push(computeCommuneSnapshot(week, commune, summaries, takenAt));
    stalled.push(...listStalledBooks(summaries, takenAt));
  }
  const previous = await findPreviousUnitSnapshots(ru.provinceCode, ru.code, week);
  const history = recentOf([...(previous?.history ?? []), ...(previous?.snapshots ?? [])], week);
  const final = Date.parse(takenAt) >= reportTimeOf(week).getTime();
  return putUnitSnapshots({ week, unitCode: ru.code, provinceCode: ru.provinceCode, takenAt, snapshots, stalled, history, final });
}

/** A province's rollup (its reporting units and communes ranked) from its units' snapshot items. */
export async function runProvinceReport(input: { week: string; run?: string; scope: string; province: string; resend: boolean }) {
  return countReads(async () => {
    const [plan, items] = await Promise.all([getProvincePlan(input.scope, input.week, input.province), listProvinceSnapshots(input.week, input.province)]);
    const snapshots = items.flatMap((i) => [...i.history, ...i.snapshots]);
    const inputs = {
      week: input.week,
      units: plan.units,
      config: plan.config,
      campaign: campaign(),
      snapshots,
      generatedAt: new Date(),
      provinceCode: input.province,
    };
    const report = buildProvinceReport(inputs);
    await putProvinceSeries(input.week, input.province, provinceSeriesOf(inputs));
    const sent = await deliver(
      {
        week: input.week,
        unitCode: `P${input.province}`,
        unitName: report.province.name,
        provinceCode: input.province,
        kind: 'provinceRollup',
        // A run for one reporting unit rebuilds the rollup over it but re-sends only that unit's email.
        resend: input.resend && (input.scope === 'all' || input.scope === input.province),
        run: input.run ?? 'manual',
        recipients: rollupRecipients(plan),
        known: plan.sent ?? null,
      },
      report,
      writeProvinceWorkbook,
    );
    return { province: input.province, status: sent.status };
  });
}

/** The national ranking of provinces from the provinces' stored series (emailed when recipients are configured). */
export async function runNationalReport(input: { week: string; run?: string; resend: boolean }) {
  return countReads(async () => {
    const [plan, snapshots] = await Promise.all([getNationalPlan(input.week), listProvinceSeries(input.week)]);
    const report = buildNationalReport({ week: input.week, units: plan.units, campaign: campaign(), snapshots, generatedAt: new Date(), perProvince: true });
    const sent = await deliver(
      {
        week: input.week,
        unitCode: 'VN',
        unitName: 'Toàn quốc',
        kind: 'national',
        resend: input.resend,
        run: input.run ?? 'manual',
        recipients: plan.recipients,
        known: plan.sent ?? null,
      },
      report,
      writeNationalWorkbook,
    );
    return { status: sent.status };
  });
}

/** Snapshots of the `HISTORY_WEEKS` weeks before `week` (older ones are dropped as the item rolls forward). */
function recentOf(snapshots: readonly CommuneSnapshot[], week: string): CommuneSnapshot[] {
  const from = addWeeks(week, -HISTORY_WEEKS);
  return snapshots.filter((s) => s.week >= from && s.week < week);
}

/**
 * Draw the chart, write and store the workbook, then email it once: a unit already `sent` for the week is not emailed again
 * unless `resend`; a failure is recorded (attempts, error) and rethrown so the workflow retries.
 * `known` is the send record the plan found (null: none). Every write is conditional on the version
 * it saw, so a concurrent run of the same week is detected, the record re-read, and the decision
 * taken again: the email still goes out at most once.
 */
async function deliver<R extends WeeklyReport>(
  target: {
    week: string;
    run: string;
    unitCode: string;
    unitName: string;
    provinceCode?: string;
    kind: SentReport['kind'];
    resend: boolean;
    recipients: string[];
    known: SentReport | null;
    /** When the figures were frozen (absent: a preview, or a rollup over its units' items). */
    snapshotAt?: string;
  },
  report: R,
  writeWorkbook: (report: R, options: { chartPng: Buffer }) => Promise<Buffer>,
): Promise<SentReport> {
  const config = getConfig();
  const chart = burnDownChartOf(report);
  const workbook = await writeWorkbook(report, { chartPng: chart });
  const s3Key = `reports/weekly/${target.week}/${target.unitCode}.xlsx`;
  await putObject(config.ARCHIVE_BUCKET, s3Key, workbook, XLSX);
  const { recipients } = target;
  let existing: SentReport | undefined = target.known ?? undefined;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) existing = await findSentReport(target.week, target.unitCode);
    // Another run of this week is sending right now: that email is its own. An older `sending` (a run
    // that died mid-send) is taken over; this run's own (a retried step) is finished.
    if (existing?.status === 'sending' && existing.sendingBy !== target.run && Date.now() - Date.parse(existing.generatedAt) < SENDING_LEASE_MS)
      return existing;
    if (attempt > 3) throw new Error(`Weekly report ${target.week}/${target.unitCode}: send record keeps changing`);
    const now = new Date().toISOString();
    if (existing?.status === 'sent' && !target.resend) {
      // Regenerated (the file is new), never sent twice.
      const kept = { ...existing, s3Key, bytes: workbook.length, generatedAt: now, snapshotAt: target.snapshotAt ?? existing.snapshotAt };
      if (await saveSentReport(kept, existing.version)) return audited(kept, existing, target.run);
      continue;
    }
    const base: SentReport = {
      week: target.week,
      unitCode: target.unitCode,
      provinceCode: target.provinceCode,
      kind: target.kind,
      s3Key,
      bytes: workbook.length,
      recipients,
      status: recipients.length ? 'sending' : 'noRecipients',
      sendingBy: recipients.length ? target.run : undefined,
      attempts: (existing?.attempts ?? 0) + (recipients.length ? 1 : 0),
      generatedAt: now,
      snapshotAt: target.snapshotAt,
      version: existing?.version ?? 0,
    };
    if (!(await saveSentReport(base, existing?.version))) continue;
    if (!recipients.length) return audited(base, existing, target.run);
    return audited(await send({ ...base, version: (existing?.version ?? 0) + 1 }, target, report, workbook, chart), existing, target.run);
  }
}

/**
 * The audit entry of one delivery: what the send record was and is now (a failure is audited by `send`
 * before it rethrows), keyed by the run, the action and the record's time.
 */
async function audited(next: SentReport, before: SentReport | undefined, run: string): Promise<SentReport> {
  const pick = (r: SentReport | undefined) =>
    r ? { status: r.status, attempts: r.attempts, s3Key: r.s3Key, messageId: r.messageId, recipients: r.recipients.length, snapshotAt: r.snapshotAt } : null;
  const emailed = next.status === 'sent' && next.messageId !== before?.messageId;
  const action = emailed
    ? before?.status === 'sent'
      ? 'report.resent'
      : 'report.sent'
    : next.status === 'sent'
      ? 'report.regenerated'
      : `report.${next.status}`;
  await appendAudit({
    targetType: 'report',
    targetId: `${next.week}#${next.unitCode}`,
    action,
    actor: systemPrincipal,
    at: emailed ? (next.sentAt ?? next.generatedAt) : next.generatedAt,
    requestId: run,
    before: pick(before),
    after: pick(next),
  });
  return next;
}

async function send(
  sending: SentReport,
  target: { unitCode: string; unitName: string; week: string; run: string },
  report: WeeklyReport,
  workbook: Buffer,
  chart: Buffer,
) {
  const config = getConfig();
  try {
    const attachment = fitsAsAttachment(workbook.length, config.REPORT_ATTACH_LIMIT_BYTES)
      ? workbook
      : {
          presignedUrl: (await presignGet(config.ARCHIVE_BUCKET, sending.s3Key, { expiresIn: 7 * 86400 })).url,
          expiresAt: new Date(Date.now() + 7 * 86400_000).toISOString(),
        };
    const raw = await buildReportEmail({
      to: sending.recipients,
      from: config.MAIL_FROM,
      unitCode: target.unitCode,
      unitName: target.unitName,
      week: target.week,
      headline: headlineOf(report),
      workbook: attachment,
      chartPng: chart,
      sizeLimitBytes: config.REPORT_ATTACH_LIMIT_BYTES,
    });
    const messageId = await sendRawEmail(config.MAIL_FROM, sending.recipients, raw);
    const sent: SentReport = { ...sending, status: 'sent', messageId, sentAt: new Date().toISOString(), lastError: undefined };
    await saveSentReport(sent, sending.version);
    return sent;
  } catch (err) {
    logger.error('Weekly report email failed', { unit: target.unitCode, week: target.week, error: (err as Error).name });
    const failed: SentReport = { ...sending, status: 'failed', lastError: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500) };
    if (await saveSentReport(failed, sending.version)) await audited(failed, sending, target.run);
    throw err;
  }
}

/** A run requested this recently whose execution is not visible yet is still starting (not crashed). */
const RUN_START_GRACE_MS = 60_000;

/**
 * Ops: run a week now (the same workflow the Friday schedule starts).
 * 1. One run per week and scope at a time: while one runs, the same request answers with that run, another
 *    (a different `resend`) is refused; concurrent copies of one request start one execution.
 * 2. The run's number is taken by a conditional write; the execution is named from it.
 * 3. Audited: who asked, which run it replaced.
 * @throws InvalidInput for a unit that makes no report that week; Conflict while another run of it differs.
 */
export async function requestWeeklyRun(req: RunRequest, ctx: RequestContext) {
  const week = req.week ?? isoWeekOf(new Date(ctx.now));
  const scope = req.unit ?? 'all';
  // A unit that reports nothing this week would start a run that does nothing: refuse it instead.
  if (req.unit && !(await reportsThatWeek(week, req.unit))) {
    throw new InvalidInput('Không có đơn vị lập báo cáo tuần với mã này', { issues: [{ path: 'body.unit', message: req.unit }] });
  }
  for (let attempt = 0; attempt < 4; attempt++) {
    const last = await findReportRun(week, scope);
    if (last && (await isUnderway(last, ctx.now))) {
      const executionArn = reportExecutionArn(last.executionName);
      if (last.resend !== req.resend) {
        throw new Conflict('Báo cáo tuần này đang được lập; chờ lượt đang chạy kết thúc rồi thử lại', { executionArn, resend: last.resend });
      }
      return { week, unit: req.unit ?? null, resend: req.resend, executionArn, alreadyRunning: true };
    }
    const seq = (last?.seq ?? 0) + 1;
    const run = { week, scope, seq, executionName: `weekly-${week}-${scope}-${seq}`, resend: req.resend, requestedBy: ctx.principal, requestedAt: ctx.now };
    if (!(await saveReportRun(run, last?.seq))) continue;
    const executionArn = await startReportExecution(run.executionName, { week, unit: req.unit ?? null, resend: req.resend });
    await appendAudit({
      targetType: 'report',
      targetId: `${week}#${scope}`,
      action: 'report.runRequested',
      actor: ctx.principal,
      at: ctx.now,
      requestId: ctx.requestId,
      before: last ? { seq: last.seq, executionName: last.executionName } : null,
      after: { seq, executionName: run.executionName, resend: req.resend },
    });
    return { week, unit: req.unit ?? null, resend: req.resend, executionArn, alreadyRunning: false };
  }
  throw new Conflict('Báo cáo tuần này đang được yêu cầu từ nơi khác; thử lại sau ít phút');
}

/**
 * The Friday schedules (11:00, and the 13:00 / 16:00 retries): the week of the fire time, every unit. The
 * execution is named from the week and the Vietnamese fire time (`weekly-<week>-all-at-1100`), so a repeated
 * delivery of the same firing starts nothing (Step Functions refuses the name).
 */
export async function startScheduledWeeklyRun(input: { time: string }) {
  const fired = new Date(input.time);
  const week = isoWeekOf(fired);
  const executionName = `weekly-${week}-all-at-${vnClockOf(fired)}`;
  const executionArn = await startReportExecution(executionName, { week, unit: null, resend: false });
  await appendAudit({
    targetType: 'report',
    targetId: `${week}#all`,
    action: 'report.scheduledRun',
    actor: systemPrincipal,
    at: input.time,
    requestId: executionName,
    after: { executionName },
  });
  return { week, executionArn };
}

/** Whether the run is still going: its execution runs, or it was recorded moments ago and is starting. */
async function isUnderway(run: ReportRun, now: string): Promise<boolean> {
  try {
    return (await sfn.send(new DescribeExecutionCommand({ executionArn: reportExecutionArn(run.executionName) }))).status === 'RUNNING';
  } catch (err) {
    if (err instanceof ExecutionDoesNotExist) return Date.parse(now) - Date.parse(run.requestedAt) < RUN_START_GRACE_MS;
    throw err;
  }
}

const reportExecutionArn = (name: string) => `${getReportStateMachineArn().replace(':stateMachine:', ':execution:')}:${name}`;

/** Starts the report workflow; the same name again (a retried or repeated start) is the run that exists. */
async function startReportExecution(name: string, input: { week: string; unit: string | null; resend: boolean }): Promise<string> {
  try {
    const res = await sfn.send(new StartExecutionCommand({ stateMachineArn: getReportStateMachineArn(), name, input: JSON.stringify(input) }));
    return res.executionArn ?? reportExecutionArn(name);
  } catch (err) {
    if (err instanceof ExecutionAlreadyExists) return reportExecutionArn(name);
    throw err;
  }
}

/** Whether `unit` is a reporting unit or a province with reporting units in `week` (reads, writes nothing). */
async function reportsThatWeek(week: string, unit: string): Promise<boolean> {
  const [units, config] = await Promise.all([listUnits(), getReportingConfig()]);
  return reportingUnitsOf(units, config, week).some((r) => r.code === unit || r.provinceCode === unit);
}

/**
 * What was produced and sent for a week, limited to the caller's units: a district's or office's own
 * report within the caller's scope; a group's report and a province's rollup to the province and above.
 * `unit` filters by a unit or group code (a province code also gives its rollup).
 * @throws Forbidden for a unit or group outside the caller's scope.
 */
export async function listWeeklyReports(query: { week?: string; unit?: string }, ctx: RequestContext) {
  const week = query.week ?? isoWeekOf(new Date(ctx.now));
  const units = await listUnits();
  const scope = unitsInScope(units, ctx.principal.unit);
  if (query.unit && !scope.has(query.unit)) {
    const config = await getReportingConfig();
    const groupOf = Object.entries(config.provinces).find(([, p]) => p.groups.some((g) => g.code === query.unit))?.[0];
    if (!groupOf || !scope.has(groupOf)) throw new Forbidden('Bạn không có quyền với đơn vị này', { unit: query.unit });
  }
  const all = await listSentReports(week);
  const visible = all.filter((r) => {
    const audience = r.kind === 'group' || r.kind === 'provinceRollup' ? r.provinceCode : r.kind === 'national' ? NATIONAL : r.unitCode;
    const allowed = ctx.principal.unit === NATIONAL || (audience !== undefined && scope.has(audience));
    const matches = !query.unit || r.unitCode === query.unit || (r.kind === 'provinceRollup' && r.provinceCode === query.unit);
    return allowed && matches;
  });
  return { week, reports: visible.map((r) => ({ ...r, version: undefined })) };
}
