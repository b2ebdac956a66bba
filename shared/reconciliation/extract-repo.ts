/**
 * Secondary adapter: register extracts per unit (versioned: a newer one supersedes, the old is kept).
 *   PK = UNIT#<unit>, SK = EXTRACT#<at>#<uploadId>   every version
 *   PK = UNIT#<unit>, SK = EXTRACT_CURRENT            the one matching uses
 * The rows themselves are a JSON object in the archive bucket (`key`).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ddb } from '../aws/clients.js';
import { stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';

export const ExtractVersion = z.object({ unitCode: z.string(), uploadId: z.string(), key: z.string(), rows: z.number().int(), at: z.string(), by: z.string() });
export type ExtractVersion = z.infer<typeof ExtractVersion>;

export async function putExtractVersion(v: ExtractVersion): Promise<void> {
  const item = ExtractVersion.parse(v);
  await ddb.send(new PutCommand({ TableName: getConfig().TABLE_NAME, Item: { PK: `UNIT#${v.unitCode}`, SK: `EXTRACT#${v.at}#${v.uploadId}`, entity: 'Extract', ...item } }));
  await ddb.send(new PutCommand({ TableName: getConfig().TABLE_NAME, Item: { PK: `UNIT#${v.unitCode}`, SK: 'EXTRACT_CURRENT', entity: 'ExtractCurrent', ...item } }));
}

export async function findCurrentExtract(unitCode: string): Promise<ExtractVersion | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: getConfig().TABLE_NAME, Key: { PK: `UNIT#${unitCode}`, SK: 'EXTRACT_CURRENT' } }));
  return res.Item ? ExtractVersion.parse(stripKeys(res.Item)) : undefined;
}
