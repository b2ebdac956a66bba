/** Operations on the workflow itself: resume a book, re-drive undelivered decisions, inspect executions. */
import type { ExecutionStatus, HistoryEvent } from '@aws-sdk/client-sfn';
import { appendAudit } from '../audit/audit.js';
import { getBook, listPendingBefore, saveBook } from '../books/book-repo.js';
import { assertVisible, toBookView } from '../books/book-rules.js';
import { getConfig, getStateMachineArn } from '../config.js';
import { ActionNotAllowed, Conflict, NotFound } from '../errors.js';
import { logger } from '../logger.js';
import type { RequestContext } from '../request-context.js';
import { listUnits } from '../units/unit-repo.js';
import { type WaitingStage, waitingStages } from '../workflow/stages.js';
import { callerError, describeExecution, executionArnFor, executionHistory, executionName, listExecutions, startExecution } from '../workflow/workflow-port.js';
import { handOver } from './submit-action.js';

/**
 * Starts a fresh execution at the book's recorded stage (`resumeAt`), after a failure or a restart.
 * 1. Only books inside the workflow (entry … reconciliation), or whose first run failed before Entry, can be resumed.
 * 2. Guard: if the book's current execution is still RUNNING, refuse (never two executions per book).
 * 3. Bump `executionSeq` with a conditional write (of two concurrent resumes one wins), then start.
 * @throws ActionNotAllowed, Conflict, NotFound
 */
export async function resumeBook(bookId: string, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  const waiting = (waitingStages as readonly string[]).includes(book.stage);
  if (!waiting && !(book.stage === 'inventory' && book.executionArn)) {
    throw new ActionNotAllowed('Chỉ tiếp tục được sổ đang trong quy trình', { stage: book.stage, allowedActions: [] });
  }
  if (book.executionArn) {
    const current = await describeExecution(book.executionArn).catch((err: Error) => {
      if (err.name === 'ExecutionDoesNotExist') return undefined;
      throw err;
    });
    if (current?.status === 'RUNNING') {
      throw new Conflict('Sổ đang có một lượt xử lý chạy, không thể chạy lượt thứ hai', { executionArn: book.executionArn });
    }
  }
  const seq = book.executionSeq + 1;
  const name = executionName(bookId, seq);
  const saved = await saveBook(
    { ...book, executionSeq: seq, executionArn: executionArnFor(name), taskToken: undefined, pendingAction: undefined, failure: undefined, updatedAt: ctx.now },
    book.version,
  );
  await startExecution(name, waiting ? { bookId, resumeAt: book.stage as WaitingStage } : { bookId });
  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: 'workflow.resumed',
    actor: ctx.principal,
    at: ctx.now,
    requestId: ctx.requestId,
    before: { executionArn: book.executionArn ?? null, failure: book.failure ?? null },
    after: { executionArn: saved.executionArn, resumeAt: waiting ? book.stage : 'entry' },
  });
  return toBookView(saved, ctx.principal);
}

/** Sweeper: re-delivers decisions that were recorded but not taken up by the workflow in time. */
export async function redrivePending(now: Date): Promise<{ examined: number; redriven: number }> {
  const before = new Date(now.getTime() - getConfig().PENDING_ACTION_REDRIVE_SECONDS * 1000).toISOString();
  const books = await listPendingBefore(before);
  let redriven = 0;
  for (const book of books) if (await handOver(book)) redriven++;
  if (books.length) logger.info('Re-drove pending decisions', { examined: books.length, redriven });
  return { examined: books.length, redriven };
}

export async function listWorkflowExecutions(query: { status?: ExecutionStatus; limit: number; nextToken?: string }) {
  const res = await listExecutions(query.status, query.limit, query.nextToken);
  return {
    executions: (res.executions ?? []).map((e) => ({
      executionArn: e.executionArn!,
      name: e.name!,
      bookId: e.name!.replace(/-\d+$/, ''),
      status: e.status!,
      startDate: e.startDate?.toISOString(),
      stopDate: e.stopDate?.toISOString(),
    })),
    nextToken: res.nextToken,
  };
}

/** An execution's history as a timeline: states entered/exited, task failures with their cause. @throws NotFound, InvalidInput for an ARN Step Functions does not know. */
export async function workflowExecutionHistory(executionArn: string) {
  // Only the book workflow's executions (the function may read no other): any other ARN is no such execution.
  const ours = `${getStateMachineArn().replace(':stateMachine:', ':execution:')}:`;
  if (!executionArn.startsWith(ours)) throw new NotFound('Không tìm thấy lượt xử lý');
  const [desc, events] = await Promise.all([describeExecution(executionArn), executionHistory(executionArn)]).catch((err: unknown) => {
    throw callerError(err);
  });
  return {
    executionArn,
    status: desc.status,
    startDate: desc.startDate?.toISOString(),
    stopDate: desc.stopDate?.toISOString(),
    error: desc.error,
    cause: desc.cause,
    events: events.map(toTimelineEvent),
  };
}

function toTimelineEvent(e: HistoryEvent) {
  const details =
    e.stateEnteredEventDetails ??
    e.stateExitedEventDetails ??
    e.taskFailedEventDetails ??
    e.executionFailedEventDetails ??
    e.executionAbortedEventDetails ??
    e.taskTimedOutEventDetails ??
    e.lambdaFunctionFailedEventDetails;
  const d = details as { name?: string; error?: string; cause?: string } | undefined;
  return { id: e.id, type: e.type, timestamp: e.timestamp?.toISOString(), state: d?.name, error: d?.error, cause: d?.cause };
}
