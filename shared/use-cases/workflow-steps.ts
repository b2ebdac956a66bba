/**
 * Use cases run by the book workflow's Task states. Each checks that the calling execution still
 * owns the book (a stale run, e.g. one aborted by a restart, can never overwrite the book), and
 * each write is a conditional put retried on a lost optimistic lock.
 */
import { appendAudit } from '../audit/audit.js';
import { type Book, BookInventory } from '../books/book.js';
import { getBook, saveBook } from '../books/book-repo.js';
import { Conflict, InventoryInvalid, StaleExecution } from '../errors.js';
import { logger } from '../logger.js';
import { type Principal, systemPrincipal } from '../users/user.js';
import { type StageTaskInput, transitions, type WaitingStage } from '../workflow/stages.js';
import { reconcileBook } from './reconciliation.js';
import { planReview } from './review.js';
import { handOver } from './submit-action.js';

export interface StepContext {
  executionArn: string;
  /** Stable across Lambda retries of the same state entry: used as the audit time. */
  at: string;
}

export async function withBook(bookId: string, ctx: StepContext, change: (book: Book) => Omit<Book, 'version'> | null) {
  for (let attempt = 0; ; attempt++) {
    const book = await getBook(bookId);
    if (book.executionArn !== ctx.executionArn) {
      throw new StaleExecution('Another execution owns this book', { bookId, executionArn: ctx.executionArn });
    }
    const next = change(book);
    if (next === null) return { before: book, after: book };
    try {
      return { before: book, after: await saveBook(next, book.version) };
    } catch (err) {
      if (!(err instanceof Conflict) || attempt >= 4) throw err;
    }
  }
}

/** First state: the inventory record must be complete before work starts. @throws InventoryInvalid */
export async function validateInventory(bookId: string, ctx: StepContext): Promise<void> {
  const book = await getBook(bookId);
  if (book.executionArn !== ctx.executionArn) throw new StaleExecution('Another execution owns this book', { bookId });
  const problems: string[] = [];
  if (!BookInventory.safeParse(pickInventory(book)).success)
    problems.push('Thông tin kiểm kê có trường sai định dạng: cần kiểm tra lại các trường kiểm kê của sổ');
  if (book.closingTotal === null && book.physicalCondition === 'good') {
    problems.push('Thiếu "Tổng số sự kiện khi khóa sổ" (closingTotal) dù sổ ở tình trạng tốt (physicalCondition = good)');
  }
  if (book.closingTotal === null && !book.notes)
    problems.push('Thiếu "Tổng số sự kiện khi khóa sổ" (closingTotal) mà không có ghi chú (notes) giải thích lý do');
  if (problems.length) throw new InventoryInvalid(problems.join('; '), { bookId });
}

/**
 * A waiting stage begins (or begins again after an escalation or a resume): park the task token on
 * the book. When the stage differs from the book's, this is a transition: the pending decision is
 * consumed and the audit trail gets one `stage.entered` entry attributed to whoever decided.
 */
export async function enterStage(input: StageTaskInput): Promise<void> {
  const ctx = { executionArn: input.executionArn, at: input.enteredAt };
  const current = await getBook(input.bookId);
  // Entering review decides this pass's plan (full, or a sample for a trusted clerk).
  const reviewPlan = input.stage === 'review' && current.stage !== 'review' ? await planReview(current) : undefined;
  const { before, after } = await withBook(input.bookId, ctx, (book) => {
    const transition = book.stage !== input.stage;
    const pending = transition ? undefined : book.pendingAction;
    const returned = book.pendingAction && transitions[book.pendingAction.action].needsReason;
    return {
      ...book,
      stage: input.stage,
      taskToken: input.taskToken,
      pendingAction: pending,
      stageEnteredAt: transition ? input.enteredAt : book.stageEnteredAt,
      stalled: transition ? undefined : book.stalled,
      review: transition && input.stage === 'review' ? (reviewPlan ?? book.review) : book.review,
      reviewClaim: transition ? undefined : book.reviewClaim,
      updatedAt: input.enteredAt,
      lastReturn:
        transition && returned && book.pendingAction
          ? {
              from: book.stage,
              action: book.pendingAction.action,
              reason: book.pendingAction.reason ?? '',
              records: book.pendingAction.records,
              by: book.pendingAction.by.username,
              at: book.pendingAction.at,
            }
          : transition
            ? undefined
            : book.lastReturn,
    };
  });
  if (before.stage !== after.stage) await auditStageEntered(before, after.stage, input.enteredAt, input.executionArn);
  // Reconciliation starts by itself when the unit's register extract is there (and ends at once for a book with no people).
  if (after.stage === 'reconciliation' && before.stage !== 'reconciliation') await reconcileBook(after.bookId);
  if (after.pendingAction) {
    // A decision was taken while the previous token was expiring: deliver it with the fresh token.
    await handOver(after);
  }
}

/** The stage waited longer than its timeout: flag the book as stalled (then the workflow waits again). */
export async function escalateStalled(bookId: string, stage: WaitingStage, ctx: StepContext): Promise<void> {
  const { before, after } = await withBook(bookId, ctx, (book) => ({
    ...book,
    stalled: { since: book.stalled?.since ?? ctx.at, escalations: (book.stalled?.escalations ?? 0) + 1 },
    updatedAt: ctx.at,
  }));
  logger.warn('Book stalled', { bookId, stage, escalations: after.stalled?.escalations });
  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: 'stage.stalled',
    actor: systemPrincipal,
    at: ctx.at,
    requestId: ctx.executionArn,
    before: { stalled: before.stalled ?? null },
    after: { stage, stalled: after.stalled },
  });
}

/** Any unexpected failure: record its cause on the book (the execution then ends FAILED). */
export async function recordFailure(bookId: string, error: { Error?: string; Cause?: string }, ctx: StepContext): Promise<void> {
  const failure = { error: error.Error ?? 'Unknown', cause: failureCauseOf(error.Cause).slice(0, 2000), at: ctx.at };
  // A decision recorded but not carried out dies with the run: resuming starts from the book's stage.
  const { before } = await withBook(bookId, ctx, (book) => ({ ...book, failure, taskToken: undefined, pendingAction: undefined, updatedAt: ctx.at }));
  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: 'workflow.failed',
    actor: systemPrincipal,
    at: ctx.at,
    requestId: ctx.executionArn,
    before: { stage: before.stage, pendingAction: before.pendingAction?.action ?? null },
    after: { stage: before.stage, failure },
  });
}

/**
 * The human-readable cause of a caught task failure. Step Functions hands over a Lambda function's error
 * as a JSON document (`{"errorType","errorMessage","trace"}`): keep its message, never the stack trace; any
 * other cause (a States.* error, a plain text) is kept as it is.
 */
export function failureCauseOf(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (parsed && typeof parsed === 'object' && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    /* not JSON: a plain cause */
  }
  return cause;
}

/** Last state: the book is completed. */
export async function completeBook(bookId: string, ctx: StepContext): Promise<void> {
  const { before, after } = await withBook(bookId, ctx, (book) =>
    book.stage === 'completed'
      ? null
      : { ...book, stage: 'completed', taskToken: undefined, pendingAction: undefined, stalled: undefined, stageEnteredAt: ctx.at, updatedAt: ctx.at },
  );
  if (before.stage !== after.stage) await auditStageEntered(before, 'completed', ctx.at, ctx.executionArn);
}

async function auditStageEntered(before: Book, stage: Book['stage'], at: string, executionArn: string) {
  const actor: Principal = before.pendingAction?.by ?? systemPrincipal;
  await appendAudit({
    targetType: 'book',
    targetId: before.bookId,
    action: 'stage.entered',
    actor,
    at,
    requestId: executionArn,
    before: { stage: before.stage },
    after: { stage },
    note: before.pendingAction ? `${before.pendingAction.action}${before.pendingAction.reason ? `: ${before.pendingAction.reason}` : ''}` : undefined,
  });
}

function pickInventory(book: Book): BookInventory {
  const { unitCode, registerType, quyenSo, yearOpened, pageCount, closingTotal, physicalCondition, custodyLocation, notes } = book;
  return { unitCode, registerType, quyenSo, yearOpened, pageCount, closingTotal, physicalCondition, custodyLocation, notes };
}
