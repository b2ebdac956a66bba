import { appendAudit } from '../audit/audit.js';
import type { Book } from '../books/book.js';
import { getBook, saveBook } from '../books/book-repo.js';
import { allowedActions, assertVisible, toBookView } from '../books/book-rules.js';
import { ActionNotAllowed, Conflict, InvalidInput } from '../errors.js';
import { logger } from '../logger.js';
import type { RequestContext } from '../request-context.js';
import { listUnits } from '../units/unit-repo.js';
import { type Decision, transitions } from '../workflow/stages.js';
import { executionArnFor, executionName, sendDecision, startExecution } from '../workflow/workflow-port.js';

/**
 * A person (or a processing step acting as the system) takes an action on a book.
 * 1. The book must be visible and the action allowed now for the caller's role (409 lists the allowed ones).
 * 2. Record the decision on the book as `pendingAction` with one conditional write: of two identical
 *    concurrent requests exactly one wins; the other gets 409.
 * 3. Hand it to the workflow: start the execution (first action) or complete the parked task.
 *    If that call fails, the decision stays recorded and the sweeper re-drives it, so nothing is lost.
 * @throws NotFound, ActionNotAllowed, InvalidInput
 */
export async function submitAction(bookId: string, decision: Decision, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  const allowed = allowedActions(book, ctx.principal);
  if (!allowed.includes(decision.action)) throw notAllowed(book, decision, allowed);
  if (transitions[decision.action].needsReason && !decision.reason?.trim()) {
    throw new InvalidInput('Cần nêu lý do', { issues: [{ path: 'reason', message: 'Cần nêu lý do' }] });
  }

  const pendingAction = { action: decision.action, reason: decision.reason?.trim(), by: ctx.principal, at: ctx.now };
  const starting = decision.action === 'startDigitisation';
  const seq = starting ? book.executionSeq + 1 : book.executionSeq;
  let saved: Book;
  try {
    saved = await saveBook(
      {
        ...book,
        pendingAction,
        updatedAt: ctx.now,
        ...(starting ? { executionSeq: seq, executionArn: executionArnFor(executionName(book.bookId, seq)) } : {}),
      },
      book.version,
    );
  } catch (err) {
    if (err instanceof Conflict) {
      const fresh = await getBook(bookId);
      throw notAllowed(fresh, decision, allowedActions(fresh, ctx.principal));
    }
    throw err;
  }
  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: `action.${decision.action}`,
    actor: ctx.principal,
    at: ctx.now,
    requestId: ctx.requestId,
    before: { stage: book.stage, version: book.version },
    after: { stage: book.stage, version: saved.version, pendingAction: { action: decision.action, reason: pendingAction.reason } },
  });
  await handOver(saved);
  return toBookView(saved, ctx.principal);
}

/** Delivers a recorded decision to the workflow. Used by the API and by the sweeper; safe to repeat. */
export async function handOver(book: Book): Promise<boolean> {
  const pending = book.pendingAction;
  if (!pending) return false;
  try {
    if (pending.action === 'startDigitisation') {
      await startExecution(executionName(book.bookId, book.executionSeq), { bookId: book.bookId });
    } else if (book.taskToken) {
      await sendDecision(book.taskToken, { action: pending.action, reason: pending.reason });
    }
    return true;
  } catch (err) {
    logger.warn('Decision recorded but not yet delivered; the sweeper will re-drive it', {
      bookId: book.bookId,
      action: pending.action,
      error: (err as Error).name,
    });
    return false;
  }
}

function notAllowed(book: Book, decision: Decision, allowed: string[]) {
  const reason = book.pendingAction
    ? 'Sổ đang chờ xử lý thao tác trước'
    : `Thao tác "${transitions[decision.action].title}" không được phép ở giai đoạn hiện tại`;
  return new ActionNotAllowed(reason, { stage: book.stage, allowedActions: allowed, pendingAction: book.pendingAction?.action });
}
