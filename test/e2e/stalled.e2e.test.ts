import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asUser, newBookInventory, waitFor } from '../support/api-client.js';
import { uploadEntry } from '../support/book-flow.js';
import { repoRoot, type StackProcess, startStackProcess } from '../support/stack-process.js';

/** Its own stack whose clock runs the 14-day stage timeout in about 1.5 s. */
describe('a stage that waits past its timeout', () => {
  const dataDir = path.join(repoRoot, '.local', `stalled-${process.pid}`);
  let stack: StackProcess | undefined;
  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('flags the book stalled (audited), keeps waiting with a fresh token, and the book can still move on', async () => {
    const timeScale = 1500 / (14 * 86400);
    stack = await startStackProcess({ LOCAL_DATA_DIR: dataDir, LOCAL_TIME_SCALE: String(timeScale) });
    const api = stack.info.urls.api;
    const officer = await asUser('hotich.binhan', api);
    const clerk = await asUser('nhaplieu.binhan', api);
    const quyenSo = `${Math.floor(Math.random() * 9000) + 1}/2018`;
    const bookId = (await officer.post('/books', newBookInventory({ quyenSo, yearOpened: 2018, closingTotal: 1 }))).body.bookId as string;
    expect((await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(202);

    const stalled = await waitFor(
      async () => {
        const b = (await clerk.get(`/books/${bookId}`)).body;
        return b.stalled?.escalations >= 2 && b.waiting ? b : undefined;
      },
      'two escalations',
      15_000,
    );
    expect(stalled.stage).toBe('entry');
    expect(Date.parse(stalled.stalled.since)).toBeLessThanOrEqual(Date.now());
    const audit = (await officer.get(`/books/${bookId}/history`)).body.audit as { action: string; after: { stage: string } }[];
    const escalations = audit.filter((e) => e.action === 'stage.stalled');
    expect(escalations.length).toBeGreaterThanOrEqual(2);
    expect(escalations[0]!.after.stage).toBe('entry');

    await uploadEntry(clerk, bookId, { quyenSo, yearOpened: 2018 }, 1);
    await waitFor(
      async () => {
        const b = (await clerk.get(`/books/${bookId}`)).body;
        return b.stage === 'scan' ? b : undefined;
      },
      'scan',
      15_000,
    );
    const transitions = (await officer.get(`/books/${bookId}/history`)).body.transitions as { to: string }[];
    expect(transitions.map((t) => t.to)).toEqual(['entry', 'scan']);
  }, 300_000);
});
