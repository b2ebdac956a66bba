import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { asUser, newBookInventory, stackUrls, waitFor } from '../support/api-client.js';
import { bookWithRecords, createBook, deliverScans, waitForStage } from '../support/book-flow.js';
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

  it('PATCH /books/{id}/records/{so} (a correction): one new version, one correction, one audit entry', async () => {
    const { a, bookId } = await bookWithRecords(2);
    await deliverScans(a.contractor, bookId, ['1/2018', '2/2018']);
    await waitForStage(a.officer, bookId, 'review');
    expect((await a.officer.post(`/books/${bookId}/review/claim`)).status).toBe(200);
    const path = `/books/${bookId}/records/1-2018`;
    const { version } = (await a.officer.get(path)).body as { version: number };
    const body = { version, corrections: [{ field: 'nksNoiSinh', value: 'Trạm y tế xã Bình An', reason: 'TYPO' }] };
    const rs = await thrice(() => a.officer.call('PATCH', path, body));
    expect(statuses(rs)).toEqual([200, 409, 409]);
    const record = (await a.officer.get(path)).body as { version: number; corrections: unknown[] };
    expect(record.version).toBe(version + 1);
    expect(record.corrections).toHaveLength(1);
    const audit = (await a.officer.get(`/books/${bookId}/history`)).body.audit as { action: string }[];
    const corrected = audit.filter((e) => e.action === 'record.corrected');
    expect(corrected).toHaveLength(1);
    figures.push({ mutation: 'PATCH /books/{id}/records/{so}', delivered: COPIES, effects: corrected.length });
  });

  it('PUT /units/{unit}/review-policy: the same policy 3× at once is one change and one audit entry; again later, none', async () => {
    // An administrator on a commune no other test reviews in (a policy changes which records need review).
    const admin = await asUser('quantri');
    const unit = '90203';
    const policy = { mode: 'adaptive', samplePercent: 30 + Math.floor(Math.random() * 60), window: 200, threshold: 0.02, minSample: 10 };
    const rs = await thrice(() => admin.call('PUT', `/units/${unit}/review-policy`, policy));
    expect(statuses(rs)).toEqual([200, 200, 200]);
    expect((await admin.get(`/units/${unit}/review-policy`)).body).toMatchObject(policy);
    const { DynamoDBDocumentClient, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: env.AWS_REGION }));
    const changes = async () =>
      (
        (
          await ddb.send(
            new QueryCommand({ TableName: env.AUDIT_TABLE_NAME, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `unit#${unit}` } }),
          )
        ).Items ?? []
      ).filter((e) => e.action === 'review.policy.set' && e.after?.samplePercent === policy.samplePercent);
    expect(await changes()).toHaveLength(1);
    expect((await admin.call('PUT', `/units/${unit}/review-policy`, policy)).status).toBe(200);
    expect(await changes()).toHaveLength(1);
    ddb.destroy();
    figures.push({ mutation: 'PUT /units/{unit}/review-policy', delivered: COPIES + 1, effects: (await changes()).length });
  });
});
