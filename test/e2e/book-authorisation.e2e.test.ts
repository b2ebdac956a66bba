import { describe, expect, it } from 'vitest';
import { client } from '../support/api-client.js';
import { actors, createBook, waitForStage } from '../support/book-flow.js';

describe('book routes are authenticated and scoped', () => {
  it('no token or a forged token → 401', async () => {
    expect((await client(undefined).get('/books')).status).toBe(401);
    expect((await client('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm9wZQ').get('/books')).status).toBe(401);
  });

  it('wrong role → 403', async () => {
    const a = await actors();
    const r = await a.clerk.post('/books', { unitCode: '90101' });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('Forbidden');
    expect((await a.officer.get('/ops/executions')).status).toBe(403);
  });

  it('a book of another commune → 404 to read and to act on; its unit → 403 to list or create in', async () => {
    const a = await actors();
    const bookId = await createBook(a.officer);
    expect((await a.otherOfficer.get(`/books/${bookId}`)).status).toBe(404);
    expect((await a.otherOfficer.get(`/books/${bookId}/history`)).status).toBe(404);
    expect((await a.otherOfficer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(404);
    expect((await a.otherOfficer.get('/books?unit=90101')).status).toBe(403);
    const create = await a.otherOfficer.post('/books', { ...(await a.officer.get(`/books/${bookId}`)).body, bookId: undefined });
    expect([400, 403]).toContain(create.status);
    // The district above both communes sees the book.
    const district = await a.district.get(`/books?unit=901`);
    expect(district.status).toBe(200);
    expect((district.body as { bookId: string }[]).some((b) => b.bookId === bookId)).toBe(true);
  });

  it('an action not allowed in the current stage → 409 naming the allowed ones', async () => {
    const a = await actors();
    const bookId = await createBook(a.officer);
    const r = await a.officer.post(`/books/${bookId}/actions`, { action: 'approve' });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('ActionNotAllowed');
    expect(r.body.details).toMatchObject({ stage: 'inventory', allowedActions: ['startDigitisation'] });
    const unknown = await a.officer.post(`/books/${bookId}/actions`, { action: 'deleteEverything' });
    expect(unknown.status).toBe(400);
  });

  it('the same action sent twice, also concurrently → one transition', async () => {
    const a = await actors();
    const bookId = await createBook(a.officer);
    const results = await Promise.all(Array.from({ length: 5 }, () => a.officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })));
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
    await waitForStage(a.clerk, bookId, 'entry');
    expect((await a.officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 300));
    const history = await a.officer.get(`/books/${bookId}/history`);
    expect((history.body.transitions as { to: string }[]).filter((t) => t.to === 'entry')).toHaveLength(1);
    const ops = await a.ops.get('/ops/executions?limit=100');
    expect((ops.body.executions as { bookId: string }[]).filter((e) => e.bookId === bookId)).toHaveLength(1);
    // People cannot take a system transition (entry completes only through a valid upload).
    const manual = await a.clerk.post(`/books/${bookId}/actions`, { action: 'completeEntry' });
    expect(manual.status).toBe(409);
  });

  it('the same book inventoried twice → 409', async () => {
    const a = await actors();
    const bookId = await createBook(a.officer);
    const book = (await a.officer.get(`/books/${bookId}`)).body;
    const again = await a.officer.post('/books', {
      unitCode: book.unitCode,
      registerType: book.registerType,
      quyenSo: book.quyenSo,
      yearOpened: book.yearOpened,
      pageCount: 10,
      closingTotal: 1,
      physicalCondition: 'good',
      custodyLocation: 'x',
    });
    expect(again.status).toBe(409);
  });

  it('malformed bodies get a specific 400 and change nothing', async () => {
    const a = await actors();
    const bad = await a.officer.call('POST', '/books', '{"unitCode": "90101",');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/JSON/);
    const proto = await a.officer.post('/books', JSON.parse('{"__proto__": {"admin": true}, "unitCode": "90101"}'));
    expect(proto.status).toBe(400);
    const wrong = await a.officer.post('/books', { unitCode: '90101', registerType: 'XX', quyenSo: '2018', yearOpened: 'x' });
    expect(wrong.status).toBe(400);
    const paths = (wrong.body.details.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.registerType', 'body.quyenSo', 'body.yearOpened']));
  });
});
