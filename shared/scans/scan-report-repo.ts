/**
 * Secondary adapter: the result of each scan delivery (the contractor acceptance report).
 *   PK = BOOK#<bookId>, SK = SCANREPORT#<uploadId>
 * Keyed by the upload, so re-processing the same delivery overwrites its own report.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ddb } from '../aws/clients.js';
import { stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';

export const ScanReport = z.object({
  bookId: z.string(),
  uploadId: z.string(),
  fileName: z.string(),
  at: z.string(),
  complete: z.boolean(),
  counts: z.record(z.string(), z.number()),
  reworkRate: z.number(),
  missing: z.array(z.object({ so: z.string(), expectedName: z.string() })),
  files: z.array(z.object({ entryName: z.string(), status: z.string(), reason: z.string().optional(), so: z.string().optional() })),
  filesTruncated: z.boolean(),
  reportKey: z.string(),
  archiveError: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ScanReport = z.infer<typeof ScanReport>;

const MAX_FILES_STORED = 2000;

export async function putScanReport(report: ScanReport): Promise<void> {
  const files = report.files.slice(0, MAX_FILES_STORED);
  const item = ScanReport.parse({ ...report, files, filesTruncated: report.files.length > MAX_FILES_STORED });
  await ddb.send(new PutCommand({ TableName: getConfig().TABLE_NAME, Item: { PK: `BOOK#${report.bookId}`, SK: `SCANREPORT#${report.uploadId}`, entity: 'ScanReport', ...item } }));
}

/** The most recent delivery's report, if any. */
export async function latestScanReport(bookId: string): Promise<ScanReport | undefined> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: getConfig().TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': `BOOK#${bookId}`, ':sk': 'SCANREPORT#' },
    }),
  );
  const reports = (res.Items ?? []).map((i) => ScanReport.parse(stripKeys(i)));
  return reports.sort((a, b) => a.at.localeCompare(b.at)).at(-1);
}
