import { appendAudit } from '../audit/audit.js';
import { type Book, type BookInventory, bookIdOf } from '../books/book.js';
import { insertBook } from '../books/book-repo.js';
import { assertUnitInScope, toBookView } from '../books/book-rules.js';
import { Forbidden, InvalidInput } from '../errors.js';
import type { RequestContext } from '../request-context.js';
import { listUnits } from '../units/unit-repo.js';

/**
 * Inventory a book (stage `inventory`; no workflow yet, so open executions stay bounded by books in progress).
 * 1. Only a commune officer of the book's commune (or above it) may inventory.
 * 2. The commune must exist as a commune.
 * 3. Insert under a deterministic id (a second inventory of the same book → 409), then audit.
 * @throws InvalidInput, Forbidden, Conflict
 */
export async function createBook(input: BookInventory, ctx: RequestContext) {
  const units = await listUnits();
  if (!units.some((u) => u.code === input.unitCode && u.level === 'commune')) {
    throw new InvalidInput('Mã xã không tồn tại', { issues: [{ path: 'unitCode', message: 'Mã xã không tồn tại' }] });
  }
  assertUnitInScope(input.unitCode, ctx.principal, units);
  if (ctx.principal.role !== 'commune_officer') throw new Forbidden('Chỉ công chức Tư pháp – Hộ tịch được kiểm kê sổ');

  const book: Book = {
    ...input,
    bookId: bookIdOf(input),
    stage: 'inventory',
    version: 1,
    createdAt: ctx.now,
    createdBy: ctx.principal.userId,
    updatedAt: ctx.now,
    stageEnteredAt: ctx.now,
    executionSeq: 0,
    counts: { records: 0, scans: 0, uploads: 0 },
  };
  await insertBook(book);
  await appendAudit({
    targetType: 'book',
    targetId: book.bookId,
    action: 'book.inventoried',
    actor: ctx.principal,
    at: ctx.now,
    requestId: ctx.requestId,
    after: { ...input },
  });
  return toBookView(book, ctx.principal);
}
