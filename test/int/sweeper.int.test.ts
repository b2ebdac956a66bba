import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { asUser } from '../support/api-client.js';
import { createBook, waitForStage } from '../support/book-flow.js';
import { loadEvent, useLocalStackEnv } from '../support/handler-env.js';

const { env } = useLocalStackEnv();

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
