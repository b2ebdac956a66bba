import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { asUser, newBookInventory, stackUrls, waitFor } from '../support/api-client.js';
import { createBook, waitForStage } from '../support/book-flow.js';
import { useLocalStackEnv } from '../support/handler-env.js';

const { env } = useLocalStackEnv();

/**
 * Issue 9 §5: every API and scheduled mutation delivered 3× at once has the effect of one delivery.
 * (S3-triggered duplicates: `uploads.e2e` and `scans.e2e` deliver each notification 3×.)
 * The figures are printed for docs/reliability.md.
 */
const COPIES = 3;
const figures: { mutation: string; delivered: number; effects: number }[] = [];
const thrice = <T>(send: () => Promise<T>) => Promise.all(Array.from({ length: COPIES }, send));
const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();

afterAll(() => {
  for (const f of figures) console.log(`duplicates: ${f.mutation}: ${f.delivered} delivered, ${f.effects} effect(s)`);
});

describe('the same mutation delivered 3× concurrently', () => {
  it('POST /books: one book, one audit entry', async () => {
    const officer = await asUser('hotich.binhan');
    const inventory = newBookInventory();
    const rs = await thrice(() => officer.post('/books', inventory));
    expect(statuses(rs)).toEqual([201, 409, 409]);
    const created = rs.find((r) => r.status === 201)!.body.bookId as string;
    const conflict = rs.find((r) => r.status === 409)!.body;
    expect(conflict.message).toMatch(/[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i);
    const books = ((await officer.get('/books?unit=90101')).body as { bookId: string }[]).filter((b) => b.bookId === created);
    expect(books).toHaveLength(1);
    const audit = (await officer.get(`/books/${created}/history`)).body.audit as { action: string }[];
    expect(audit.filter((e) => e.action === 'book.inventoried')).toHaveLength(1);
    figures.push({ mutation: 'POST /books', delivered: COPIES, effects: books.length });
  });

  it('POST /books/{id}/actions: one transition, one execution', async () => {
    const officer = await asUser('hotich.binhan');
    const clerk = await asUser('nhaplieu.binhan');
    const bookId = await createBook(officer);
    const rs = await thrice(() => officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' }));
    expect(statuses(rs)).toEqual([202, 409, 409]);
    await waitForStage(clerk, bookId, 'entry');
    const history = (await officer.get(`/books/${bookId}/history`)).body as { transitions: { to?: string; stage?: string }[] };
    const toEntry = history.transitions.filter((t) => (t.to ?? t.stage) === 'entry');
    expect(toEntry).toHaveLength(1);
    const ops = await asUser('vanhanh');
    const executions = ((await ops.get('/ops/executions?limit=100')).body.executions as { bookId: string }[]).filter((e) => e.bookId === bookId);
    expect(executions).toHaveLength(1);
    figures.push({ mutation: 'POST /books/{id}/actions', delivered: COPIES, effects: toEntry.length });
  });

  it('POST /ops/books/{id}/resume: one new execution', async () => {
    const officer = await asUser('hotich.binhan');
    const ops = await asUser('vanhanh');
    const bookId = await createBook(officer, { closingTotal: null, physicalCondition: 'good', notes: '' });
    await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' });
    await waitFor(async () => ((await officer.get(`/books/${bookId}`)).body.failure ? true : undefined), 'failure recorded');
    const { ddb } = await import('../../shared/aws/clients.js');
    const Key = { PK: `BOOK#${bookId}`, SK: 'BOOK' };
    const item = (await ddb.send(new GetCommand({ TableName: env.TABLE_NAME, Key }))).Item!;
    await ddb.send(new PutCommand({ TableName: env.TABLE_NAME, Item: { ...item, closingTotal: 120, version: item.version + 1 } }));
    const rs = await thrice(() => ops.post(`/ops/books/${bookId}/resume`));
    expect(statuses(rs)).toEqual([202, 409, 409]);
    await waitForStage(officer, bookId, 'entry');
    const mine = ((await ops.get('/ops/executions?limit=100')).body.executions as { bookId: string; status: string }[]).filter((e) => e.bookId === bookId);
    expect(mine.map((e) => e.status).sort()).toEqual(['FAILED', 'RUNNING']);
    figures.push({ mutation: 'POST /ops/books/{id}/resume', delivered: COPIES, effects: mine.length - 1 });
  });

  it('the weekly run (schedule or POST /reports/weekly/run): one email per district', async () => {
    const ops = await asUser('vanhanh');
    const week = '2025-W23';
    const all = async () => ((await (await fetch(`${stackUrls().api}/dev/mail`)).json()) as { emails: { destination: { to: string[] } }[] }).emails;
    const before = (await all()).length;
    const rs = await thrice(() => ops.post('/reports/weekly/run', { week }));
    expect(statuses(rs)).toEqual([202, 202, 202]);
    await waitFor(
      async () => {
        const r = (await ops.get(`/reports/weekly?week=${week}`)).body.reports as { unitCode: string; status: string }[];
        return r.filter((x) => ['901', '902'].includes(x.unitCode) && x.status === 'sent').length === 2 && r.find((x) => x.unitCode === 'VN')?.status === 'sent'
          ? true
          : undefined;
      },
      'the week sent',
      90_000,
    );
    // Let the other runs finish too, then count.
    const sfn = new SFNClient({});
    await waitFor(
      async () => {
        const states = await Promise.all(rs.map((r) => sfn.send(new DescribeExecutionCommand({ executionArn: r.body.executionArn }))));
        return states.every((x) => x.status === 'SUCCEEDED') ? true : undefined;
      },
      'all three runs succeeded',
      120_000,
    );
    const sent = (await all()).slice(before);
    const to901 = sent.filter((m) => m.destination.to.includes('phongtuphap.binhminh@demo.hotich.vn'));
    expect(to901).toHaveLength(1);
    const reports = (await ops.get(`/reports/weekly?week=${week}`)).body.reports as { unitCode: string; attempts: number }[];
    expect(reports.find((r) => r.unitCode === '901')?.attempts).toBe(1);
    figures.push({ mutation: 'weekly run', delivered: COPIES, effects: to901.length });
  });
});
