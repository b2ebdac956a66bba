import { listAudit } from '../audit/audit.js';
import { getBook, listBooksOfCommune } from '../books/book-repo.js';
import { assertUnitInScope, assertVisible, toBookView } from '../books/book-rules.js';
import type { RequestContext } from '../request-context.js';
import { communesInScope } from '../units/unit.js';
import { listUnits } from '../units/unit-repo.js';
import type { Stage } from '../workflow/stages.js';

/** One book as the caller may see it. @throws NotFound (also when outside the caller's units) */
export async function getBookForCaller(bookId: string, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  return toBookView(book, ctx.principal);
}

/**
 * Books of a unit (default: the caller's), fanned out over the communes below it (bounded by the
 * unit's size, never a table scan). @throws Forbidden when `unit` is outside the caller's scope.
 */
export async function listBooks(query: { unit?: string; stage?: Stage }, ctx: RequestContext) {
  const units = await listUnits();
  const root = query.unit ?? ctx.principal.unit;
  assertUnitInScope(root, ctx.principal, units);
  const communes = communesInScope(units, root);
  const perCommune = await Promise.all(communes.map((c) => listBooksOfCommune(c, query.stage)));
  return perCommune.flat().map((b) => toBookView(b, ctx.principal));
}

/** Stage changes and the full audit trail of a book. @throws NotFound */
export async function bookHistory(bookId: string, ctx: RequestContext) {
  await getBookForCaller(bookId, ctx);
  const audit = await listAudit('book', bookId);
  const transitions = audit
    .filter((e) => e.action === 'stage.entered')
    .map((e) => ({
      at: e.at,
      from: (e.before as { stage?: string })?.stage,
      to: (e.after as { stage?: string })?.stage,
      by: e.actor.username,
      role: e.actor.role,
    }));
  return { bookId, transitions, audit };
}
