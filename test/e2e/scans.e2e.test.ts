import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/api-client.js';
import { bookWithRecords, waitForStage } from '../support/book-flow.js';
import { lambdaContext, loadEvent, useLocalStackEnv } from '../support/handler-env.js';
import { pdfFor, postForm, zipOf } from '../support/scan-files.js';

useLocalStackEnv();
type Client = Awaited<ReturnType<typeof bookWithRecords>>['a']['contractor'];

async function deliver(contractor: Client, bookId: string, bytes: Buffer, fileName: string, contentType: string) {
  const req = await contractor.post(`/books/${bookId}/uploads`, { kind: 'scans', fileName, contentType, size: bytes.length });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  const res = await postForm(req.body, bytes, fileName, contentType);
  expect(res.status).toBe(204);
  return req.body as { uploadId: string; key: string };
}

async function reportOf(contractor: Client, bookId: string, uploadId: string) {
  return waitFor(async () => {
    const r = await contractor.get(`/books/${bookId}/scan-report`);
    return r.status === 200 && r.body.uploadId === uploadId ? r.body : undefined;
  }, `scan report for ${uploadId}`);
}

describe('scan stage', () => {
  it('a complete zip links every PDF to its record and moves the book to Review', async () => {
    const { a, bookId } = await bookWithRecords(3);
    const zip = await zipOf(await Promise.all([1, 2, 3].map(async (i) => ({ name: `${i}-2018.pdf`, data: await pdfFor(`record ${i}`, i) }))));
    const up = await deliver(a.contractor, bookId, zip, 'so-KS-2018.zip', 'application/zip');
    const report = await reportOf(a.contractor, bookId, up.uploadId);
    expect(report.complete).toBe(true);
    expect(report.counts).toMatchObject({ expected: 3, accepted: 3, missing: 0 });
    const book = await waitForStage(a.officer, bookId, 'review');
    expect(book.counts.scans).toBe(3);
    const rec = await a.officer.get(`/books/${bookId}/records/2-2018`);
    expect(rec.body.scan).toMatchObject({ key: `scans/90101/${bookId}/2-2018.pdf`, pages: 2, fileName: '2-2018.pdf' });
    expect(rec.body.scan.sha256).toMatch(/^[0-9a-f]{64}$/);
    const pdf = await fetch(rec.body.scanUrl);
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const history = (await a.officer.get(`/books/${bookId}/history`)).body.transitions as { to: string; by: string }[];
    expect(history.at(-1)).toMatchObject({ to: 'review', by: 'scan.binhan' });
  });

  it('an incomplete delivery stays in Scan with the acceptance report and a notice; the missing files alone complete it', async () => {
    const { a, bookId } = await bookWithRecords(3);
    const zip = await zipOf([
      { name: '1-2018.pdf', data: await pdfFor('one') },
      { name: '2-2018.pdf', data: Buffer.from('this is not a pdf at all') },
      { name: 'extra-99.pdf', data: await pdfFor('orphan') },
    ]);
    const up = await deliver(a.contractor, bookId, zip, 'giao-lan-1.zip', 'application/zip');
    const report = await reportOf(a.contractor, bookId, up.uploadId);
    expect(report.complete).toBe(false);
    expect(report.counts).toMatchObject({ expected: 3, accepted: 1, missing: 2 });
    const byName = Object.fromEntries((report.files as { entryName: string; status: string; reason?: string }[]).map((f) => [f.entryName, f]));
    expect(byName['2-2018.pdf']).toMatchObject({ status: 'rejected', reason: 'NOT_PDF' });
    expect(byName['extra-99.pdf']).toMatchObject({ status: 'orphan' });
    expect(report.missing.map((m: { so: string }) => m.so).sort()).toEqual(['2/2018', '3/2018']);
    const workbook = await fetch(report.reportUrl);
    expect(workbook.status).toBe(200);
    expect(
      Buffer.from(await workbook.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const mail = await waitFor(async () => {
      const r = await fetch(`${(await import('../support/api-client.js')).stackUrls().api}/dev/mail`);
      const emails = ((await r.json()) as { emails: { subject: string; destination: { to: string[] } }[] }).emails;
      return emails.find((e) => e.subject.includes(bookId.split('-')[2]!.replace('.', '/')) || e.subject.includes('chưa đủ')) ? emails : undefined;
    }, 'contractor notice');
    expect(mail.some((e) => e.destination.to.includes('scan.binhan@demo.hotich.vn'))).toBe(true);
    expect((await a.officer.get(`/books/${bookId}`)).body.stage).toBe('scan');

    const fix = await zipOf([
      { name: '2-2018.pdf', data: await pdfFor('two') },
      { name: '3-2018.pdf', data: await pdfFor('three') },
    ]);
    const up2 = await deliver(a.contractor, bookId, fix, 'giao-bo-sung.zip', 'application/zip');
    const report2 = await reportOf(a.contractor, bookId, up2.uploadId);
    expect(report2.complete).toBe(true);
    expect(report2.counts).toMatchObject({ accepted: 2, carriedOver: 1, missing: 0 });
    await waitForStage(a.officer, bookId, 'review');
  });

  it('a single PDF completes a one-record book; the same S3 event delivered 3× concurrently changes nothing', async () => {
    const { a, bookId } = await bookWithRecords(1);
    const up = await deliver(a.contractor, bookId, await pdfFor('only'), '1-2018.pdf', 'application/pdf');
    await reportOf(a.contractor, bookId, up.uploadId);
    await waitForStage(a.officer, bookId, 'review');
    const before = (await a.officer.get(`/books/${bookId}/history`)).body;

    const event = loadEvent('s3/upload-object-created.json');
    const s3Event = JSON.parse(event.Records[0].body);
    s3Event.Records[0].s3.object.key = encodeURIComponent(up.key).replace(/%2F/g, '/').replace(/%20/g, '+');
    event.Records[0].body = JSON.stringify(s3Event);
    const { handler } = await import('../../functions/s3/upload-received.js');
    const results = await Promise.all([1, 2, 3].map(() => handler(event)));
    for (const r of results) expect(r.batchItemFailures).toEqual([]);
    const after = (await a.officer.get(`/books/${bookId}/history`)).body;
    expect(after.transitions).toEqual(before.transitions);
    expect(after.audit.length).toBe(before.audit.length);
    void lambdaContext;
  });

  it('a file that is not a zip is refused as a whole, nothing stored', async () => {
    const { a, bookId } = await bookWithRecords(1);
    const up = await deliver(a.contractor, bookId, Buffer.from('PK\u0003\u0004 definitely not a zip'), 'broken.zip', 'application/zip');
    const report = await reportOf(a.contractor, bookId, up.uploadId);
    expect(report.archiveError.code).toMatch(/[A-Z_]+/);
    expect(report.archiveError.message.length).toBeGreaterThan(10);
    const rec = await a.officer.get(`/books/${bookId}/records/1-2018`);
    expect(rec.body.scan).toBeUndefined();
  });
});

describe('large deliveries: S3 multipart through presigned part URLs', () => {
  it('parts can be retried and an interrupted upload resumed; completing it processes the zip', async () => {
    const { randomBytes } = await import('node:crypto');
    const { a, bookId } = await bookWithRecords(2);
    const zip = await zipOf([
      { name: '1-2018.pdf', data: await pdfFor('one') },
      { name: '2-2018.pdf', data: await pdfFor('two') },
      { name: 'ghi-chu-nha-thau.bin', data: randomBytes(18 * 1024 * 1024) },
    ]);
    const start = await a.contractor.post(`/books/${bookId}/uploads`, {
      kind: 'scans',
      fileName: 'so-lon.zip',
      contentType: 'application/zip',
      size: zip.length,
      multipart: true,
    });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const { partSize, partCount, parts } = start.body.multipart as { partSize: number; partCount: number; parts: { partNumber: number; url: string }[] };
    expect(partCount).toBe(Math.ceil(zip.length / partSize));
    expect(partCount).toBeGreaterThanOrEqual(3);
    const put = (url: string, n: number) => fetch(url, { method: 'PUT', body: zip.subarray((n - 1) * partSize, n * partSize) });

    // Part 1 goes up (twice: a retry of the same part is harmless), then the connection "drops".
    expect((await put(parts[0]!.url, 1)).status).toBe(200);
    expect((await put(parts[0]!.url, 1)).status).toBe(200);
    const early = await a.contractor.post(`/books/${bookId}/uploads/${start.body.uploadId}/complete`);
    expect(early.status).toBe(409);
    expect(early.body.details.missingParts).toEqual(Array.from({ length: partCount - 1 }, (_, i) => i + 2));

    // Resume: S3 says which parts it has; fresh URLs for the rest.
    const resume = await a.contractor.get(`/books/${bookId}/uploads/${start.body.uploadId}/parts`);
    expect(resume.status).toBe(200);
    expect(resume.body.done.map((p: { partNumber: number }) => p.partNumber)).toEqual([1]);
    for (const p of resume.body.missing as { partNumber: number; url: string }[]) expect((await put(p.url, p.partNumber)).status).toBe(200);
    expect((await a.officer.post(`/books/${bookId}/uploads/${start.body.uploadId}/complete`)).status).toBe(403);
    const done = await a.contractor.post(`/books/${bookId}/uploads/${start.body.uploadId}/complete`);
    expect(done.status, JSON.stringify(done.body)).toBe(202);

    const report = await reportOf(a.contractor, bookId, start.body.uploadId);
    expect(report.complete).toBe(true);
    expect(report.counts).toMatchObject({ expected: 2, accepted: 2, missing: 0 });
    expect((report.files as { entryName: string; status: string }[]).find((f) => f.entryName === 'ghi-chu-nha-thau.bin')?.status).not.toBe('accepted');
    await waitForStage(a.officer, bookId, 'review');
  });
});

describe('replacing a scan', () => {
  it('keeps the previous version and writes an audit record with both checksums', async () => {
    const { a, bookId } = await bookWithRecords(2);
    const first = await deliver(a.contractor, bookId, await zipOf([{ name: '1-2018.pdf', data: await pdfFor('first take') }]), 'lan-1.zip', 'application/zip');
    const r1 = await reportOf(a.contractor, bookId, first.uploadId);
    expect(r1.counts).toMatchObject({ accepted: 1, missing: 1 });
    const before = (await a.officer.get(`/books/${bookId}/records/1-2018`)).body.scan;
    const second = await deliver(
      a.contractor,
      bookId,
      await zipOf([
        { name: '1-2018.pdf', data: await pdfFor('second, sharper take') },
        { name: '2-2018.pdf', data: await pdfFor('two') },
      ]),
      'lan-2.zip',
      'application/zip',
    );
    const r2 = await reportOf(a.contractor, bookId, second.uploadId);
    expect(r2.counts).toMatchObject({ replaced: 1, accepted: 1, missing: 0 });
    await waitForStage(a.officer, bookId, 'review');
    const after = (await a.officer.get(`/books/${bookId}/records/1-2018`)).body.scan;
    expect(after.sha256).not.toBe(before.sha256);
    const audit = (await a.officer.get(`/books/${bookId}/history`)).body.audit as { action: string; before: { sha256: string }; after: { sha256: string } }[];
    const replaced = audit.filter((e) => e.action === 'scan.replaced');
    expect(replaced).toHaveLength(1);
    expect(replaced[0]).toMatchObject({ before: { sha256: before.sha256 }, after: { sha256: after.sha256 } });
  });
});
