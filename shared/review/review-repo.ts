/**
 * Secondary adapter: review policy per unit and quality counters per clerk (unit figures are their sums).
 *   PK = UNIT#<unit>,  SK = REVIEW_POLICY
 *   PK = CLERK#<userId>, SK = QUALITY        GSI1PK = QUALITY#<commune> (clerks by the commune they key for)
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients.js';
import { isConditionFailure, stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';
import { Conflict } from '../errors.js';
import { ClerkQuality, defaultPolicy, ReviewPolicy } from './qc-policy.js';

const table = () => getConfig().TABLE_NAME;

export async function getReviewPolicy(unitCode: string): Promise<ReviewPolicy> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: `UNIT#${unitCode}`, SK: 'REVIEW_POLICY' } }));
  return res.Item ? ReviewPolicy.parse(stripKeys(res.Item)) : defaultPolicy(unitCode);
}

export async function putReviewPolicy(policy: ReviewPolicy): Promise<void> {
  await ddb.send(new PutCommand({ TableName: table(), Item: { PK: `UNIT#${policy.unitCode}`, SK: 'REVIEW_POLICY', entity: 'ReviewPolicy', ...ReviewPolicy.parse(policy) } }));
}

export interface StoredClerkQuality extends ClerkQuality {
  unitCode: string;
  version: number;
}

export async function findClerkQuality(userId: string): Promise<StoredClerkQuality | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: `CLERK#${userId}`, SK: 'QUALITY' }, ConsistentRead: true }));
  if (!res.Item) return undefined;
  const item = stripKeys(res.Item);
  return { ...ClerkQuality.parse(item), unitCode: String(item.unitCode), version: Number(item.version) };
}

/** @throws Conflict when another review updated the same clerk first (callers retry). */
export async function saveClerkQuality(q: StoredClerkQuality, expectedVersion: number | undefined): Promise<void> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { PK: `CLERK#${q.userId}`, SK: 'QUALITY', GSI1PK: `QUALITY#${q.unitCode}`, GSI1SK: q.userId, entity: 'ClerkQuality', ...q, version: (expectedVersion ?? 0) + 1 },
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': expectedVersion } }),
      }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw new Conflict('Clerk quality changed concurrently');
    throw err;
  }
}

export async function listClerkQualityOfCommune(commune: string): Promise<StoredClerkQuality[]> {
  const res = await ddb.send(
    new QueryCommand({ TableName: table(), IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': `QUALITY#${commune}` } }),
  );
  return (res.Items ?? []).map((i) => {
    const item = stripKeys(i);
    return { ...ClerkQuality.parse(item), unitCode: String(item.unitCode), version: Number(item.version) };
  });
}
