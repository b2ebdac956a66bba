/**
 * Secondary adapter: weekly report data.
 *   PK = REPORT#<week>, SK = PLAN#<scope>#<province>      a run's frozen plan for a province (its units, recipients, send
 *                                                         states); scope = `all`, or the unit a narrower run asked for
 *   PK = REPORT#<week>, SK = PLAN#VN                      the plan of the national rollup
 *   PK = REPORT#<week>, SK = SNAP#<province>#<unit>       a reporting unit's commune snapshots, stalled books and the
 *                                                         previous weeks' snapshots; frozen (`final`) by the first run
 *                                                         at or after the week's report time, never rewritten after
 *   PK = REPORT#<week>, SK = RUN#<scope>                  the latest run requested for the week and scope (one at a time)
 *   PK = REPORT#<week>, SK = PSNAP#<province>             a province's weekly series (for the national rollup)
 *   PK = REPORT#<week>, SK = SENT#<unit>                  what was produced and sent for a unit (idempotent sends)
 *   PK = CONFIG,        SK = REPORT_RECIPIENTS            who receives each unit's report (one item, read once per run)
 *   PK = CONFIG,        SK = REPORTING                    the reporting structure per province
 * Each report task reads one item of history and the rollups one item per unit or province, so a run's
 * reads stay ≈ books + units (issue 7). Bulky payloads are gzipped JSON in `data`, far below 400 KB.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ddb } from '../aws/clients.js';
import { isConditionFailure, stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';
import { Unit } from '../units/unit.js';
import { Principal } from '../users/user.js';
import { ProvincePlan, RecipientMap } from './report-plan.js';
import { ReportingConfig } from './reporting-structure.js';
import { SentReport } from './sent-report.js';
import { CommuneSnapshot, StalledBook } from './snapshot.js';
import { addWeeks } from './week.js';

const table = () => getConfig().TABLE_NAME;
/** Weeks of history a report shows (burn-down, 4-week rate, month-to-date baseline). */
export const HISTORY_WEEKS = 8;

export const UnitSnapshots = z.object({
  week: z.string(),
  unitCode: z.string(),
  provinceCode: z.string(),
  takenAt: z.string(),
  snapshots: z.array(CommuneSnapshot),
  stalled: z.array(StalledBook),
  /** The unit's commune snapshots of the previous `HISTORY_WEEKS` weeks, carried forward week to week. */
  history: z.array(CommuneSnapshot).default([]),
  /**
   * Taken at or after the week's report time: the week's figures, frozen (a re-run reuses them). A run
   * earlier in the week stores a preview, replaced by the next run, never over a final item.
   */
  final: z.boolean().default(false),
});
export type UnitSnapshots = z.infer<typeof UnitSnapshots>;

export const NationalPlan = z.object({ week: z.string(), units: z.array(Unit), recipients: z.array(z.string()), sent: SentReport.optional() });

export { SentReport };
export type NationalPlan = z.infer<typeof NationalPlan>;

const pack = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value)));
const unpack = (data: unknown): unknown => JSON.parse(gunzipSync(data as Uint8Array).toString('utf8'));

async function queryAll(pk: string, skPrefix: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({ TableName: table(), KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)', ExpressionAttributeValues: { ':pk': pk, ':sk': skPrefix }, ExclusiveStartKey: start }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}
/**
 * Stores the unit's snapshot item unless the week's figures are already frozen; returns what is stored
 * then: this item, or the final one another run froze first (whose figures the caller must use).
 */
export async function putUnitSnapshots(s: UnitSnapshots): Promise<UnitSnapshots> {
  const v = UnitSnapshots.parse(s);
  const Key = unitSnapshotsKey(v.week, v.provinceCode, v.unitCode);
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...Key, entity: 'UnitSnapshots', week: v.week, unitCode: v.unitCode, provinceCode: v.provinceCode, takenAt: v.takenAt, final: v.final, data: pack(v) },
        ConditionExpression: 'attribute_not_exists(PK) OR #final <> :true',
        ExpressionAttributeNames: { '#final': 'final' },
        ExpressionAttributeValues: { ':true': true },
      }),
    );
    return v;
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const frozen = await findUnitSnapshots(v.week, v.provinceCode, v.unitCode);
    if (!frozen) throw new Error(`Snapshot ${v.week}/${v.unitCode}: refused as frozen but not found`);
    return frozen;
  }
}

const unitSnapshotsKey = (week: string, provinceCode: string, unitCode: string) => ({ PK: `REPORT#${week}`, SK: `SNAP#${provinceCode}#${unitCode}` });

/** The unit's snapshot item of `week`, if any (consistent read: a run that froze it may have just written it). */
export async function findUnitSnapshots(week: string, provinceCode: string, unitCode: string): Promise<UnitSnapshots | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: unitSnapshotsKey(week, provinceCode, unitCode), ConsistentRead: true }));
  return res.Item ? unitSnapshotsOf(res.Item) : undefined;
}

const unitSnapshotsOf = (item: Record<string, unknown>) => UnitSnapshots.parse(unpack(item.data));

/** The unit's latest snapshot item before `week` (at most `HISTORY_WEEKS` back; normally last week's, one read). */
export async function findPreviousUnitSnapshots(provinceCode: string, unitCode: string, week: string): Promise<UnitSnapshots | undefined> {
  for (let back = 1; back <= HISTORY_WEEKS; back++) {
    const res = await ddb.send(new GetCommand({ TableName: table(), Key: unitSnapshotsKey(addWeeks(week, -back), provinceCode, unitCode) }));
    if (res.Item) return unitSnapshotsOf(res.Item);
  }
  return undefined;
}

/** The week's snapshot items of a province's reporting units (one item per unit). */
export async function listProvinceSnapshots(week: string, provinceCode: string): Promise<UnitSnapshots[]> {
  return (await queryAll(`REPORT#${week}`, `SNAP#${provinceCode}#`)).map(unitSnapshotsOf);
}

export async function putProvincePlan(scope: string, plan: ProvincePlan): Promise<void> {
  await ddb.send(
    new PutCommand({ TableName: table(), Item: { PK: `REPORT#${plan.week}`, SK: `PLAN#${scope}#${plan.provinceCode}`, entity: 'ProvincePlan', data: pack(ProvincePlan.parse(plan)) } }),
  );
}

/** @throws Error when the run's plan step did not store the province (a workflow defect, not user input). */
export async function getProvincePlan(scope: string, week: string, provinceCode: string): Promise<ProvincePlan> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: `REPORT#${week}`, SK: `PLAN#${scope}#${provinceCode}` } }));
  if (!res.Item) throw new Error(`No report plan for province ${provinceCode}, week ${week}`);
  return ProvincePlan.parse(unpack(res.Item.data));
}

export async function putNationalPlan(plan: NationalPlan): Promise<void> {
  await ddb.send(new PutCommand({ TableName: table(), Item: { PK: `REPORT#${plan.week}`, SK: 'PLAN#VN', entity: 'NationalPlan', data: pack(NationalPlan.parse(plan)) } }));
}

/** @throws Error when the run's plan step did not store the national plan. */
export async function getNationalPlan(week: string): Promise<NationalPlan> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: `REPORT#${week}`, SK: 'PLAN#VN' } }));
  if (!res.Item) throw new Error(`No national report plan for week ${week}`);
  return NationalPlan.parse(unpack(res.Item.data));
}

const ProvinceSeries = z.object({ week: z.string(), provinceCode: z.string(), series: z.array(CommuneSnapshot) });

/** A province's figures per week (`provinceSeriesOf`), stored by its rollup. */
export async function putProvinceSeries(week: string, provinceCode: string, series: readonly CommuneSnapshot[]): Promise<void> {
  await ddb.send(
    new PutCommand({ TableName: table(), Item: { PK: `REPORT#${week}`, SK: `PSNAP#${provinceCode}`, entity: 'ProvinceSeries', data: pack(ProvinceSeries.parse({ week, provinceCode, series })) } }),
  );
}

/** Every province's series stored for the week (one item per province). */
export async function listProvinceSeries(week: string): Promise<CommuneSnapshot[]> {
  return (await queryAll(`REPORT#${week}`, 'PSNAP#')).flatMap((i) => ProvinceSeries.parse(unpack(i.data)).series);
}

export async function findSentReport(week: string, unitCode: string): Promise<SentReport | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: `REPORT#${week}`, SK: `SENT#${unitCode}` }, ConsistentRead: true }));
  return res.Item ? SentReport.parse(stripKeys(res.Item)) : undefined;
}

/** Conditional on the version read (or absence); false when another run changed it first. */
export async function saveSentReport(next: SentReport, expectedVersion: number | undefined): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { PK: `REPORT#${next.week}`, SK: `SENT#${next.unitCode}`, entity: 'SentReport', ...SentReport.parse({ ...next, version: (expectedVersion ?? 0) + 1 }) },
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': expectedVersion } }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export async function listSentReports(week: string): Promise<SentReport[]> {
  return (await queryAll(`REPORT#${week}`, 'SENT#')).map((i) => SentReport.parse(stripKeys(i)));
}

/** The latest run requested for a week and scope (`all`, a province or a reporting unit). */
export const ReportRun = z.object({
  week: z.string(),
  scope: z.string(),
  /** 1, 2, …: the run's number for this week and scope; its execution is named from it. */
  seq: z.number().int().positive(),
  executionName: z.string(),
  resend: z.boolean(),
  requestedBy: Principal,
  requestedAt: z.string(),
});
export type ReportRun = z.infer<typeof ReportRun>;

const reportRunKey = (week: string, scope: string) => ({ PK: `REPORT#${week}`, SK: `RUN#${scope}` });

export async function findReportRun(week: string, scope: string): Promise<ReportRun | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: reportRunKey(week, scope), ConsistentRead: true }));
  return res.Item ? ReportRun.parse(stripKeys(res.Item)) : undefined;
}

/** Records the next run, conditional on the run number read (or absence); false when another request recorded one first. */
export async function saveReportRun(next: ReportRun, previousSeq: number | undefined): Promise<boolean> {
  const v = ReportRun.parse(next);
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...reportRunKey(v.week, v.scope), entity: 'ReportRun', ...v },
        ...(previousSeq === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: '#seq = :seq', ExpressionAttributeNames: { '#seq': 'seq' }, ExpressionAttributeValues: { ':seq': previousSeq } }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

const RECIPIENTS_KEY = { PK: 'CONFIG', SK: 'REPORT_RECIPIENTS' };

/** Recipients of every unit (invalid addresses are dropped, not fatal: a report is still produced). */
export async function getAllRecipients(): Promise<RecipientMap> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: RECIPIENTS_KEY }));
  const raw = z.record(z.string(), z.array(z.unknown())).catch({}).parse(res.Item?.recipients ?? {});
  return Object.fromEntries(Object.entries(raw).map(([unit, emails]) => [unit, emails.filter((e): e is string => z.email().safeParse(e).success)]));
}

/** Sets one unit's recipients (creates the item on first use; concurrent callers both land). */
export async function putRecipients(unitCode: string, emails: readonly string[]): Promise<void> {
  const list = RecipientMap.parse({ [unitCode]: [...emails] })[unitCode]!;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: table(),
          Key: RECIPIENTS_KEY,
          UpdateExpression: 'SET #r.#u = :e',
          ConditionExpression: 'attribute_exists(#r)',
          ExpressionAttributeNames: { '#r': 'recipients', '#u': unitCode },
          ExpressionAttributeValues: { ':e': list },
        }),
      );
      return;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    try {
      await ddb.send(new PutCommand({ TableName: table(), Item: { ...RECIPIENTS_KEY, entity: 'ReportRecipients', recipients: { [unitCode]: list } }, ConditionExpression: 'attribute_not_exists(PK)' }));
      return;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
  throw new Error(`Could not store the report recipients of ${unitCode}`);
}

export async function getReportingConfig(): Promise<ReportingConfig> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: 'CONFIG', SK: 'REPORTING' } }));
  return ReportingConfig.parse(res.Item?.config ?? {});
}

export async function putReportingConfig(config: ReportingConfig): Promise<void> {
  await ddb.send(new PutCommand({ TableName: table(), Item: { PK: 'CONFIG', SK: 'REPORTING', entity: 'ReportingConfig', config: ReportingConfig.parse(config) } }));
}
