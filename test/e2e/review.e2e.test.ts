import { describe, expect, it } from 'vitest';
import { act, bookWithRecords, deliverScans, waitForStage } from '../support/book-flow.js';
import { useLocalStackEnv } from '../support/handler-env.js';

useLocalStackEnv();

/** A book in Review holding `n` records, each with its scan. */
async function bookInReview(n: number) {
  const { a, bookId } = await bookWithRecords(n);
  await deliverScans(
    a.contractor,
    bookId,
    Array.from({ length: n }, (_, i) => `${i + 1}/2018`),
  );
  await waitForStage(a.officer, bookId, 'review');
  return { a, bookId };
}

describe('review', () => {
  it('the queue shows books in review oldest first and who holds them; a second reviewer cannot claim', async () => {
    const { a, bookId } = await bookInReview(2);
    const queue = await a.officer.get('/review/queue');
    expect(queue.status).toBe(200);
    const mine = (queue.body as { bookId: string; heldBy: unknown }[]).find((b) => b.bookId === bookId);
    expect(mine?.heldBy).toBeNull();
    const waiting = (queue.body as { waitingSince: string }[]).map((b) => b.waitingSince);
    expect(waiting).toEqual([...waiting].sort());
    expect((await a.officer.post(`/books/${bookId}/review/claim`)).status).toBe(200);
    const other = await a.officer2.post(`/books/${bookId}/review/claim`);
    expect(other.status).toBe(409);
    expect(other.body.details.heldBy).toBe('hotich.binhan');
    const after = (await a.officer2.get('/review/queue')).body.find((b: { bookId: string }) => b.bookId === bookId);
    expect(after.heldBy.username).toBe('hotich.binhan');
    const version = (await a.officer2.get(`/books/${bookId}/records/1-2018`)).body.version;
    expect((await a.officer2.call('PATCH', `/books/${bookId}/records/1-2018`, { version, status: 'ok' })).status).toBe(409);
    expect((await a.officer.post(`/books/${bookId}/review/release`)).status).toBe(200);
    expect((await a.officer2.post(`/books/${bookId}/review/claim`)).status).toBe(200);
  });

  it('corrections keep field, before, after, reason, who and when; pass needs every record reviewed; the keyer and reviewer cannot approve', async () => {
    const { a, bookId } = await bookInReview(3);
    type Rates = { clerks: { userId: string; reviewed: number; errors: number; byReason: Record<string, number> }[] };
    const clerkOf = (r: Rates) => r.clerks.find((c) => c.userId === 'u-clerk-1') ?? { reviewed: 0, errors: 0, byReason: {} as Record<string, number> };
    const ratesBefore = clerkOf((await a.district.get('/quality/error-rates?unit=901')).body);
    await a.officer.post(`/books/${bookId}/review/claim`);
    const rec = await a.officer.get(`/books/${bookId}/records/1%2F2018`);
    expect(rec.status).toBe(200);
    expect(rec.body.requiredInReview).toBe(true);
    const fixed = await a.officer.call('PATCH', `/books/${bookId}/records/1-2018`, {
      version: rec.body.version,
      corrections: [{ field: 'nksNgaySinh', value: '12.03.2018', reason: 'WRONG_DATE', note: 'Sổ ghi 12.03' }],
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body.fields.nksNgaySinh).toBe('12.03.2018');
    expect(fixed.body.corrections[0]).toMatchObject({
      field: 'nksNgaySinh',
      before: rec.body.fields.nksNgaySinh,
      after: '12.03.2018',
      reason: 'WRONG_DATE',
      by: { username: 'hotich.binhan' },
    });
    const v = async (so: string) => (await a.officer.get(`/books/${bookId}/records/${so}`)).body.version as number;
    const badField = await a.officer.call('PATCH', `/books/${bookId}/records/2-2018`, {
      version: await v('2-2018'),
      corrections: [{ field: 'notAColumn', value: 'x', reason: 'TYPO' }],
    });
    expect(badField.status).toBe(400);
    const badReason = await a.officer.call('PATCH', `/books/${bookId}/records/2-2018`, {
      version: await v('2-2018'),
      corrections: [{ field: 'nksHoTen', value: 'x', reason: 'BECAUSE' }],
    });
    expect(badReason.status).toBe(400);

    const early = await a.officer.post(`/books/${bookId}/actions`, { action: 'passReview' });
    expect(early.status).toBe(409);
    expect(early.body.details.pending).toEqual(['2/2018', '3/2018']);
    for (const so of ['2-2018', '3-2018'])
      expect((await a.officer.call('PATCH', `/books/${bookId}/records/${so}`, { version: await v(so), status: 'ok' })).status).toBe(200);
    await act(a.officer, bookId, 'passReview');
    await waitForStage(a.officer2, bookId, 'approval');

    const byReviewer = await a.officer.post(`/books/${bookId}/actions`, { action: 'approve' });
    expect(byReviewer.status).toBe(403);
    await act(a.officer2, bookId, 'approve');
    await waitForStage(a.police, bookId, 'reconciliation');

    const history = (await a.officer.get(`/books/${bookId}/history`)).body.audit as { action: string; actor: { username: string }; before: any; after: any }[];
    const corrected = history.find((e) => e.action === 'record.corrected')!;
    expect(corrected.before.fields.nksNgaySinh).toBe(rec.body.fields.nksNgaySinh);
    expect(corrected.after.fields.nksNgaySinh).toBe('12.03.2018');
    for (const action of ['review.claimed', 'record.reviewed', 'action.passReview', 'action.approve']) expect(history.map((e) => e.action)).toContain(action);

    const rates = await a.district.get('/quality/error-rates?unit=901');
    expect(rates.status).toBe(200);
    const clerk = clerkOf(rates.body);
    expect(clerk.reviewed - ratesBefore.reviewed).toBe(3);
    expect(clerk.errors - ratesBefore.errors).toBe(1);
    expect((clerk.byReason.WRONG_DATE ?? 0) - (ratesBefore.byReason.WRONG_DATE ?? 0)).toBe(1);
    expect(rates.body.byReason.WRONG_DATE).toBeGreaterThanOrEqual(1);
  });

  it('50 concurrent conflicting edits of one record: each version accepted once, the rest 409, no lost update', async () => {
    const { a, bookId } = await bookInReview(1);
    await a.officer.post(`/books/${bookId}/review/claim`);
    const start = (await a.officer.get(`/books/${bookId}/records/1-2018`)).body.version as number;
    let version = start;
    let accepted = 0;
    let conflicts = 0;
    const values: string[] = [];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          a.officer.call('PATCH', `/books/${bookId}/records/1-2018`, {
            version,
            corrections: [{ field: 'nksHoTen', value: `Tên ${round}-${i}`, reason: 'TYPO' }],
          }),
        ),
      );
      const ok = results.filter((r) => r.status === 200);
      const bad = results.filter((r) => r.status === 409);
      expect(ok).toHaveLength(1);
      expect(bad).toHaveLength(9);
      for (const r of bad) expect(r.body.details.currentVersion).toBeGreaterThanOrEqual(version);
      accepted += ok.length;
      conflicts += bad.length;
      values.push(ok[0]!.body.fields.nksHoTen);
      version = ok[0]!.body.version;
    }
    expect(accepted + conflicts).toBe(50);
    const final = await a.officer.get(`/books/${bookId}/records/1-2018`);
    expect(final.body.version).toBe(start + 5);
    expect(final.body.fields.nksHoTen).toBe(values.at(-1));
    expect(final.body.corrections.map((c: { after: string }) => c.after)).toEqual(values);
  });
});
