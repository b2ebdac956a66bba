/** Given-when-then steps for walking a book through its stages over HTTP. */
import { expect } from 'vitest';
import { asUser, newBookInventory, waitFor } from './api-client.js';

type Client = Awaited<ReturnType<typeof asUser>>;

export async function createBook(officer: Client, overrides: Record<string, unknown> = {}) {
  const r = await officer.post('/books', newBookInventory(overrides));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.bookId as string;
}

/** Waits until the workflow has parked in `stage` and is ready for a decision. */
export async function waitForStage(c: Client, bookId: string, stage: string, ms = 20_000) {
  return waitFor(async () => {
    const r = await c.get(`/books/${bookId}`);
    return r.status === 200 && r.body.stage === stage && (stage === 'completed' || r.body.waiting) ? r.body : undefined;
  }, `${bookId} in ${stage}`, ms);
}

export async function act(c: Client, bookId: string, action: string, reason?: string) {
  const r = await c.post(`/books/${bookId}/actions`, { action, ...(reason ? { reason } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body;
}

export async function actors() {
  const [officer, officer2, clerk, contractor, police, ops, otherOfficer, district] = await Promise.all(
    ['hotich.binhan', 'hotich2.binhan', 'nhaplieu.binhan', 'scan.binhan', 'congan.binhan', 'vanhanh', 'hotich.binhthanh', 'tuphap.binhminh'].map((u) => asUser(u)),
  );
  return { officer: officer!, officer2: officer2!, clerk: clerk!, contractor: contractor!, police: police!, ops: ops!, otherOfficer: otherOfficer!, district: district! };
}

/**
 * A book waiting in Entry whose `n` records are stored as an accepted entry upload by the clerk
 * would leave them (records KS `1/2018`…`n/2018`; `keyedBy` set for segregation of duties).
 */
export async function bookWithRecords(n: number, fieldsOf: (i: number) => Record<string, string> = (i) => ({ nksHoTen: `Nguyễn Văn ${i + 1}`, nksNgaySinh: '01.02.2018' })) {
  const a = await actors();
  const bookId = await createBook(a.officer);
  await act(a.officer, bookId, 'startDigitisation');
  await waitForStage(a.clerk, bookId, 'entry');
  const { putRecords } = await import('../../shared/records/record-repo.js');
  const now = new Date().toISOString();
  await putRecords(
    Array.from({ length: n }, (_, i) => ({
      bookId,
      so: `${i + 1}/2018`,
      registerType: 'KS' as const,
      rowNumber: i + 2,
      fields: { so: `${i + 1}/2018`, ...fieldsOf(i) },
      entryVersion: 'e2e',
      version: 1,
      updatedAt: now,
      corrections: [],
    })),
  );
  const { GetCommand, PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { ddb } = await import('../../shared/aws/clients.js');
  const Key = { PK: `BOOK#${bookId}`, SK: 'BOOK' };
  const item = (await ddb.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key }))).Item!;
  const keyedBy = { userId: `u-clerk-${bookId}`, username: 'nhaplieu.binhan', role: 'entry_clerk', unit: '90101' };
  await ddb.send(
    new PutCommand({ TableName: process.env.TABLE_NAME, Item: { ...item, entry: { uploadId: 'e2e', keyedBy, acceptedAt: now, records: n }, counts: { ...item.counts, records: n }, version: item.version + 1 } }),
  );
  await act(a.clerk, bookId, 'completeEntry');
  await waitForStage(a.contractor, bookId, 'scan');
  return { a, bookId };
}

/** The scanning contractor delivers one valid PDF per record (named by the default rule) as a zip, via presigned POST. */
export async function deliverScans(contractor: Awaited<ReturnType<typeof asUser>>, bookId: string, sos: readonly string[]) {
  const { pdfFor, postForm, zipOf } = await import('./scan-files.js');
  const zip = await zipOf(await Promise.all(sos.map(async (so) => ({ name: `${so.replace('/', '-')}.pdf`, data: await pdfFor(`${bookId} ${so}`) }))));
  const req = await contractor.post(`/books/${bookId}/uploads`, { kind: 'scans', fileName: 'scans.zip', contentType: 'application/zip', size: zip.length });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  expect((await postForm(req.body, zip, 'scans.zip', 'application/zip')).status).toBe(204);
  return req.body as { uploadId: string; key: string };
}
