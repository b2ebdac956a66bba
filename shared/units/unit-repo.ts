/**
 * Secondary adapter: administrative units (reference data, versioned).
 *   PK = UNITS, SK = <code>#<validFrom>
 * The whole set (about 14,000 versions nationally) is read once and cached for a few minutes.
 */
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients.js';
import { stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';
import { Unit } from './unit.js';

const CACHE_MS = 5 * 60_000;
let cache: { at: number; units: Unit[] } | undefined;

export async function listUnits(): Promise<Unit[]> {
  if (cache && Date.now() - cache.at < CACHE_MS) return cache.units;
  const units: Unit[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: getConfig().TABLE_NAME,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'UNITS' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) units.push(Unit.parse(stripKeys(item)));
    start = res.LastEvaluatedKey;
  } while (start);
  cache = { at: Date.now(), units };
  return units;
}

/** Seeds or refreshes unit versions (idempotent: same key, same content). */
export async function putUnits(units: readonly Unit[]): Promise<void> {
  for (let i = 0; i < units.length; i += 25) {
    const batch = units.slice(i, i + 25).map((u) => ({
      PutRequest: { Item: { PK: 'UNITS', SK: `${u.code}#${u.validFrom}`, entity: 'Unit', ...Unit.parse(u) } },
    }));
    let pending: typeof batch | undefined = batch;
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [getConfig().TABLE_NAME]: pending } }));
      pending = res.UnprocessedItems?.[getConfig().TABLE_NAME] as typeof batch | undefined;
      if (pending?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
  cache = undefined;
}
