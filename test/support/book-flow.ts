/** Given-when-then steps for walking a book through its stages over HTTP. */
import { expect } from 'vitest';
import type { RegisterType } from '../../shared/books/register-type.js';
import { asUser, client, newBookInventory, waitFor } from './api-client.js';

type Client = Awaited<ReturnType<typeof asUser>>;

export async function createBook(officer: Client, overrides: Record<string, unknown> = {}) {
  // Random volume numbers can collide across a long run: a 409 just means "pick another".
  for (let attempt = 0; ; attempt++) {
    const r = await officer.post('/books', newBookInventory(overrides));
    if (r.status === 409 && attempt < 5 && !('quyenSo' in overrides)) continue;
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.bookId as string;
  }
}

/** Waits until the workflow has parked in `stage` and is ready for a decision. */
export async function waitForStage(c: Client, bookId: string, stage: string, ms = 20_000) {
  return waitFor(
    async () => {
      const r = await c.get(`/books/${bookId}`);
      return r.status === 200 && r.body.stage === stage && (stage === 'completed' || r.body.waiting) ? r.body : undefined;
    },
    `${bookId} in ${stage}`,
    ms,
  );
}

export async function act(c: Client, bookId: string, action: string, reason?: string) {
  const r = await c.post(`/books/${bookId}/actions`, { action, ...(reason ? { reason } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body;
}

export async function actors() {
  const [officer, officer2, clerk, contractor, police, ops, otherOfficer, district] = await Promise.all(
    ['hotich.binhan', 'hotich2.binhan', 'nhaplieu.binhan', 'scan.binhan', 'congan.binhan', 'vanhanh', 'hotich.binhthanh', 'tuphap.binhminh'].map((u) =>
      asUser(u),
    ),
  );
  return {
    officer: officer!,
    officer2: officer2!,
    clerk: clerk!,
    contractor: contractor!,
    police: police!,
    ops: ops!,
    otherOfficer: otherOfficer!,
    district: district!,
  };
}

/**
 * The working roles of one commune, signed in with the local stack's own signing key as Cognito would sign
 * them (the demo users exist for 90101 and 90102 only). For tests that need a commune no other test
 * writes to while they run (figures recounted from what is stored must not move meanwhile).
 */
export async function actorsIn(commune: string, tag: string) {
  const { inject } = await import('vitest');
  const { LocalAuth } = await import('../../infra/local/auth.js');
  const auth = LocalAuth.open(inject('stack').dataDir);
  const as = async (username: string, role: 'commune_officer' | 'entry_clerk' | 'scan_contractor' | 'commune_police') =>
    client(await auth.sign({ userId: `t-${username}`, username, role, unit: commune, email: `${username}@demo.hotich.vn` }));
  const [officer, officer2, clerk, contractor, police] = await Promise.all([
    as(`hotich.${tag}`, 'commune_officer'),
    as(`hotich2.${tag}`, 'commune_officer'),
    as(`nhaplieu.${tag}`, 'entry_clerk'),
    as(`scan.${tag}`, 'scan_contractor'),
    as(`congan.${tag}`, 'commune_police'),
  ]);
  return { officer, officer2, clerk, contractor, police };
}

/**
 * A book whose `n` records (KS `1/2018`…`n/2018`) were keyed by the clerk in the Ministry template and
 * uploaded through the presigned POST; entry validation accepted them and the book is waiting in Scan.
 * `fieldsOf(i)` overrides columns of row i (names, dates of birth…).
 */
export async function bookWithRecords(
  n: number,
  fieldsOf: (i: number) => Record<string, string> = () => ({}),
  opts: { registerType?: RegisterType; in?: { unitCode: string; actors: Awaited<ReturnType<typeof actorsIn>> } } = {},
) {
  const a = { ...(await actors()), ...opts.in?.actors };
  const registerType = opts.registerType ?? 'KS';
  // The volume number is random; a 409 (the suite already inventoried that one) just means "pick another".
  let quyenSo = '';
  let bookId = '';
  for (let attempt = 0; !bookId; attempt++) {
    quyenSo = `${Math.floor(Math.random() * 9999) + 1}/2018`;
    const r = await a.officer.post(
      '/books',
      newBookInventory({ quyenSo, yearOpened: 2018, closingTotal: n, registerType, ...(opts.in ? { unitCode: opts.in.unitCode } : {}) }),
    );
    if (r.status === 409 && attempt < 10) continue;
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    bookId = r.body.bookId as string;
  }
  await act(a.officer, bookId, 'startDigitisation');
  await waitForStage(a.clerk, bookId, 'entry');
  await uploadEntry(a.clerk, bookId, { quyenSo, yearOpened: 2018, registerType }, n, fieldsOf);
  await waitForStage(a.contractor, bookId, 'scan');
  return { a, bookId };
}

/** The clerk uploads a clean entry workbook of `n` rows through the presigned POST. */
export async function uploadEntry(
  clerk: Client,
  bookId: string,
  book: { quyenSo: string; yearOpened: number; registerType?: RegisterType },
  n: number,
  fieldsOf: (i: number) => Record<string, string> = () => ({}),
) {
  const { entryWorkbook, XLSX } = await import('./entry-files.js');
  const { postForm } = await import('./scan-files.js');
  const { bytes } = await entryWorkbook(book, n, fieldsOf);
  const req = await clerk.post(`/books/${bookId}/uploads`, { kind: 'entry', fileName: 'so-nhap-lieu.xlsx', contentType: XLSX, size: bytes.length });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  expect((await postForm(req.body, bytes, 'so-nhap-lieu.xlsx', XLSX)).status).toBe(204);
  return req.body as { uploadId: string };
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

/**
 * The claiming reviewer reviews each record at its current version: OK, or the correction given for it
 * (one field, reason TYPO). The claim is the caller's to take.
 */
export async function reviewRecords(
  officer: Client,
  bookId: string,
  sos: readonly string[],
  corrections: Record<string, { field: string; value: string }> = {},
) {
  for (const so of sos) {
    const path = `/books/${bookId}/records/${so.replace('/', '-')}`;
    const version = (await officer.get(path)).body.version;
    const fix = corrections[so];
    const r = await officer.call('PATCH', path, fix ? { version, corrections: [{ ...fix, reason: 'TYPO' }] } : { version, status: 'ok' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
}

/** Marks every record OK as the claiming reviewer, then passes the review. */
export async function reviewAllOk(officer: Client, bookId: string, sos: readonly string[]) {
  expect((await officer.post(`/books/${bookId}/review/claim`)).status).toBe(200);
  await reviewRecords(officer, bookId, sos);
  await act(officer, bookId, 'passReview');
}
