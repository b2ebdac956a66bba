import { describe, expect, it } from 'vitest';
import { asUser, waitFor } from '../support/api-client.js';
import { createBook } from '../support/book-flow.js';
import { loadEvent, useLocalStackEnv } from '../support/handler-env.js';

useLocalStackEnv();
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function postToS3(presigned: { url: string; fields: Record<string, string> }, bytes: Uint8Array, contentType = XLSX) {
  const form = new FormData();
  for (const [k, v] of Object.entries(presigned.fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: contentType }), 'upload.xlsx');
  return fetch(presigned.url, { method: 'POST', body: form });
}

describe('presigned uploads straight to S3', () => {
  it('an upload bound to the book arrives through the S3 event; duplicate deliveries change nothing', async () => {
    const officer = await asUser('hotich.binhan');
    const clerk = await asUser('nhaplieu.binhan');
    const bookId = await createBook(officer);
    const bytes = new TextEncoder().encode('PK fake workbook body for the skeleton');
    const req = await clerk.post(`/books/${bookId}/uploads`, { kind: 'entry', fileName: 'Sổ khai sinh 2018.xlsx', contentType: XLSX, size: bytes.length });
    expect(req.status).toBe(201);
    expect(req.body.key).toMatch(new RegExp(`^uploads/90101/${bookId.replace(/\./g, '\\.')}/entry/[0-9a-f-]{36}/Sổ khai sinh 2018\\.xlsx$`));
    expect(new URL(req.body.url).origin).not.toBe(new URL((await import('../support/api-client.js')).stackUrls().api).origin);
    expect(Date.parse(req.body.expiresAt)).toBeGreaterThan(Date.now());

    const up = await postToS3(req.body, bytes);
    expect(up.status).toBe(204);
    const received = await waitFor(async () => {
      const h = await officer.get(`/books/${bookId}/history`);
      const e = (h.body.audit as { action: string; after: { uploadId: string } }[]).filter((x) => x.action === 'upload.received');
      return e.length ? e : undefined;
    }, 'upload.received');
    expect(received).toHaveLength(1);
    expect(received[0]!.after.uploadId).toBe(req.body.uploadId);

    // The same S3 notification delivered three more times, concurrently, to the same handler.
    const event = loadEvent('s3/upload-object-created.json');
    const s3Event = JSON.parse(event.Records[0].body);
    s3Event.Records[0].s3.object.key = encodeURIComponent(req.body.key).replace(/%2F/g, '/').replace(/%20/g, '+');
    s3Event.Records[0].s3.object.size = bytes.length;
    event.Records[0].body = JSON.stringify(s3Event);
    const { handler } = await import('../../functions/s3/upload-received.js');
    const results = await Promise.all([1, 2, 3].map(() => handler(event)));
    for (const r of results) expect(r.batchItemFailures).toEqual([]);
    const h = await officer.get(`/books/${bookId}/history`);
    expect((h.body.audit as { action: string }[]).filter((x) => x.action === 'upload.received')).toHaveLength(1);
  });

  it('S3 itself refuses a file larger than declared, another content type, or a tampered key', async () => {
    const officer = await asUser('hotich.binhan');
    const bookId = await createBook(officer);
    const req = await officer.post(`/books/${bookId}/uploads`, { kind: 'entry', fileName: 'a.xlsx', contentType: XLSX, size: 10 });
    expect(req.status).toBe(201);
    expect((await postToS3(req.body, new Uint8Array(11))).status).toBe(400);
    expect((await postToS3({ ...req.body, fields: { ...req.body.fields, 'Content-Type': 'text/csv' } }, new Uint8Array(10), 'text/csv')).status).toBe(403);
    const otherKey = req.body.fields.key.replace(bookId, '90102-KS-1.2000-2000');
    expect((await postToS3({ ...req.body, fields: { ...req.body.fields, key: otherKey } }, new Uint8Array(10))).status).toBe(403);
    const h = await officer.get(`/books/${bookId}/history`);
    expect((h.body.audit as { action: string }[]).filter((x) => x.action === 'upload.received')).toHaveLength(0);
  });

  it('the API refuses wrong kinds, extensions, types and sizes with field-level Vietnamese messages', async () => {
    const officer = await asUser('hotich.binhan');
    const contractor = await asUser('scan.binhan');
    const bookId = await createBook(officer);
    const bad = await officer.post(`/books/${bookId}/uploads`, { kind: 'entry', fileName: 'a.xls', contentType: 'application/vnd.ms-excel', size: 1e12 });
    expect(bad.status).toBe(400);
    expect((bad.body.details.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(['contentType', 'fileName', 'size']);
    expect((await contractor.post(`/books/${bookId}/uploads`, { kind: 'entry', fileName: 'a.xlsx', contentType: XLSX, size: 5 })).status).toBe(403);
    expect((await officer.post(`/books/${bookId}/uploads`, { kind: 'entry', fileName: '../../a.xlsx', contentType: XLSX, size: 5 })).status).toBe(400);
  });

  it('an s3:TestEvent or a malformed message is acknowledged, not retried', async () => {
    const { handler } = await import('../../functions/s3/upload-received.js');
    expect((await handler(loadEvent('s3/s3-test-event.json'))).batchItemFailures).toEqual([]);
    const garbage = loadEvent('s3/s3-test-event.json');
    garbage.Records[0].body = '{not json';
    expect((await handler(garbage)).batchItemFailures).toEqual([]);
  });
});
