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

/** Marks an upload received; returns false when it already was (a duplicate event). */
export async function markReceived(u: Upload, receivedAt: string, etag: string, size: number): Promise<boolean> {
  try {
    await ddb.send(
      new PutCommand({
        TableName: getConfig().TABLE_NAME,
        Item: { ...key(u.bookId, u.uploadId), entity: 'Upload', ...Upload.parse({ ...u, status: 'received', receivedAt, etag, size }) },
        ConditionExpression: '#s = :requested',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':requested': 'requested' },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
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
