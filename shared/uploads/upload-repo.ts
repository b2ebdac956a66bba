/**
 * Secondary adapter: upload requests and receipts.
 *   PK = BOOK#<bookId>, SK = UPLOAD#<uploadId>
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients.js';
import { isConditionFailure, stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';
import { Upload } from './upload.js';

const key = (bookId: string, uploadId: string) => ({ PK: `BOOK#${bookId}`, SK: `UPLOAD#${uploadId}` });

export async function insertUpload(u: Upload): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: getConfig().TABLE_NAME,
      Item: { ...key(u.bookId, u.uploadId), entity: 'Upload', ...Upload.parse(u) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

export async function findUpload(bookId: string, uploadId: string): Promise<Upload | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: getConfig().TABLE_NAME, Key: key(bookId, uploadId), ConsistentRead: true }));
  return res.Item ? Upload.parse(stripKeys(res.Item)) : undefined;
}

/** Whole-item conditional put on `version` (optimistic locking); false when another writer won. */
async function saveUpload(next: Upload, expectedVersion: number): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: getConfig().TABLE_NAME,
        Item: { ...key(next.bookId, next.uploadId), entity: 'Upload', ...Upload.parse({ ...next, version: expectedVersion + 1 }) },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': expectedVersion },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Marks an upload received; returns false when it already was (a duplicate event). */
export async function markReceived(u: Upload, receivedAt: string, etag: string, size: number): Promise<boolean> {
  if (u.status !== 'requested') return false;
  return saveUpload({ ...u, status: 'received', receivedAt, etag, size }, u.version);
}

/**
 * Takes the processing lease: from `received`, or from `processing` whose lease has expired.
 * Returns the leased upload, or undefined when it is final or another worker holds a live lease.
 */
export async function claimProcessing(u: Upload, now: Date, leaseMs: number): Promise<Upload | undefined> {
  const free = u.status === 'received' || (u.status === 'processing' && (!u.leaseUntil || Date.parse(u.leaseUntil) < now.getTime()));
  if (!free) return undefined;
  const leased: Upload = { ...u, status: 'processing', leaseUntil: new Date(now.getTime() + leaseMs).toISOString() };
  return (await saveUpload(leased, u.version)) ? { ...leased, version: u.version + 1 } : undefined;
}

/**
 * Gives the lease back after a failed attempt (status `received` again), so the redelivered event can
 * take it at once. A worker that dies without getting here leaves a lease that ends with its
 * invocation (see `recordObjectCreated`), before the queue shows the message again.
 */
export async function releaseProcessing(u: Upload): Promise<boolean> {
  return saveUpload({ ...u, status: 'received', leaseUntil: undefined }, u.version);
}

/** Records the final outcome (only from the lease the caller holds). */
export async function finishProcessing(u: Upload, status: 'accepted' | 'rejected', outcome: Record<string, unknown>): Promise<boolean> {
  return saveUpload({ ...u, status, leaseUntil: undefined, outcome }, u.version);
}

/** Refuses a requested upload before any object exists (a multipart upload aborted at completion). */
export async function refuseRequested(u: Upload, outcome: Record<string, unknown>): Promise<boolean> {
  if (u.status !== 'requested') return false;
  return saveUpload({ ...u, status: 'rejected', outcome }, u.version);
}

export async function listUploads(bookId: string): Promise<Upload[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: getConfig().TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': `BOOK#${bookId}`, ':sk': 'UPLOAD#' },
    }),
  );
  return (res.Items ?? []).map((i) => Upload.parse(stripKeys(i)));
}
