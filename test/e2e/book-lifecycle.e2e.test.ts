import { describe, expect, it } from 'vitest';
import { act, actors, bookWithRecords, createBook, deliverScans, reviewAllOk, uploadEntry, waitForStage } from '../support/book-flow.js';

describe('a book travels every stage on the local stack', () => {
  it('inventory → entry → scan → review → approval → reconciliation → completed, with history and execution trail', async () => {
    const a = await actors();
    // A guardianship book: its records name no one to look up in the population register, so
    // reconciliation has nothing to wait for (birth books wait for the police's extract).
    const quyenSo = `${Math.floor(Math.random() * 9000) + 1}/2018`;
    const bookId = await createBook(a.officer, { registerType: 'GH', quyenSo, yearOpened: 2018, closingTotal: 2 });
    const created = await a.officer.get(`/books/${bookId}`);
    expect(created.body).toMatchObject({ stage: 'inventory', allowedActions: ['startDigitisation'], waiting: false });
    expect(created.body).not.toHaveProperty('taskToken');

    await act(a.officer, bookId, 'startDigitisation');
    const inEntry = await waitForStage(a.clerk, bookId, 'entry');
    expect(inEntry.allowedActions).toEqual([]);
    await uploadEntry(a.clerk, bookId, { quyenSo, yearOpened: 2018, registerType: 'GH' }, 2);
    await waitForStage(a.contractor, bookId, 'scan');
    await deliverScans(a.contractor, bookId, ['1/2018', '2/2018']);
    const inReview = await waitForStage(a.officer, bookId, 'review');
    expect(inReview.allowedActions).toEqual(['passReview', 'returnToEntry', 'returnToScan']);
    await reviewAllOk(a.officer, bookId, ['1/2018', '2/2018']);
    await waitForStage(a.officer2, bookId, 'approval');
    await act(a.officer2, bookId, 'approve');
    const done = await waitForStage(a.officer, bookId, 'completed');
    expect(done.allowedActions).toEqual([]);

    // Book history: one transition per stage, each with who and when.
    const history = await a.officer.get(`/books/${bookId}/history`);
    expect(history.status).toBe(200);
    const transitions = history.body.transitions as { from: string; to: string; by: string; at: string }[];
    expect(transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      'inventory>entry',
      'entry>scan',
      'scan>review',
      'review>approval',
      'approval>reconciliation',
      'reconciliation>completed',
    ]);
    expect(transitions.map((t) => t.by).slice(0, 5)).toEqual(['hotich.binhan', 'nhaplieu.binhan', 'scan.binhan', 'hotich.binhan', 'hotich2.binhan']);
    for (const t of transitions) expect(Date.parse(t.at)).toBeGreaterThan(Date.parse(created.body.createdAt) - 1);
    const actions = (history.body.audit as { action: string }[]).map((e) => e.action);
    expect(actions.filter((x) => x.startsWith('action.'))).toHaveLength(6);
    for (const x of ['entry.accepted', 'scan.complete', 'action.completeReconciliation']) expect(actions).toContain(x);
    expect(actions[0]).toBe('book.inventoried');

    // Exactly one execution for this run, and its history lists each stage's wait state.
    const list = await a.ops.get('/ops/executions?limit=100');
    expect(list.status).toBe(200);
    const mine = (list.body.executions as { bookId: string; status: string; executionArn: string }[]).filter((e) => e.bookId === bookId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.status).toBe('SUCCEEDED');
    const exec = await a.ops.get(`/ops/executions/${encodeURIComponent(mine[0]!.executionArn)}/history`);
    expect(exec.status).toBe(200);
    const entered = (exec.body.events as { type: string; state?: string }[]).filter((e) => e.type.endsWith('StateEntered')).map((e) => e.state);
    for (const s of ['ValidateInventory', 'WaitEntry', 'WaitScan', 'WaitReview', 'WaitApproval', 'WaitReconciliation', 'Complete']) {
      expect(entered).toContain(s);
    }
    expect(entered.length).toBeLessThanOrEqual(20);
  });

  it('review can send a book back to entry with a reason, and the book shows why', async () => {
    const { a, bookId } = await bookWithRecords(1);
    await deliverScans(a.contractor, bookId, ['1/2018']);
    await waitForStage(a.officer, bookId, 'review');
    const noReason = await a.officer.post(`/books/${bookId}/actions`, { action: 'returnToEntry' });
    expect(noReason.status).toBe(400);
    await act(a.officer, bookId, 'returnToEntry', 'Sai ngày đăng ký ở các dòng 12, 15');
    const back = await waitForStage(a.clerk, bookId, 'entry');
    expect(back.lastReturn).toMatchObject({ from: 'review', action: 'returnToEntry', reason: 'Sai ngày đăng ký ở các dòng 12, 15', by: 'hotich.binhan' });
    expect(back.allowedActions).toEqual([]);
  });
});
