/**
 * Secondary adapter: the Book entity in the single table. Owns its keys and indexes:
 *   PK = BOOK#<bookId>, SK = BOOK
 *   GSI1: GSI1PK = UNIT#<commune>, GSI1SK = <stage>#<createdAt>#<bookId>   (books of a commune by stage)
 *   GSI2 (sparse): GSI2PK = PENDING, GSI2SK = <pendingAction.at>#<bookId> (actions not yet taken up by the workflow)
 * Every write is a whole-item conditional put on `version` (optimistic locking).
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients.js';
import { isConditionFailure, stripKeys } from '../aws/dynamo.js';
import { getConfig } from '../config.js';
import { Conflict, NotFound } from '../errors.js';
import type { Stage } from '../workflow/stages.js';
import { Book } from './book.js';

const key = (bookId: string) => ({ PK: `BOOK#${bookId}`, SK: 'BOOK' });

export function bookItem(book: Book): Record<string, unknown> {
  return {
    ...key(book.bookId),
    entity: 'Book',
    GSI1PK: `UNIT#${book.unitCode}`,
    GSI1SK: `${book.stage}#${book.createdAt}#${book.bookId}`,
    ...(book.pendingAction ? { GSI2PK: 'PENDING', GSI2SK: `${book.pendingAction.at}#${book.bookId}` } : {}),
    ...book,
  };
}

function fromItem(item: Record<string, unknown>): Book {
  return Book.parse(stripKeys(item));
}

export async function findBook(bookId: string): Promise<Book | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: getConfig().TABLE_NAME, Key: key(bookId), ConsistentRead: true }));
  return res.Item ? fromItem(res.Item) : undefined;
}

/** @throws NotFound */
export async function getBook(bookId: string): Promise<Book> {
  const book = await findBook(bookId);
  if (!book) throw new NotFound('Không tìm thấy sổ', { bookId });
  return book;
}

/** @throws Conflict when a book with the same identity exists. */
export async function insertBook(book: Book): Promise<void> {
  try {
    await ddb.send(
      new PutCommand({ TableName: getConfig().TABLE_NAME, Item: bookItem(book), ConditionExpression: 'attribute_not_exists(PK)' }),
    );
  } catch (err) {
    if (isConditionFailure(err)) throw new Conflict('Sổ này đã được kiểm kê', { bookId: book.bookId });
    throw err;
  }
}

/**
 * Writes `next` (with version = expected + 1) if the stored version is still `expected`.
 * @throws Conflict when another change won.
 */
export async function saveBook(next: Omit<Book, 'version'>, expectedVersion: number): Promise<Book> {
  const book = Book.parse({ ...next, version: expectedVersion + 1 });
  try {
    await ddb.send(
      new PutCommand({
        TableName: getConfig().TABLE_NAME,
        Item: bookItem(book),
        ConditionExpression: '#v = :expected',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      }),
    );
    return book;
  } catch (err) {
    if (isConditionFailure(err)) throw new Conflict('Sổ vừa được người khác thay đổi, hãy tải lại', { bookId: book.bookId });
    throw err;
  }
}

/** Books of one commune, optionally in one stage, oldest first. */
export async function listBooksOfCommune(unitCode: string, stage?: Stage): Promise<Book[]> {
  const books: Book[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: getConfig().TABLE_NAME,
        IndexName: 'GSI1',
        KeyConditionExpression: stage ? 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)' : 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `UNIT#${unitCode}`, ...(stage ? { ':sk': `${stage}#` } : {}) },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) books.push(fromItem(item));
    start = res.LastEvaluatedKey;
  } while (start);
  return books.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Books whose submitted action has waited longer than `olderThanIso` for the workflow. */
export async function listPendingBefore(olderThanIso: string): Promise<Book[]> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: getConfig().TABLE_NAME,
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
      ExpressionAttributeValues: { ':pk': 'PENDING', ':before': olderThanIso },
      Limit: 500,
    }),
  );
  const ids = (res.Items ?? []).map((i) => String(i.bookId));
  const books = await Promise.all(ids.map(findBook));
  return books.filter((b): b is Book => b !== undefined);
}
