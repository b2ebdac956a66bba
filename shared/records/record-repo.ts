/**
 * Secondary adapter: the records of a book.
 *   PK = BOOK#<bookId>, SK = REC#<yyyy>#<nnnnnn>   (deterministic from the registration number)
 * Writes are idempotent (same key, same content); a new entry version overwrites by key and then
 * removes the records its predecessor had and it does not.
 */
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients.js';
import { isConditionFailure, stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { BookRecord, soSortKey } from './record.js';

const key = (bookId: string, so: string) => ({ PK: `BOOK#${bookId}`, SK: `REC#${soSortKey(so)}` });

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

async function batchWrite(requests: WriteRequest[]): Promise<void> {
  const table = getConfig().TABLE_NAME;
  for (let i = 0; i < requests.length; i += 25) {
    let pending: WriteRequest[] | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed items');
      const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
      pending = res.UnprocessedItems?.[table] as WriteRequest[] | undefined;
      if (pending?.length) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
    }
  }
}

export async function putRecords(records: readonly BookRecord[]): Promise<void> {
  await batchWrite(records.map((r) => ({ PutRequest: { Item: { ...key(r.bookId, r.so), entity: 'Record', ...BookRecord.parse(r) } } })));
}

/**
 * Writes `next` with version = expected + 1 if the stored record still has `expected`.
 * @throws Conflict (details.current = the record as stored now) when another change won.
 */
export async function saveRecord(next: Omit<BookRecord, 'version'>, expectedVersion: number): Promise<BookRecord> {
  const record = BookRecord.parse({ ...next, version: expectedVersion + 1 });
  try {
    await ddb.send(
      new PutCommand({
        TableName: getConfig().TABLE_NAME,
        Item: { ...key(record.bookId, record.so), entity: 'Record', ...record },
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': expectedVersion },
      }),
    );
    return record;
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const current = await findRecord(record.bookId, record.so);
    throw new Conflict('Bản ghi vừa được người khác sửa, hãy xem phiên bản hiện tại', { currentVersion: current?.version, current });
  }
}

export async function deleteRecords(bookId: string, sos: readonly string[]): Promise<void> {
  await batchWrite(sos.map((so) => ({ DeleteRequest: { Key: key(bookId, so) } })));
}

export async function findRecord(bookId: string, so: string): Promise<BookRecord | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: getConfig().TABLE_NAME, Key: key(bookId, so), ConsistentRead: true }));
  return res.Item ? BookRecord.parse(stripKeys(res.Item)) : undefined;
}

/** @throws NotFound */
export async function getRecord(bookId: string, so: string): Promise<BookRecord> {
  const r = await findRecord(bookId, so);
  if (!r) throw new NotFound('Không tìm thấy bản ghi', { bookId, so });
  return r;
}

/** One page of a book's records in registration order. */
export async function listRecords(bookId: string, opts: { limit?: number; cursor?: string } = {}) {
  const res = await ddb.send(
    new QueryCommand({
      TableName: getConfig().TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': `BOOK#${bookId}`, ':sk': 'REC#' },
      Limit: opts.limit ?? 100,
      ExclusiveStartKey: opts.cursor ? decodeCursor(opts.cursor, bookId) : undefined,
    }),
  );
  return {
    records: (res.Items ?? []).map((i) => BookRecord.parse(stripKeys(i))),
    cursor: res.LastEvaluatedKey ? Buffer.from(JSON.stringify(res.LastEvaluatedKey)).toString('base64url') : undefined,
  };
}

/** A cursor is only ever a key of this book's records: anything else is refused, not queried. */
function decodeCursor(cursor: string, bookId: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const k = parsed as { PK?: unknown; SK?: unknown } | undefined;
  if (!k || k.PK !== `BOOK#${bookId}` || typeof k.SK !== 'string' || !k.SK.startsWith('REC#') || Object.keys(k).length !== 2) {
    throw new InvalidInput('Con trỏ phân trang không hợp lệ', { issues: [{ path: 'query.cursor', message: 'invalid cursor' }] });
  }
  return { PK: k.PK, SK: k.SK };
}

/** Every record of a book, page by page (a book holds at most a few thousand). */
export async function* allRecords(bookId: string): AsyncGenerator<BookRecord> {
  let cursor: string | undefined;
  do {
    const page = await listRecords(bookId, { limit: 500, cursor });
    yield* page.records;
    cursor = page.cursor;
  } while (cursor);
}
