/**
 * Issue 9 §4: every mutating route writes its audit record. One book is walked through every stage in a
 * commune of its own (90703) with every mutating route of the route table, over HTTP; each successful call
 * is then found in the audit table by the request id API Gateway gave it (`apigw-requestid`), with actor,
 * role, unit, time and before/after. The route table decides what "every mutating route" is, so a new
 * route without a step here fails the coverage check.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.js';
import { asUser, callLog, waitFor } from '../support/api-client.js';
import { act, actorsIn, bookWithRecords, createBook, reviewRecords, waitForStage } from '../support/book-flow.js';
import { useLocalStackEnv } from '../support/handler-env.js';
import { pdfFor, postForm, zipOf } from '../support/scan-files.js';

const { env } = useLocalStackEnv();
const COMMUNE = '90703'; // Xã Lộc An (after 1/7/2025): no other test writes to it

const people = [
  {
    nksHoTen: 'Vũ Thị Hạnh',
    nksGioiTinh: '2',
    nksNgaySinh: '11.01.2018',
    chaHoTen: 'Vũ Văn Toàn',
    chaNgaySinh: '1983',
    meHoTen: 'Lý Thị Nga',
    meNgaySinh: '1986',
  },
  {
    nksHoTen: 'Đặng Quốc Bảo',
    nksGioiTinh: '1',
    nksNgaySinh: '02.08.2018',
    chaHoTen: 'Đặng Văn Long',
    chaNgaySinh: '1979',
    meHoTen: 'Mai Thị Hoa',
    meNgaySinh: '1984',
  },
  {
    nksHoTen: 'Châu Ngọc Lan',
    nksGioiTinh: '2',
    nksNgaySinh: '25.12.2018',
    chaHoTen: 'Châu Văn Đức',
    chaNgaySinh: '1981',
    meHoTen: 'Tô Thị Xuân',
    meNgaySinh: '1985',
  },
];
/** Hạnh exactly; Bảo with day and month swapped; Lan absent. */
const extractCsv = [
  'SoDinhDanh;HoTen;GioiTinh;NgaySinh;HoTenCha;NamSinhCha;HoTenMe;NamSinhMe;SoCMND;NoiCuTru',
  '001318000711;Vũ Thị Hạnh;2;11.01.2018;Vũ Văn Toàn;1983;Lý Thị Nga;1986;;Xã Lộc An',
  '001218000722;Đặng Quốc Bảo;1;08.02.2018;Đặng Văn Long;1979;Mai Thị Hoa;1984;;Xã Lộc An',
].join('\n');

const mutating = routeList.filter((r) => r.method !== 'GET');
const routeOf = (method: string, path: string) =>
  mutating.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path.split('?')[0]!));

describe('audit trail: every mutating route', () => {
  it('one book through every stage with every mutating route: each successful call has its audit entry with who, role, unit, when, before/after', async () => {
    const t = await actorsIn(COMMUNE, 'locdien');
    const ops = await asUser('vanhanh');
    const from = callLog.length;

    // CreateBook, BookAction (startDigitisation), CreateUpload (entry workbook).
    const { bookId } = await bookWithRecords(3, (i) => people[i]!, { in: { unitCode: COMMUNE, actors: t } });
    // CreateUpload (scans, multipart) and CompleteUpload.
    const zip = await zipOf(await Promise.all(['1-2018', '2-2018', '3-2018'].map(async (n) => ({ name: `${n}.pdf`, data: await pdfFor(`${bookId} ${n}`) }))));
    const start = await t.contractor.post(`/books/${bookId}/uploads`, {
      kind: 'scans',
      fileName: 'giao.zip',
      contentType: 'application/zip',
      size: zip.length,
      multipart: true,
    });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    for (const p of start.body.multipart.parts as { partNumber: number; url: string }[])
      expect((await fetch(p.url, { method: 'PUT', body: zip })).status).toBe(200);
    expect((await t.contractor.post(`/books/${bookId}/uploads/${start.body.uploadId}/complete`)).status).toBe(202);
    await waitForStage(t.officer, bookId, 'review', 60_000);

    // ClaimReview, ReleaseReview, ReviewRecord (a correction and two OKs), passReview; approve by another officer.
    expect((await t.officer.post(`/books/${bookId}/review/claim`)).status).toBe(200);
    expect((await t.officer.post(`/books/${bookId}/review/release`)).status).toBe(200);
    expect((await t.officer.post(`/books/${bookId}/review/claim`)).status).toBe(200);
    await reviewRecords(t.officer, bookId, ['1/2018', '2/2018', '3/2018'], { '1/2018': { field: 'nksNoiSinh', value: 'Trạm y tế xã Lộc An' } });
    await act(t.officer, bookId, 'passReview');
    await waitForStage(t.officer2, bookId, 'approval');
    await act(t.officer2, bookId, 'approve');
    await waitForStage(t.police, bookId, 'reconciliation', 60_000);

    // ExtractUpload; ResolveMismatch; AssignedIds → completed.
    const bytes = Buffer.from(extractCsv, 'utf8');
    const up = await t.police.post(`/units/${COMMUNE}/extracts`, { fileName: 'trich-xuat.csv', contentType: 'text/csv', size: bytes.length });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect((await postForm(up.body, bytes, 'trich-xuat.csv', 'text/csv')).status).toBe(204);
    await waitFor(async () => ((await t.police.get(`/books/${bookId}`)).body.reconciliation?.pending === 0 ? true : undefined), 'matching done');
    const resolved = await t.police.post(`/books/${bookId}/records/2-2018/resolution`, {
      subject: 'child',
      action: 'acceptCandidate',
      idNumber: '001218000722',
      note: 'Ngày và tháng sinh ghi đảo',
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await t.police.post(`/books/${bookId}/assigned-ids`, { ids: [{ subject: '3/2018#child', idNumber: '001318000799' }] })).status).toBe(200);
    await waitForStage(t.officer, bookId, 'completed');

    // PutReviewPolicy (a real change: full review, another window).
    const policy = { mode: 'full', samplePercent: 20, window: 300 + Math.floor(Math.random() * 4000), threshold: 0.02, minSample: 10 };
    expect((await t.officer.call('PUT', `/units/${COMMUNE}/review-policy`, policy)).status).toBe(200);
    // RunWeeklyReport (a week of its own).
    expect((await ops.post('/reports/weekly/run', { week: '2024-W30', unit: '902' })).status).toBe(202);
    // ResumeBook: a book whose first run failed (no closing total), fixed, then resumed.
    const failing = await createBook(t.officer, { unitCode: COMMUNE, closingTotal: null, physicalCondition: 'good', notes: '' });
    await act(t.officer, failing, 'startDigitisation');
    await waitFor(async () => ((await t.officer.get(`/books/${failing}`)).body.failure ? true : undefined), 'failure recorded');
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: env.AWS_REGION }));
    const Key = { PK: `BOOK#${failing}`, SK: 'BOOK' };
    const item = (await ddb.send(new GetCommand({ TableName: env.TABLE_NAME, Key }))).Item!;
    await ddb.send(new PutCommand({ TableName: env.TABLE_NAME, Item: { ...item, closingTotal: 4, version: item.version + 1 } }));
    expect((await ops.post(`/ops/books/${failing}/resume`)).status).toBe(202);

    // Every successful mutating call, looked up by its request id.
    const calls = callLog.slice(from).filter((c) => c.method !== 'GET' && c.status < 300 && routeOf(c.method, c.path));
    expect(calls.every((c) => c.requestId)).toBe(true);
    const entries: Record<string, any>[] = [];
    let startKey: Record<string, unknown> | undefined;
    const ids = new Set(calls.map((c) => c.requestId));
    do {
      const page = await ddb.send(new ScanCommand({ TableName: env.AUDIT_TABLE_NAME, ExclusiveStartKey: startKey }));
      entries.push(...(page.Items ?? []).filter((e) => ids.has(e.requestId)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    ddb.destroy();
    const problems: string[] = [];
    for (const c of calls) {
      const mine = entries.filter((e) => e.requestId === c.requestId);
      const route = routeOf(c.method, c.path)!;
      if (!mine.length) problems.push(`${route.name} (${c.method} ${c.path} → ${c.status}): no audit entry`);
      for (const e of mine) {
        if (!(e.actor?.username && e.actor?.role && e.actor?.unit && e.at && ('before' in e || 'after' in e)))
          problems.push(`${route.name}: incomplete entry ${e.action}`);
      }
    }
    const covered = new Set(calls.map((c) => routeOf(c.method, c.path)!.name));
    console.log(
      `[audit-per-route] ${calls.length} successful mutating calls on ${covered.size} of ${mutating.length} mutating routes; ${calls.length - problems.length} with their audit entry`,
    );
    expect(problems).toEqual([]);
    expect(mutating.map((r) => r.name).filter((n) => !covered.has(n))).toEqual([]);
  });
});
