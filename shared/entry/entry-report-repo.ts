/**
 * Secondary adapter: the outcome of each entry upload (accepted with warnings, or rejected with errors).
 *   PK = BOOK#<bookId>, SK = ENTRYREPORT#<uploadId>
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ddb } from '../aws/clients.js';
import { stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';

export const EntryReport = z.object({
  bookId: z.string(),
  uploadId: z.string(),
  fileName: z.string(),
  at: z.string(),
  status: z.enum(['accepted', 'rejected']),
  summary: z.object({ rows: z.number().int(), errors: z.number().int(), warnings: z.number().int() }),
  issues: z.array(
    z.object({
      ruleId: z.string(),
      severity: z.string(),
      row: z.number().int().optional(),
      column: z.string().optional(),
      value: z.string().optional(),
      message: z.string(),
    }),
  ),
  issuesTruncated: z.boolean(),
  errorWorkbookKey: z.string().optional(),
  fileError: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type EntryReport = z.infer<typeof EntryReport>;

const MAX_STORED = 1000;

export async function putEntryReport(r: EntryReport): Promise<void> {
  const item = EntryReport.parse({ ...r, issues: r.issues.slice(0, MAX_STORED), issuesTruncated: r.issuesTruncated || r.issues.length > MAX_STORED });
  await ddb.send(
    new PutCommand({ TableName: getConfig().TABLE_NAME, Item: { PK: `BOOK#${r.bookId}`, SK: `ENTRYREPORT#${r.uploadId}`, entity: 'EntryReport', ...item } }),
  );
}

export async function latestEntryReport(bookId: string): Promise<EntryReport | undefined> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: getConfig().TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': `BOOK#${bookId}`, ':sk': 'ENTRYREPORT#' },
    }),
  );
  return (res.Items ?? [])
    .map((i) => EntryReport.parse(stripKeys(i)))
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1);
}
