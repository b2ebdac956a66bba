import { getBook } from '../books/book-repo.js';
import { assertVisible } from '../books/book-rules.js';
import { listRecords } from '../records/record-repo.js';
import type { RequestContext } from '../request-context.js';
import { listUnits } from '../units/unit-repo.js';

/** A page of a book's records. @throws NotFound, InvalidInput (bad cursor) */
export async function listRecordsForCaller(bookId: string, query: { limit: number; cursor?: string }, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  return listRecords(bookId, query);
}
