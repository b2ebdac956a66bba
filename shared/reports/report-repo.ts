/**
 * Secondary adapter: weekly report data.
 *   PK = REPORT#<week>, SK = SNAP#<reportingUnit>   the unit's commune snapshots + stalled books, frozen at report time
 *   PK = REPORT#<week>, SK = SENT#<unit>            what was produced and sent for a unit (idempotent sends)
 *   PK = UNIT#<unit>,   SK = REPORT_RECIPIENTS      who receives the unit's report
 *   PK = CONFIG,        SK = REPORTING              the reporting structure per province
 * One snapshot item per reporting unit keeps report-time reads proportional to units, not communes × weeks.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ddb } from '../aws/clients.js';
import { isConditionFailure, stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';
import { ReportingConfig } from './reporting-structure.js';
import { CommuneSnapshot, StalledBook } from './snapshot.js';

const table = () => getConfig().TABLE_NAME;

export const UnitSnapshots = z.object({ week: z.string(), unitCode: z.string(), takenAt: z.string(), snapshots: z.array(CommuneSnapshot), stalled: z.array(StalledBook) });
export type UnitSnapshots = z.infer<typeof UnitSnapshots>;

export const SentReport = z.object({
  week: z.string(),
  unitCode: z.string(),
  kind: z.enum(['district', 'group', 'province', 'provinceRollup', 'national']),
  s3Key: z.string(),
  bytes: z.number().int(),
  recipients: z.array(z.string()),
  status: z.enum(['generated', 'sending', 'sent', 'failed', 'noRecipients']),
  messageId: z.string().optional(),
  attempts: z.number().int().default(0),
  lastError: z.string().optional(),
  generatedAt: z.string(),
  sentAt: z.string().optional(),
  version: z.number().int().default(1),
});
export type SentReport = z.infer<typeof SentReport>;

export async function putUnitSnapshots(s: UnitSnapshots): Promise<void> {
  await ddb.send(new PutCommand({ TableName: table(), Item: { PK: `REPORT#${s.week}`, SK: `SNAP#${s.unitCode}`, entity: 'UnitSnapshots', ...UnitSnapshots.parse(s) } }));
}

/** Snapshot items of one reporting unit for several weeks (missing weeks are simply absent). */
export async function getUnitSnapshots(unitCode: string, weeks: readonly string[]): Promise<UnitSnapshots[]> {
  if (!weeks.length) return [];
  const res = await ddb.send(
    new BatchGetCommand({ RequestItems: { [table()]: { Keys: weeks.map((w) => ({ PK: `REPORT#${w}`, SK: `SNAP#${unitCode}` })) } } }),
  );
  return (res.Responses?.[table()] ?? []).map((i) => UnitSnapshots.parse(stripKeys(i)));
}

/** Every reporting unit's snapshots for a week (rollups: one item per unit). */
export async function listWeekSnapshots(week: string): Promise<UnitSnapshots[]> {
  const out: UnitSnapshots[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': `REPORT#${week}`, ':sk': 'SNAP#' },
        ExclusiveStartKey: start,
      }),
    );
    for (const i of res.Items ?? []) out.push(UnitSnapshots.parse(stripKeys(i)));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
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
  const res = await ddb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': `REPORT#${week}`, ':sk': 'SENT#' },
    }),
  );
  return (res.Items ?? []).map((i) => SentReport.parse(stripKeys(i)));
}

export async function getRecipients(unitCode: string): Promise<string[]> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: `UNIT#${unitCode}`, SK: 'REPORT_RECIPIENTS' } }));
  return z.array(z.email()).catch([]).parse(res.Item?.emails ?? []);
}

export async function putRecipients(unitCode: string, emails: readonly string[]): Promise<void> {
  await ddb.send(new PutCommand({ TableName: table(), Item: { PK: `UNIT#${unitCode}`, SK: 'REPORT_RECIPIENTS', entity: 'ReportRecipients', emails: [...emails] } }));
}

export async function getReportingConfig(): Promise<ReportingConfig> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: 'CONFIG', SK: 'REPORTING' } }));
  return ReportingConfig.parse(res.Item?.config ?? {});
}

export async function putReportingConfig(config: ReportingConfig): Promise<void> {
  await ddb.send(new PutCommand({ TableName: table(), Item: { PK: 'CONFIG', SK: 'REPORTING', entity: 'ReportingConfig', config: ReportingConfig.parse(config) } }));
}
