/**
 * The weekly report on the running local stack: books in several stages (with records, scans, a review
 * correction and reconciliation outcomes) → run a week → one email per district with its workbook →
 * the workbook's figures equal a recount from the stored books and records → frozen: a later change does
 * not move them and a second run sends nothing → concurrent runs start one execution → the post-2025
 * structure reports to the province's groups.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { subjectsOf } from '../../shared/reconciliation/subjects.js';
import type { BookRecord } from '../../shared/records/record.js';
import { isSettled } from '../../shared/records/record.js';
import { stageTitles } from '../../shared/workflow/stages.js';
import { asUser, stackUrls, waitFor } from '../support/api-client.js';
import { act, actors, actorsIn, bookWithRecords, createBook, deliverScans, reviewRecords, waitForStage } from '../support/book-flow.js';
import { useLocalStackEnv } from '../support/handler-env.js';
import { postForm } from '../support/scan-files.js';

const { env } = useLocalStackEnv();

interface Mail {
  subject: string;
  destination: { to: string[] };
  attachments?: { filename: string; content: string; contentType?: string }[];
}
type Stage = keyof typeof stageTitles;
type Client = Awaited<ReturnType<typeof asUser>>;
interface Sent {
  unitCode: string;
  kind: string;
  status: string;
  attempts: number;
  s3Key: string;
  messageId?: string;
  recipients: string[];
  generatedAt: string;
  snapshotAt?: string;
}

/** The weekly-report emails of one week (other tests send other mail on the same stack meanwhile). */
async function mails(week = WEEK): Promise<Mail[]> {
  const all = ((await (await fetch(`${stackUrls().api}/dev/mail`)).json()) as { emails: Mail[] }).emails;
  return all.filter((m) => m.subject.startsWith(`Báo cáo tiến độ số hóa sổ hộ tịch tuần ${week} `));
}

/** The pre-2025 structure reports by district; a week before the 1/7/2025 merger exercises it. */
const WEEK = '2025-W20';
const DISTRICT_MAIL = { '901': 'phongtuphap.binhminh@demo.hotich.vn', '902': 'phongtuphap.phuloc@demo.hotich.vn' } as const;

async function sentReports(ops: Client, week: string): Promise<Sent[]> {
  return (await ops.get(`/reports/weekly?week=${week}`)).body.reports as Sent[];
}

/** Runs `week` and waits until each of `units` has a sent record from a run newer than `after`. */
async function runAndWait(ops: Client, week: string, units: string[], after = '') {
  const run = await ops.post('/reports/weekly/run', { week });
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  const national = await waitFor(
    async () => {
      const reports = await sentReports(ops, week);
      const done = units.every((u) => reports.some((r) => r.unitCode === u && r.status === 'sent' && r.generatedAt > after));
      const vn = reports.find((r) => r.unitCode === 'VN');
      return done && vn && vn.generatedAt > after ? reports : undefined;
    },
    `${week}: ${units.join(', ')} and the national report`,
    90_000,
  );
  return { run: run.body as { executionArn: string; alreadyRunning: boolean }, reports: national };
}

async function workbookOf(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  return wb;
}

/** A table sheet's rows as header → value maps, keyed by the value of `keyHeader`. */
function tableOf(wb: ExcelJS.Workbook, sheetName: string, keyHeader: string): Map<string, Record<string, unknown>> {
  const sheet = wb.getWorksheet(sheetName);
  expect(sheet, sheetName).toBeDefined();
  let headerRow = 0;
  sheet!.eachRow((row, n) => {
    if (!headerRow && (row.values as unknown[]).includes(keyHeader)) headerRow = n;
  });
  expect(headerRow, `${sheetName}: header ${keyHeader}`).toBeGreaterThan(0);
  const headers = (sheet!.getRow(headerRow).values as unknown[]).map((v) => String(v ?? ''));
  const out = new Map<string, Record<string, unknown>>();
  for (let n = headerRow + 1; n <= sheet!.rowCount; n++) {
    const row = sheet!.getRow(n);
    const entry: Record<string, unknown> = {};
    headers.forEach((h, i) => {
      if (h) entry[h] = row.getCell(i).value;
    });
    const key = entry[keyHeader];
    if (key !== null && key !== undefined && key !== '') out.set(String(key), entry);
  }
  return out;
}

/** The Summary sheet's "this week" column by label. */
function summaryOf(wb: ExcelJS.Workbook): Map<string, unknown> {
  const sheet = wb.getWorksheet('Tổng hợp')!;
  const out = new Map<string, unknown>();
  sheet.eachRow((row) => {
    const label = row.getCell(1).value;
    if (typeof label === 'string') out.set(label, row.getCell(2).value);
  });
  return out;
}

async function allRecordsOf(c: Client, bookId: string): Promise<BookRecord[]> {
  const out: BookRecord[] = [];
  let cursor: string | undefined;
  do {
    const r = await c.get(`/books/${bookId}/records?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status).toBe(200);
    out.push(...(r.body.records as BookRecord[]));
    cursor = r.body.cursor;
  } while (cursor);
  return out;
}

const reviewedFrom: Stage[] = ['approval', 'reconciliation', 'completed'];
const approvedFrom: Stage[] = ['reconciliation', 'completed'];

/**
 * A commune's figures recounted from what is stored, by the rules the report documents
 * (docs/weekly-reports.md): records listed one by one, scans attached to records, review and approval
 * by the book's stage, reconciliation from each person's stored outcome.
 */
async function recount(c: Client, commune: string) {
  const books = (await c.get(`/books?unit=${commune}`)).body as { bookId: string; stage: Stage; closingTotal: number | null }[];
  const f = {
    books: books.length,
    byStage: Object.fromEntries(Object.keys(stageTitles).map((s) => [s, books.filter((b) => b.stage === s).length])) as Record<Stage, number>,
    expected: 0,
    entered: 0,
    scanned: 0,
    reviewed: 0,
    approved: 0,
    reconciled: 0,
    matched: 0,
    mismatch: 0,
    notFound: 0,
    resolved: 0,
  };
  for (const b of books) {
    const records = b.stage === 'inventory' ? [] : await allRecordsOf(c, b.bookId);
    f.expected += Math.max(b.closingTotal ?? 0, records.length);
    f.entered += records.length;
    f.scanned += records.filter((r) => r.scan).length;
    if (reviewedFrom.includes(b.stage)) f.reviewed += records.length;
    if (approvedFrom.includes(b.stage)) f.approved += records.length;
    for (const r of records) {
      const people = subjectsOf(r);
      const results = r.reconciliation ?? [];
      const settled = people.filter((p) => results.some((x) => x.key === p.key && isSettled(x))).length;
      if (b.stage === 'completed' || (b.stage === 'reconciliation' && settled === people.length)) f.reconciled++;
      for (const x of results) {
        if (x.outcome === 'MATCHED') f.matched++;
        if (x.outcome === 'MISMATCH') f.mismatch++;
        if (x.outcome === 'NOT_FOUND') f.notFound++;
        if (x.outcome !== 'MATCHED' && isSettled(x)) f.resolved++;
      }
    }
  }
  return f;
}

/**
 * This test's books are in 90103 (Xã Tân Hòa), which no other test writes to: the figures are recounted
 * from what is stored after the run, so nothing may move them meanwhile. (90101 and 90102 are checked for
 * consistency only: other test files change their books while this one runs.)
 */
const COMMUNE = '90103';

/** The police's extract of 90103: the first child exactly, the second with day and month swapped; the third absent. */
const extractCsv = [
  'SoDinhDanh;HoTen;GioiTinh;NgaySinh;HoTenCha;NamSinhCha;HoTenMe;NamSinhMe;SoCMND;NoiCuTru',
  '001318000511;Hoàng Thị Ngọc Ánh;2;03.02.2018;Hoàng Văn Quý;1984;Bùi Thị Thu;1987;;Xã Tân Hòa',
  '001218000522;Lương Đức Trí;1;09.04.2018;Lương Văn Hải;1981;Đinh Thị Mơ;1985;;Xã Tân Hòa',
].join('\n');

const people = [
  {
    nksHoTen: 'Hoàng Thị Ngọc Ánh',
    nksGioiTinh: '2',
    nksNgaySinh: '03.02.2018',
    chaHoTen: 'Hoàng Văn Quý',
    chaNgaySinh: '1984',
    meHoTen: 'Bùi Thị Thu',
    meNgaySinh: '1987',
  },
  {
    nksHoTen: 'Lương Đức Trí',
    nksGioiTinh: '1',
    nksNgaySinh: '04.09.2018',
    chaHoTen: 'Lương Văn Hải',
    chaNgaySinh: '1981',
    meHoTen: 'Đinh Thị Mơ',
    meNgaySinh: '1985',
  },
  {
    nksHoTen: 'Kiều Minh Châu',
    nksGioiTinh: '2',
    nksNgaySinh: '18.11.2018',
    chaHoTen: 'Kiều Văn Lực',
    chaNgaySinh: '1980',
    meHoTen: 'Tạ Thị Gấm',
    meNgaySinh: '1982',
  },
];

describe('weekly report', () => {
  let a: Awaited<ReturnType<typeof actors>>;
  let t: Awaited<ReturnType<typeof actorsIn>>;
  let ops: Client;
  /** The book this test takes to reconciliation (with a reviewer's correction on the way). */
  let reconciling: string;

  beforeAll(async () => {
    a = await actors();
    t = await actorsIn(COMMUNE, 'tanhoa');
    ops = a.ops;
    const here = { unitCode: COMMUNE, actors: t };
    // 90103: a book in reconciliation (3 records, one corrected in review, outcomes back), one in scan, one in entry.
    const recon = await bookWithRecords(3, (i) => people[i]!, { in: here });
    reconciling = recon.bookId;
    await deliverScans(t.contractor, reconciling, ['1/2018', '2/2018', '3/2018']);
    await waitForStage(t.officer, reconciling, 'review');
    expect((await t.officer.post(`/books/${reconciling}/review/claim`)).status).toBe(200);
    await reviewRecords(t.officer, reconciling, ['1/2018', '2/2018', '3/2018'], { '3/2018': { field: 'nksNoiSinh', value: 'Trạm y tế xã Tân Hòa' } });
    await act(t.officer, reconciling, 'passReview');
    await waitForStage(t.officer2, reconciling, 'approval');
    await act(t.officer2, reconciling, 'approve');
    await waitForStage(t.police, reconciling, 'reconciliation');
    const bytes = Buffer.from(extractCsv, 'utf8');
    const up = await t.police.post(`/units/${COMMUNE}/extracts`, { fileName: 'trich-xuat-tuan.csv', contentType: 'text/csv', size: bytes.length });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect((await postForm(up.body, bytes, 'trich-xuat-tuan.csv', 'text/csv')).status).toBe(204);
    await waitFor(async () => ((await t.police.get(`/books/${reconciling}`)).body.reconciliation?.pending === 0 ? true : undefined), 'matching done');

    await bookWithRecords(2, undefined, { in: here });
    await act(t.officer, await createBook(t.officer, { unitCode: COMMUNE }), 'startDigitisation');
    // 90102: a book still in inventory.
    await createBook(a.otherOfficer, { unitCode: '90102' });
  });

  it('one email per district with the workbook; every figure equals a recount; frozen: a later change moves nothing and a second run sends nothing', async () => {
    const mailBefore = (await mails()).length;
    const { run, reports } = await runAndWait(ops, WEEK, ['901', '902', 'P90']);
    expect(run.executionArn).toMatch(/weekly-reports.*:weekly-2025-W20-all-1$/);
    for (const code of ['901', '902']) {
      const r = reports.find((x) => x.unitCode === code)!;
      // Every send is recorded: unit, recipients, the stored file, SES's message id, the frozen figures' time.
      expect(r).toMatchObject({
        kind: 'district',
        status: 'sent',
        attempts: 1,
        recipients: [DISTRICT_MAIL[code as '901']],
        s3Key: `reports/weekly/${WEEK}/${code}.xlsx`,
      });
      expect(r.messageId).toEqual(expect.any(String));
      expect(r.snapshotAt).toEqual(expect.any(String));
    }
    expect(reports.find((r) => r.unitCode === 'P90')).toMatchObject({ kind: 'provinceRollup', status: 'sent' });

    const newMail = (await mails()).slice(mailBefore);
    const workbooks = new Map<string, ExcelJS.Workbook>();
    for (const [code, to] of Object.entries(DISTRICT_MAIL)) {
      const own = newMail.filter((m) => m.destination.to.includes(to));
      expect(own, code).toHaveLength(1);
      expect(own[0]!.subject).toContain(WEEK);
      const attachment = own[0]!.attachments?.find((x) => x.filename.endsWith('.xlsx'));
      expect(attachment, `${code} workbook attached`).toBeDefined();
      workbooks.set(code, await workbookOf(Buffer.from(attachment!.content, 'base64')));
    }

    // Every figure of 90103 (and of 902's communes) equals a recount from the stored books and records.
    const totals = { entered: 0, scanned: 0, reviewed: 0, approved: 0, reconciled: 0, books: 0 };
    const communes = tableOf(workbooks.get('901')!, 'Theo xã', 'Mã xã');
    const reconciliation = tableOf(workbooks.get('901')!, 'Đối chiếu', 'Mã xã');
    const communes902 = tableOf(workbooks.get('902')!, 'Theo xã', 'Mã xã');
    for (const [commune, row, rec] of [
      [COMMUNE, communes.get(COMMUNE), reconciliation.get(COMMUNE)],
      ...['90201', '90202', '90203'].map((c) => [c, communes902.get(c), tableOf(workbooks.get('902')!, 'Đối chiếu', 'Mã xã').get(c)] as const),
    ] as const) {
      expect(row, commune).toBeDefined();
      // Records are read by commune roles only: an officer of each commune recounts it.
      const f = await recount(commune === COMMUNE ? t.officer : (await actorsIn(commune, `tk${commune}`)).officer, commune);
      expect(row!['Tổng số sổ'], `${commune} books`).toBe(f.books);
      for (const stage of Object.keys(stageTitles) as Stage[]) expect(row![`Sổ: ${stageTitles[stage]}`], `${commune} ${stage}`).toBe(f.byStage[stage]);
      const records = {
        'Bản ghi dự kiến': f.expected,
        'Đã nhập': f.entered,
        'Đã scan': f.scanned,
        'Đã kiểm tra': f.reviewed,
        'Đã phê duyệt': f.approved,
        'Đã đối chiếu': f.reconciled,
      };
      for (const [title, n] of Object.entries(records)) expect(row![`Bản ghi: ${title}`], `${commune} ${title}`).toBe(n);
      // Reconciliation outcomes (no earlier month in this run: month to date = everything so far).
      expect(rec, `${commune} reconciliation row`).toBeDefined();
      expect([rec!.Khớp, rec!['Sai lệch'], rec!['Không tìm thấy']], `${commune} outcomes`).toEqual([f.matched, f.mismatch, f.notFound]);
    }
    // The test's own books are in the figures (the recount is not vacuous).
    const own = communes.get(COMMUNE)!;
    expect(own['Bản ghi: Đã kiểm tra']).toBeGreaterThanOrEqual(3);
    expect(own['Bản ghi: Đã nhập']).toBeGreaterThanOrEqual(5);
    expect(reconciliation.get(COMMUNE)!.Khớp).toBe(1);
    expect(reconciliation.get(COMMUNE)!['Sai lệch']).toBe(1);
    expect(reconciliation.get(COMMUNE)!['Không tìm thấy']).toBe(1);
    // The Summary's totals are the sums of the district's communes.
    for (const commune of ['90101', '90102', '90103']) {
      const row = communes.get(commune)!;
      expect(row, commune).toBeDefined();
      totals.books += Number(row['Tổng số sổ']);
      totals.entered += Number(row['Bản ghi: Đã nhập']);
      totals.scanned += Number(row['Bản ghi: Đã scan']);
      totals.reviewed += Number(row['Bản ghi: Đã kiểm tra']);
      totals.approved += Number(row['Bản ghi: Đã phê duyệt']);
      totals.reconciled += Number(row['Bản ghi: Đã đối chiếu']);
    }
    const summary = summaryOf(workbooks.get('901')!);
    expect(summary.get('Tổng số sổ')).toBe(totals.books);
    for (const [k, title] of [
      ['entered', 'Đã nhập'],
      ['scanned', 'Đã scan'],
      ['reviewed', 'Đã kiểm tra'],
      ['approved', 'Đã phê duyệt'],
      ['reconciled', 'Đã đối chiếu'],
    ] as const) {
      expect(summary.get(`Bản ghi: ${title}`), title).toBe(totals[k]);
    }
    // The reviewer's correction shows as an error rate by reason, in Vietnamese.
    const rates = tableOf(workbooks.get('901')!, 'Tỷ lệ lỗi', 'Mã xã').get(COMMUNE)!;
    expect(rates, `error rates of ${COMMUNE}`).toBeDefined();
    expect(Number(rates['Lỗi đánh máy, chính tả (họ tên, địa danh) (số lỗi)'])).toBe(1);

    // Frozen: a book created after the figures were taken does not move them, and a second run sends nothing.
    await createBook(a.otherOfficer, { unitCode: '90102' });
    const count = (await mails()).length;
    const first = reports.find((r) => r.unitCode === '901')!;
    const second = await runAndWait(ops, WEEK, ['901', '902'], reports.find((r) => r.unitCode === 'VN')!.generatedAt);
    expect(second.run.executionArn).toMatch(/:weekly-2025-W20-all-2$/);
    const again = second.reports.find((r) => r.unitCode === '901')!;
    expect(again).toMatchObject({ status: 'sent', attempts: 1, messageId: first.messageId, snapshotAt: first.snapshotAt });
    expect(again.generatedAt > first.generatedAt).toBe(true);
    expect((await mails()).length).toBe(count);
    const s3 = new S3Client({ region: env.AWS_REGION, forcePathStyle: true });
    const stored = await s3.send(new GetObjectCommand({ Bucket: env.ARCHIVE_BUCKET, Key: again.s3Key }));
    const regenerated = await workbookOf(Buffer.from(await stored.Body!.transformToByteArray()));
    expect(tableOf(regenerated, 'Theo xã', 'Mã xã').get('90102')!['Tổng số sổ']).toBe(communes.get('90102')!['Tổng số sổ']);
    s3.destroy();

    // resend: true for one district sends that district's email again, and only that one.
    const resend = await ops.post('/reports/weekly/run', { week: WEEK, unit: '901', resend: true });
    expect(resend.status).toBe(202);
    await waitFor(async () => ((await mails()).length > count ? true : undefined), 'resent', 60_000);
    await waitFor(
      async () => ((await sentReports(ops, WEEK)).find((r) => r.unitCode === 'P90')!.generatedAt > again.generatedAt ? true : undefined),
      'rollup rebuilt',
      60_000,
    );
    const resent = (await mails()).slice(count);
    expect(resent.map((m) => m.destination.to)).toEqual([[DISTRICT_MAIL['901']]]);
    expect((await sentReports(ops, WEEK)).find((r) => r.unitCode === '901')).toMatchObject({ attempts: 2 });
  });

  it('copies of one request delivered at once start one execution; a different request meanwhile is refused', async () => {
    const week = '2025-W21';
    const count = (await mails(week)).length;
    const copies = await Promise.all([1, 2, 3].map(() => ops.post('/reports/weekly/run', { week })));
    expect(copies.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(new Set(copies.map((r) => r.body.executionArn)).size).toBe(1);
    expect(copies.filter((r) => r.body.alreadyRunning === false)).toHaveLength(1);
    const other = await ops.post('/reports/weekly/run', { week, resend: true });
    expect(other.status).toBe(409);
    expect(other.body.message).toContain('đang được lập');
    await waitFor(async () => ((await sentReports(ops, week)).find((r) => r.unitCode === 'VN')?.status === 'sent' ? true : undefined), `${week} done`, 90_000);
    const sent = (await mails(week)).slice(count);
    for (const to of Object.values(DISTRICT_MAIL))
      expect(
        sent.filter((m) => m.destination.to.includes(to)),
        to,
      ).toHaveLength(1);
    // One execution for the week, and the request audited once: who asked, which run.
    const sfn = new SFNClient({ region: env.AWS_REGION });
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: env.REPORT_STATE_MACHINE_ARN, maxResults: 1000 }));
    expect((listed.executions ?? []).filter((e) => e.name?.startsWith(`weekly-${week}-`)).map((e) => e.name)).toEqual([`weekly-${week}-all-1`]);
    sfn.destroy();
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: env.AWS_REGION }));
    const audit = await ddb.send(
      new QueryCommand({ TableName: env.AUDIT_TABLE_NAME, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `report#${week}#all` } }),
    );
    const requested = (audit.Items ?? []).filter((e) => e.action === 'report.runRequested');
    expect(requested.map((e) => [e.actor.username, e.after.executionName])).toEqual([['vanhanh', `weekly-${week}-all-1`]]);
    ddb.destroy();
  });

  it('after 1/7/2025 the province reports through its configured groups', async () => {
    const week = '2025-W40';
    const count = (await mails(week)).length;
    const { reports } = await runAndWait(ops, week, ['G90N', 'G90S', 'P90']);
    expect(reports.filter((r) => r.kind === 'district')).toEqual([]);
    expect(reports.find((r) => r.unitCode === 'G90N')).toMatchObject({ kind: 'group', recipients: ['cumbac.anhoa@demo.hotich.vn'] });
    const sent = (await mails(week)).slice(count);
    for (const to of ['cumbac.anhoa@demo.hotich.vn', 'cumnam.anhoa@demo.hotich.vn', 'sotuphap.anhoa@demo.hotich.vn']) {
      expect(
        sent.filter((m) => m.destination.to.includes(to)),
        to,
      ).toHaveLength(1);
    }
    // The merged commune 90702 carries the books of its predecessors 90103 and 90201 (both quiet: see COMMUNE).
    const g90n = sent.find((m) => m.destination.to.includes('cumbac.anhoa@demo.hotich.vn'))!;
    const wb = await workbookOf(Buffer.from(g90n.attachments!.find((x) => x.filename.endsWith('.xlsx'))!.content, 'base64'));
    const merged = tableOf(wb, 'Theo xã', 'Mã xã').get('90702')!;
    const viewer = await asUser('sotuphap.anhoa');
    const predecessors = (await viewer.get(`/books?unit=${COMMUNE}`)).body.length + (await viewer.get('/books?unit=90201')).body.length;
    expect(predecessors).toBeGreaterThanOrEqual(3);
    expect(merged['Tổng số sổ']).toBe(predecessors);

    // Province viewers see the groups' records and may filter by a group; a district viewer of the old structure does not.
    const province = await asUser('sotuphap.anhoa');
    const listed = (await province.get(`/reports/weekly?week=${week}`)).body.reports as Sent[];
    expect(listed.map((r) => r.unitCode).sort()).toEqual(['G90N', 'G90S', 'P90']);
    expect((await province.get(`/reports/weekly?week=${week}&unit=G90N`)).body.reports.map((r: Sent) => r.unitCode)).toEqual(['G90N']);
    expect((await a.district.get(`/reports/weekly?week=${week}&unit=G90N`)).status).toBe(403);
  });

  it('only ops may run a week; viewers list only their units', async () => {
    const district = await asUser('tuphap.binhminh');
    expect((await district.post('/reports/weekly/run', { week: WEEK })).status).toBe(403);
    const list = await district.get(`/reports/weekly?week=${WEEK}`);
    expect(list.status).toBe(200);
    const codes = (list.body.reports as { unitCode: string }[]).map((r) => r.unitCode);
    expect(codes).toContain('901');
    expect(codes).not.toContain('902');
    expect(codes).not.toContain('P90');
    expect((await district.get(`/reports/weekly?week=${WEEK}&unit=902`)).status).toBe(403);
  });
});
