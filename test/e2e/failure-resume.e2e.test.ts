import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { asUser, waitFor } from '../support/api-client.js';
import { createBook, waitForStage } from '../support/book-flow.js';
import { useLocalStackEnv } from '../support/handler-env.js';

const { env } = useLocalStackEnv();

describe('a failed execution', () => {
  it('records its cause on the book, shows up for ops, and can be resumed once fixed', async () => {
    const officer = await asUser('hotich.binhan');
    const ops = await asUser('vanhanh');
    // A book in good condition without its closing total: the workflow's first state rejects it.
    const bookId = await createBook(officer, { closingTotal: null, physicalCondition: 'good', notes: '' });
    expect((await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(202);
    const failed = await waitFor(async () => {
      const b = (await officer.get(`/books/${bookId}`)).body;
      return b.failure ? b : undefined;
    }, 'failure recorded');
    expect(failed.failure.error).toBe('InventoryInvalid');
    expect(failed.failure.cause).toMatch(/closingTotal/);
    expect(failed.allowedActions).toEqual([]);
    // The recorded decision died with the run: the book no longer says it is moving on.
    expect(failed.pendingAction).toBeUndefined();

    const list = await waitFor(async () => {
      const r = await ops.get('/ops/executions?status=FAILED&limit=100');
      return (r.body.executions as { bookId: string; executionArn: string }[]).find((e) => e.bookId === bookId);
    }, 'FAILED execution listed');
    const hist = await ops.get(`/ops/executions/${encodeURIComponent(list.executionArn)}/history`);
    expect(hist.body.status).toBe('FAILED');
    const events = hist.body.events as { type: string; state?: string; error?: string; cause?: string }[];
    expect(
      events.some((e) => /^(Task|LambdaFunction)Failed$/.test(e.type) && e.error === 'InventoryInvalid'),
      JSON.stringify(events),
    ).toBe(true);
    expect(events.filter((e) => e.type.endsWith('StateEntered')).map((e) => e.state)).toEqual(['ValidateInventory', 'RecordFailure', 'Failed']);
    const audit = (await officer.get(`/books/${bookId}/history`)).body.audit as { action: string }[];
    expect(audit.map((e) => e.action)).toContain('workflow.failed');

    // Only ops may resume.
    expect((await officer.post(`/ops/books/${bookId}/resume`)).status).toBe(403);

    // The inventory is corrected (data fix), then ops resume: a second execution, which now passes.
    const { ddb } = await import('../../shared/aws/clients.js');
    const Key = { PK: `BOOK#${bookId}`, SK: 'BOOK' };
    const item = (await ddb.send(new GetCommand({ TableName: env.TABLE_NAME, Key }))).Item!;
    await ddb.send(new PutCommand({ TableName: env.TABLE_NAME, Item: { ...item, closingTotal: 120, version: item.version + 1 } }));
    const resumed = await ops.post(`/ops/books/${bookId}/resume`);
    expect(resumed.status).toBe(202);
    const book = await waitForStage(officer, bookId, 'entry');
    expect(book.failure).toBeUndefined();
    expect(book.executionSeq).toBe(2);
    const all = await ops.get('/ops/executions?limit=100');
    const mine = (all.body.executions as { bookId: string; name: string; status: string }[]).filter((e) => e.bookId === bookId);
    expect(mine.map((e) => `${e.name}:${e.status}`).sort()).toEqual([`${bookId}-1:FAILED`, `${bookId}-2:RUNNING`]);
  });
});
