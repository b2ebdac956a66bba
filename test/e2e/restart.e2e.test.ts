import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asUser, newBookInventory, waitFor } from '../support/api-client.js';
import { deliverScans, uploadEntry } from '../support/book-flow.js';
import { repoRoot, type StackProcess, startStackProcess } from '../support/stack-process.js';

/** Its own stack (own data dir), stopped with SIGINT mid-workflow and started again on the same data. */
describe('stopping the local stack mid-workflow', () => {
  const dataDir = path.join(repoRoot, '.local', `restart-${process.pid}`);
  let stack: StackProcess | undefined;
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the book continues from its stage and ops see the old and the new execution', async () => {
    stack = await startStackProcess({ LOCAL_DATA_DIR: dataDir });
    let api = stack.info.urls.api;
    const officer = await asUser('hotich.binhan', api);
    const clerk = await asUser('nhaplieu.binhan', api);
    const quyenSo = `${Math.floor(Math.random() * 9000) + 1}/2018`;
    const created = await officer.post('/books', newBookInventory({ quyenSo, yearOpened: 2018, closingTotal: 1 }));
    expect(created.status).toBe(201);
    const bookId = created.body.bookId as string;
    expect((await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(202);
    await waitFor(async () => ((await clerk.get(`/books/${bookId}`)).body.waiting ? true : undefined), 'entry');
    await uploadEntry(clerk, bookId, { quyenSo, yearOpened: 2018 }, 1);
    await waitFor(async () => {
      const b = (await clerk.get(`/books/${bookId}`)).body;
      return b.stage === 'scan' && b.waiting ? true : undefined;
    }, 'scan');

    expect(await stack.stop()).toBe(0);
    stack = await startStackProcess({ LOCAL_DATA_DIR: dataDir });
    api = stack.info.urls.api;
    expect(stack.info.resumed).toContain(bookId);

    const contractor = await asUser('scan.binhan', api);
    const ops = await asUser('vanhanh', api);
    const resumed = await waitFor(async () => {
      const b = (await contractor.get(`/books/${bookId}`)).body;
      return b.stage === 'scan' && b.waiting ? b : undefined;
    }, 'scan after restart');
    expect(resumed.executionSeq).toBe(2);
    expect(resumed.allowedActions).toEqual([]);
    await deliverScans(contractor, bookId, ['1/2018']);
    const officer2 = await asUser('hotich.binhan', api);
    await waitFor(async () => {
      const b = (await officer2.get(`/books/${bookId}`)).body;
      return b.stage === 'review' && b.waiting ? true : undefined;
    }, 'review after restart');

    const list = await ops.get('/ops/executions?limit=100');
    const mine = (list.body.executions as { bookId: string; status: string; name: string }[]).filter((e) => e.bookId === bookId);
    expect(mine.map((e) => `${e.name}:${e.status}`).sort()).toEqual([`${bookId}-1:ABORTED`, `${bookId}-2:RUNNING`]);
    const aborted = await ops.get('/ops/executions?status=ABORTED');
    expect((aborted.body.executions as { bookId: string }[]).some((e) => e.bookId === bookId)).toBe(true);

    // Resume guard: a second execution while one is running is refused.
    const again = await ops.post(`/ops/books/${bookId}/resume`);
    expect(again.status).toBe(409);
    const history = await officer2.get(`/books/${bookId}/history`);
    expect((history.body.audit as { action: string; actor: { username: string } }[]).filter((e) => e.action === 'workflow.resumed')).toHaveLength(1);
  }, 300_000);
});
