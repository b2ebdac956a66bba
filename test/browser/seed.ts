/**
 * Test data the ops console needs and no page creates: a book flagged stalled (the 14-day timeout,
 * without waiting), a data fix before a resume, a book whose first execution fails.
 * Call `useLocalStackEnv()` (test/support/handler-env.ts) first.
 */
import { expect } from 'vitest';
import { type asUser, waitFor } from '../support/api-client.js';

type Client = Awaited<ReturnType<typeof asUser>>;

async function bookItem(bookId: string) {
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { ddb } = await import('../../shared/aws/clients.js');
  const Key = { PK: `BOOK#${bookId}`, SK: 'BOOK' };
  return (await ddb.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key }))).Item!;
}

async function putBookItem(item: Record<string, unknown>) {
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { ddb } = await import('../../shared/aws/clients.js');
  await ddb.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: item }));
}

/** Flags a waiting book as stalled, as the stage timeout's escalation does. */
export async function markStalled(bookId: string, escalations = 2) {
  const item = await bookItem(bookId);
  await putBookItem({ ...item, stalled: { since: new Date(Date.now() - 15 * 86400_000).toISOString(), escalations }, version: item.version + 1 });
}

/** Sets inventory fields directly (a data fix before ops resume a failed book). */
export async function patchBook(bookId: string, fields: Record<string, unknown>) {
  const item = await bookItem(bookId);
  await putBookItem({ ...item, ...fields, version: item.version + 1 });
}

/** A book whose first execution fails (good condition, no closing total); resolves when the failure is recorded. */
export async function failedBook(officer: Client, inventory: Record<string, unknown>) {
  const created = await officer.post('/books', inventory);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const bookId = created.body.bookId as string;
  expect((await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(202);
  await waitFor(async () => {
    const b = (await officer.get(`/books/${bookId}`)).body;
    return b.failure ? b : undefined;
  }, `${bookId} failed`);
  return bookId;
}

/**
 * A book waiting in Entry whose execution is then stopped through the Step Functions API (StopExecution,
 * as an operator would in the AWS console): the execution ends ABORTED with this error and cause.
 */
export async function stoppedBook(officer: Client, inventory: Record<string, unknown>, stop: { error: string; cause: string }) {
  const { StopExecutionCommand } = await import('@aws-sdk/client-sfn');
  const { sfn } = await import('../../shared/aws/clients.js');
  const created = await officer.post('/books', inventory);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const bookId = created.body.bookId as string;
  expect((await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(202);
  const book = await waitFor(async () => {
    const b = (await officer.get(`/books/${bookId}`)).body;
    return b.stage === 'entry' && b.waiting ? b : undefined;
  }, `${bookId} waiting in entry`);
  const executionArn = (await bookItem(bookId)).executionArn as string;
  expect(executionArn, JSON.stringify(book)).toMatch(/:execution:/);
  await sfn.send(new StopExecutionCommand({ executionArn, ...stop }));
  return { bookId, executionArn };
}
