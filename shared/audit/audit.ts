/**
 * Secondary adapter: the append-only audit trail, in its own table so IAM can grant
 * PutItem + Query only (no UpdateItem, no DeleteItem) to every function.
 *   PK = <targetType>#<targetId>, SK = <at>#<requestId>#<action>
 * A retried request writes the same key, so the conditional put makes it idempotent.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ddb } from '../aws/clients.js';
import { isConditionFailure } from '../aws/dynamo.js';
import { getConfig } from '../config.js';
import { Principal } from '../users/user.js';

export const AuditEntry = z.object({
  targetType: z.enum(['book', 'unit', 'upload', 'execution', 'report']),
  targetId: z.string(),
  action: z.string(),
  actor: Principal,
  at: z.string(),
  requestId: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  note: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

const pk = (e: Pick<AuditEntry, 'targetType' | 'targetId'>) => `${e.targetType}#${e.targetId}`;

/** Appends one entry; a duplicate of the same (target, time, request, action) is ignored. */
export async function appendAudit(entry: AuditEntry): Promise<void> {
  const e = AuditEntry.parse(entry);
  try {
    await ddb.send(
      new PutCommand({
        TableName: getConfig().AUDIT_TABLE_NAME,
        Item: { PK: pk(e), SK: `${e.at}#${e.requestId}#${e.action}`, ...e },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/** The audit trail of one target, oldest first. */
export async function listAudit(targetType: AuditEntry['targetType'], targetId: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: getConfig().AUDIT_TABLE_NAME,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': pk({ targetType, targetId }) },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) out.push(AuditEntry.parse(item));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}
