import { appendAudit } from '../audit/audit.js';
import type { Book } from '../books/book.js';
import { getBook, saveBook } from '../books/book-repo.js';
import { allowedActions, assertVisible, isWaiting, toBookView } from '../books/book-rules.js';
import { ActionNotAllowed, Conflict, Forbidden, InvalidInput } from '../errors.js';
import { faultPoint } from '../faults.js';
import { logger } from '../logger.js';
import { findRecord } from '../records/record-repo.js';
import type { RequestContext } from '../request-context.js';
import { listUnits } from '../units/unit-repo.js';
import { type ActionName, type Decision, transitions } from '../workflow/stages.js';
import { executionArnFor, executionName, sendDecision, startExecution } from '../workflow/workflow-port.js';
import { closeReviewPass, pendingReview } from './review.js';

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
  return decide(book, decision, ctx, allowedActions(book, ctx.principal));
}

/**
 * A processing step completes a stage on the system's side (a valid entry workbook, a complete scan
 * set), attributed to the person whose upload it was. Only `system` transitions, only while the
 * workflow waits in their stage.
 * @throws ActionNotAllowed when the book is not waiting in that stage (or a decision is on its way)
 */
export async function submitSystemAction(bookId: string, decision: Decision, ctx: RequestContext) {
  const book = await getBook(bookId);
  const t = transitions[decision.action];
  const allowed = t.system && t.from === book.stage && isWaiting(book) ? [decision.action] : [];
  return decide(book, decision, ctx, allowed);
}

async function decide(book: Book, decision: Decision, ctx: RequestContext, allowed: ActionName[]) {
  const bookId = book.bookId;
  // This same request already recorded its decision and then failed (e.g. an upload's redelivery):
  // finish it (audit, hand-over) rather than refuse it as "a decision is on its way".
  const retried = book.pendingAction?.requestId === ctx.requestId && book.pendingAction.action === decision.action;
  let saved: Book;
  if (retried) {
    saved = book;
  } else {
    if (!allowed.includes(decision.action)) throw notAllowed(book, decision, allowed);
    if (transitions[decision.action].needsReason && !decision.reason?.trim()) {
      throw new InvalidInput('Cần nêu lý do', { issues: [{ path: 'reason', message: 'Cần nêu lý do' }] });
    }

    await assertPreconditions(book, decision, ctx);

    const pendingAction = {
      action: decision.action,
      reason: decision.reason?.trim(),
      records: decision.records,
      by: ctx.principal,
      at: ctx.now,
      requestId: ctx.requestId,
    };
    const starting = decision.action === 'startDigitisation';
    const seq = starting ? book.executionSeq + 1 : book.executionSeq;
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
    faultPoint('action.recorded', ctx.requestId);
  }
  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: `action.${decision.action}`,
    actor: ctx.principal,
    at: saved.pendingAction?.at ?? ctx.now,
    requestId: ctx.requestId,
    // The recording write bumped the version by one.
    before: { stage: saved.stage, version: saved.version - 1 },
    after: { stage: saved.stage, version: saved.version, pendingAction: { action: decision.action, reason: saved.pendingAction?.reason } },
  });
  faultPoint('action.audited', ctx.requestId);
  await handOver(saved);
  faultPoint('action.handed-over', ctx.requestId);
  if (decision.action === 'passReview') await closeReviewPass(saved);
  return toBookView(saved, ctx.principal);
}

/**
 * Rules beyond "the role may take this action in this stage":
 * - pass review only when every record the review plan requires is marked OK or corrected;
 * - a return to Scan names the records whose scans are wrong;
 * - approval by a commune officer who neither keyed nor reviewed the book (segregation of duties).
 * @throws ActionNotAllowed, InvalidInput, Forbidden
 */
async function assertPreconditions(book: Book, decision: Decision, ctx: RequestContext) {
  if (decision.action === 'passReview') {
    const pending = await pendingReview(book);
    if (pending.length) {
      throw new ActionNotAllowed(`Còn ${pending.length} bản ghi chưa được kiểm tra`, {
        stage: book.stage,
        allowedActions: allowedActions(book, ctx.principal),
        pending: pending.slice(0, 50),
      });
    }
  }
  if (decision.action === 'returnToScan') {
    const named = decision.records ?? [];
    const missing: string[] = [];
    for (const so of named) if (!(await findRecord(book.bookId, so))) missing.push(so);
    if (!named.length || missing.length) {
      throw new InvalidInput('Trả về scan cần nêu các bản ghi có bản scan sai', {
        issues: [{ path: 'records', message: missing.length ? `Không có bản ghi: ${missing.join(', ')}` : 'Cần ít nhất một bản ghi' }],
      });
    }
  }
  if (decision.action === 'approve' || decision.action === 'reject') {
    const keyedBy = book.entry?.keyedBy.userId;
    const reviewers = book.review?.reviewers ?? [];
    if (ctx.principal.userId === keyedBy || reviewers.includes(ctx.principal.userId)) {
      throw new Forbidden('Người phê duyệt phải khác người nhập liệu và người kiểm tra sổ này', {
        keyedBy: book.entry?.keyedBy.username,
        reviewers: reviewers.length,
      });
    }
  }
}

/** Delivers a recorded decision to the workflow. Used by the API and by the sweeper; safe to repeat. */
export async function handOver(book: Book): Promise<boolean> {
  const pending = book.pendingAction;
  if (!pending) return false;
  try {
    if (pending.action === 'startDigitisation') {
      await startExecution(executionName(book.bookId, book.executionSeq), { bookId: book.bookId });
    } else if (book.taskToken) {
      await sendDecision(book.taskToken, { action: pending.action, reason: pending.reason, records: pending.records });
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
