/** Pure rules about books: visibility, allowed actions, the API view. No I/O. */
import { Forbidden, NotFound } from '../errors.js';
import type { Unit } from '../units/unit.js';
import { unitsInScope } from '../units/unit.js';
import type { Principal } from '../users/user.js';
import { type ActionName, actionsFor } from '../workflow/stages.js';
import type { Book, BookView } from './book.js';

/** @throws NotFound when the book lies outside the caller's units (its existence is not revealed). */
export function assertVisible(book: Book, principal: Principal, units: readonly Unit[]): void {
  if (!unitsInScope(units, principal.unit).has(book.unitCode)) throw new NotFound('Không tìm thấy sổ', { bookId: book.bookId });
}

/** @throws Forbidden when the unit is outside the caller's scope. */
export function assertUnitInScope(unitCode: string, principal: Principal, units: readonly Unit[]): void {
  if (!unitsInScope(units, principal.unit).has(unitCode)) {
    throw new Forbidden('Bạn không có quyền với đơn vị này', { unitCode });
  }
}

/** Whether the workflow is parked in the book's stage waiting for a decision. */
export function isWaiting(book: Book): boolean {
  return book.taskToken !== undefined && book.pendingAction === undefined && book.failure === undefined;
}

/**
 * Actions the caller may take now: the role's actions out of the stage, provided the workflow is
 * ready for them (a task token is parked and no decision is already on its way). Before the
 * workflow starts, only `startDigitisation` and only once.
 */
export function allowedActions(book: Book, principal: Principal): ActionName[] {
  const byRole = actionsFor(book.stage, principal.role);
  if (book.stage === 'inventory') return book.executionArn || book.pendingAction ? [] : byRole;
  return isWaiting(book) ? byRole : [];
}

export function toBookView(book: Book, principal: Principal): BookView {
  const { taskToken: _hidden, ...rest } = book;
  return { ...rest, waiting: isWaiting(book), allowedActions: allowedActions(book, principal) };
}
