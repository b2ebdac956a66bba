import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { asUser } from '../support/api-client.js';
import { createBook, waitForStage } from '../support/book-flow.js';
import { gaps, startFaultProxy } from '../support/fault-proxy.js';
import { loadEvent, useLocalStackEnv } from '../support/handler-env.js';

const { env } = useLocalStackEnv();
// Step Functions calls from this process go through a proxy that can throttle SendTaskSuccess.
const sfnProxy = await startFaultProxy('sfn', env.AWS_ENDPOINT_URL_SFN!);
Object.assign(process.env, { AWS_ENDPOINT_URL_SFN: sfnProxy.url, SDK_MAX_ATTEMPTS: '6', SDK_RETRY_BASE_MS: '50' });
afterAll(() => sfnProxy.close());
const isSendTaskSuccess = (op: string) => op.endsWith('.SendTaskSuccess');
const summary: string[] = [];
afterAll(() => console.log(`[sweeper] SendTaskSuccess cases: ${summary.length}\n  ${summary.join('\n  ')}`));

describe('a decision recorded but never delivered (SendTaskSuccess lost)', () => {
  it('is re-driven by the scheduled sweeper and the book moves on once', async () => {
    const { ddb } = await import('../../shared/aws/clients.js');
    const officer = await asUser('hotich.binhan');
    const clerk = await asUser('nhaplieu.binhan');
    const bookId = await createBook(officer);
    expect((await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(202);
    await waitForStage(clerk, bookId, 'entry');

    // Simulate the API crashing right after its conditional write: the decision is on the book, not in the workflow.
    const Key = { PK: `BOOK#${bookId}`, SK: 'BOOK' };
    const item = (await ddb.send(new GetCommand({ TableName: env.TABLE_NAME, Key }))).Item!;
    const at = new Date(Date.now() - 10 * 60_000).toISOString();
    const by = { userId: 'u-clerk-1', username: 'nhaplieu.binhan', role: 'entry_clerk', unit: '90101' };
    await ddb.send(
      new PutCommand({
        TableName: env.TABLE_NAME,
        Item: { ...item, pendingAction: { action: 'completeEntry', by, at }, GSI2PK: 'PENDING', GSI2SK: `${at}#${bookId}`, version: item.version + 1 },
      }),
    );
    expect((await clerk.get(`/books/${bookId}`)).body).toMatchObject({ stage: 'entry', allowedActions: [] });

    const { handler } = await import('../../functions/scheduled/sweep-pending.js');
    const result = await handler(loadEvent('schedule/sweep-pending.json'));
    expect(result.redriven).toBeGreaterThanOrEqual(1);
    const book = await waitForStage(clerk, bookId, 'scan');
    expect(book.pendingAction).toBeUndefined();

    // Running the sweeper again changes nothing for this book.
    await handler({});
    await new Promise((r) => setTimeout(r, 300));
    const history = await officer.get(`/books/${bookId}/history`);
    expect((history.body.transitions as { to: string }[]).filter((t) => t.to === 'scan')).toHaveLength(1);
  });
});

/** A book waiting in Entry, and the clerk's system decision `completeEntry` (as a valid upload takes it). */
async function bookWaitingInEntry() {
  const officer = await asUser('hotich.binhan');
  const clerk = await asUser('nhaplieu.binhan');
  const bookId = await createBook(officer);
  expect((await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(202);
  await waitForStage(clerk, bookId, 'entry');
  const { submitSystemAction } = await import('../../shared/use-cases/submit-action.js');
  const by = { userId: 'u-clerk-1', username: 'nhaplieu.binhan', role: 'entry_clerk' as const, unit: '90101' };
  const completeEntry = () => submitSystemAction(bookId, { action: 'completeEntry' }, { principal: by, requestId: `sweeper-test:${bookId}`, now: new Date().toISOString() });
  return { officer, clerk, bookId, completeEntry };
}

async function transitionsTo(officer: Awaited<ReturnType<typeof asUser>>, bookId: string, stage: string) {
  const history = await officer.get(`/books/${bookId}/history`);
  return (history.body.transitions as { to: string }[]).filter((t) => t.to === stage).length;
}

describe('SendTaskSuccess failing for real (throttled by the Step Functions endpoint)', () => {
  it('transiently: the SDK retries it and the book moves on at once, nothing left for the sweeper', async () => {
    const { officer, clerk, bookId, completeEntry } = await bookWaitingInEntry();
    sfnProxy.clear();
    sfnProxy.throttle(2, isSendTaskSuccess);
    await completeEntry();
    const sends = sfnProxy.attempts(isSendTaskSuccess);
    expect(sends.map((s) => s.answered)).toEqual(['throttled', 'throttled', 'forwarded']);
    const book = await waitForStage(clerk, bookId, 'scan');
    expect(book.pendingAction).toBeUndefined();
    expect(await transitionsTo(officer, bookId, 'scan')).toBe(1);
    summary.push(`transient: throttled ×2, delivered on attempt ${sends.length} (waits ${gaps(sends).join(' → ')} ms), 1 transition, 0 pending`);
  });

  it('permanently: the decision and the token stay on the book; a sweep during the outage keeps them; the next sweeps deliver once', async () => {
    const { officer, clerk, bookId, completeEntry } = await bookWaitingInEntry();
    const { getBook } = await import('../../shared/books/book-repo.js');
    const tokenBefore = (await getBook(bookId)).taskToken;
    sfnProxy.clear();
    sfnProxy.throttle(1_000, isSendTaskSuccess);
    // The caller is not failed: the decision is recorded and will be delivered.
    await completeEntry();
    expect(sfnProxy.attempts(isSendTaskSuccess)).toHaveLength(6);
    let book = await getBook(bookId);
    expect(book).toMatchObject({ stage: 'entry', pendingAction: { action: 'completeEntry' } });
    expect(book.taskToken).toBe(tokenBefore);
    expect((await clerk.get(`/books/${bookId}`)).body).toMatchObject({ stage: 'entry', waiting: false, allowedActions: [] });

    const { handler } = await import('../../functions/scheduled/sweep-pending.js');
    const later = new Date(Date.now() + 5 * 60_000).toISOString();
    // Still throttled: the sweep fails to deliver, and loses nothing.
    await handler({ time: later });
    book = await getBook(bookId);
    expect(book.pendingAction?.action).toBe('completeEntry');
    expect(book.taskToken).toBe(tokenBefore);
    const duringOutage = sfnProxy.attempts(isSendTaskSuccess).length;

    // The endpoint recovers; two sweeps run at the same time (schedules can overlap).
    sfnProxy.clear();
    const [a, b] = await Promise.all([handler({ time: later }), handler({ time: later })]);
    expect(a.redriven + b.redriven).toBeGreaterThanOrEqual(1);
    book = await waitForStage(clerk, bookId, 'scan');
    expect(book.pendingAction).toBeUndefined();
    await handler({ time: later });
    await new Promise((r) => setTimeout(r, 300));
    expect(await transitionsTo(officer, bookId, 'scan')).toBe(1);
    const audit = (await officer.get(`/books/${bookId}/history`)).body.audit as { action: string }[];
    expect(audit.filter((e) => e.action === 'action.completeEntry')).toHaveLength(1);
    summary.push(`permanent: 6 attempts then kept (pendingAction + token), a sweep during the outage (${duringOutage - 6} more throttled attempts) kept it, 2 concurrent sweeps + 1 more after recovery → 1 transition, 1 audit entry`);
  });
});
