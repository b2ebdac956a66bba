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

/** The unit's policy, and whether it is stored (an absent item is the default policy). */
export async function findReviewPolicy(unitCode: string): Promise<{ policy: ReviewPolicy; stored: boolean }> {
  const res = await ddb.send(new GetCommand({ TableName: table(), Key: { PK: `UNIT#${unitCode}`, SK: 'REVIEW_POLICY' }, ConsistentRead: true }));
  return res.Item ? { policy: ReviewPolicy.parse(stripKeys(res.Item)), stored: true } : { policy: defaultPolicy(unitCode), stored: false };
}

export async function getReviewPolicy(unitCode: string): Promise<ReviewPolicy> {
  return (await findReviewPolicy(unitCode)).policy;
}

/** The fields that make a policy, in a fixed order (compared and conditioned on). */
const POLICY_FIELDS = ['mode', 'samplePercent', 'window', 'threshold', 'minSample'] as const;

/**
 * Replaces the unit's policy only if it is still `expected` (absent, or those exact values): false when
 * another writer changed it meanwhile.
 */
export async function replaceReviewPolicy(policy: ReviewPolicy, expected: { policy: ReviewPolicy; stored: boolean }): Promise<boolean> {
  const names = Object.fromEntries(POLICY_FIELDS.map((f, i) => [`#f${i}`, f]));
  const values = Object.fromEntries(POLICY_FIELDS.map((f, i) => [`:f${i}`, expected.policy[f]]));
  try {
    await ddb.send(
      new PutCommand({
        TableName: table(),
        Item: { PK: `UNIT#${policy.unitCode}`, SK: 'REVIEW_POLICY', entity: 'ReviewPolicy', ...ReviewPolicy.parse(policy) },
        ...(expected.stored
          ? {
              ConditionExpression: POLICY_FIELDS.map((_, i) => `#f${i} = :f${i}`).join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }
          : { ConditionExpression: 'attribute_not_exists(PK)' }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

export const samePolicy = (a: ReviewPolicy, b: ReviewPolicy) => POLICY_FIELDS.every((f) => a[f] === b[f]);

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
        Item: {
          PK: `CLERK#${q.userId}`,
          SK: 'QUALITY',
          GSI1PK: `QUALITY#${q.unitCode}`,
          GSI1SK: q.userId,
          entity: 'ClerkQuality',
          ...q,
          version: (expectedVersion ?? 0) + 1,
        },
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
    new QueryCommand({
      TableName: table(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': `QUALITY#${commune}` },
    }),
  );
  return (res.Items ?? []).map((i) => {
    const item = stripKeys(i);
    return { ...ClerkQuality.parse(item), unitCode: String(item.unitCode), version: Number(item.version) };
  });
}
