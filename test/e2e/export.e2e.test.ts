import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { type Entry, fromBuffer, type ZipFile } from 'yauzl';
import { templates } from '../../shared/entry/templates/index.js';
import { DATA_SHEET } from '../../shared/entry/workbook-writer.js';
import { waitFor } from '../support/api-client.js';
import { act, bookWithRecords, createBook, waitForStage } from '../support/book-flow.js';
import { useLocalStackEnv } from '../support/handler-env.js';

useLocalStackEnv();

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function download(url: string): Promise<Buffer> {
  const r = await fetch(url);
  expect(r.status, url).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

/** Rows of the Ministry sheet as `fields` objects (empty cells left out), and the header. */
async function readExcel(data: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as never);
  const ws = wb.getWorksheet(DATA_SHEET)!;
  const header: string[] = [];
  ws.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => {
    header[col - 1] = String(cell.value);
  });
  const rows: Record<string, string>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const fields: Record<string, string> = {};
    row.eachCell((cell, col) => {
      const v = cell.value;
      if (v === null || v === undefined || v === '') return;
      expect(typeof v === 'string' || typeof v === 'number', `${header[col - 1]} row ${n}`).toBe(true);
      fields[header[col - 1]!] = String(v);
    });
    rows.push(fields);
  });
  return { header, rows };
}

async function readZip(data: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<ZipFile>((resolve, reject) => fromBuffer(data, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))));
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: Entry) => {
      zip.openReadStream(entry, async (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        out.set(entry.fileName, Buffer.concat(chunks));
        zip.readEntry();
      });
    });
    zip.readEntry();
  });
  return out;
}

/** The scanning contractor delivers one PDF per record, named as the record expects (TenFile, else the default). */
async function deliver(contractor: Awaited<ReturnType<typeof bookWithRecords>>['a']['contractor'], bookId: string, files: { name: string; pages: number }[]) {
  const { pdfFor, postForm, zipOf } = await import('../support/scan-files.js');
  const zip = await zipOf(await Promise.all(files.map(async (f) => ({ name: f.name, data: await pdfFor(`${bookId} ${f.name}`, f.pages) }))));
  const req = await contractor.post(`/books/${bookId}/uploads`, { kind: 'scans', fileName: 'scans.zip', contentType: 'application/zip', size: zip.length });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  expect((await postForm(req.body, zip, 'scans.zip', 'application/zip')).status).toBe(204);
}

describe('export package on approval', () => {
  it('approval builds the Excel, the zip of PDFs and the manifest before Reconciliation; they re-read to exactly the stored data', async () => {
    const { a, bookId } = await bookWithRecords(3);
    // Record 2 names its PDF through TenFile; the others use the default name.
    const { findRecord, putRecords } = await import('../../shared/records/record-repo.js');
    const second = (await findRecord(bookId, '2/2018'))!;
    await putRecords([{ ...second, fields: { ...second.fields, TenFile: 'KS_2018_0002.pdf', trangSo: '7' } }]);
    await deliver(a.contractor, bookId, [
      { name: '1-2018.pdf', pages: 1 },
      { name: 'KS_2018_0002.pdf', pages: 2 },
      { name: '3-2018.pdf', pages: 3 },
    ]);
    await waitForStage(a.officer, bookId, 'review');
    expect((await a.officer.post(`/books/${bookId}/review/claim`)).status).toBe(200);
    for (const so of ['1-2018', '2-2018', '3-2018']) {
      const version = (await a.officer.get(`/books/${bookId}/records/${so}`)).body.version;
      expect((await a.officer.call('PATCH', `/books/${bookId}/records/${so}`, { version, status: 'ok' })).status).toBe(200);
    }
    await act(a.officer, bookId, 'passReview');
    await waitForStage(a.officer2, bookId, 'approval');
    expect((await a.officer2.get(`/books/${bookId}/export`)).status).toBe(404);
    await act(a.officer2, bookId, 'approve');
    // Past approval with the package recorded (Reconciliation may complete on its own once the people are matched).
    const book = await waitFor(async () => {
      const r = await a.police.get(`/books/${bookId}`);
      return r.body.approval && ['reconciliation', 'completed'].includes(r.body.stage) && (r.body.stage === 'completed' || r.body.waiting) ? r.body : undefined;
    }, `${bookId} past approval`);

    expect(book.approval).toMatchObject({
      by: { username: 'hotich2.binhan', role: 'commune_officer' },
      packageKey: expect.stringMatching(new RegExp(`^exports/90101/${bookId}/[^/]+/manifest\\.json$`)),
    });
    const pkg = await a.officer.get(`/books/${bookId}/export`);
    expect(pkg.status, JSON.stringify(pkg.body)).toBe(200);
    expect(pkg.body.approval).toEqual(book.approval);
    const files = pkg.body.files as { name: string; kind: string; url: string; sha256: string; size: number }[];
    expect(files.map((f) => [f.kind, f.name])).toEqual([
      ['excel', `${bookId}.xlsx`],
      ['zip', `${bookId}.zip`],
      ['manifest', 'manifest.json'],
    ]);
    const data = new Map<string, Buffer>();
    for (const f of files) {
      const bytes = await download(f.url);
      expect(sha256(bytes), f.name).toBe(f.sha256);
      expect(bytes.length, f.name).toBe(f.size);
      data.set(f.kind, bytes);
    }

    // The records as stored (after review), in registration order.
    const stored = (await a.officer.get(`/books/${bookId}/records?limit=500`)).body.records as {
      so: string;
      fields: Record<string, string | null>;
      scan: { sha256: string; size: number; pages: number };
    }[];
    expect(stored.map((r) => r.so)).toEqual(['1/2018', '2/2018', '3/2018']);

    // Excel: the Ministry template's columns in order; rows re-read to exactly the stored fields.
    const excel = await readExcel(data.get('excel')!);
    expect(excel.header).toEqual(templates.KS.columns.map((c) => c.name));
    const nonEmpty = (f: Record<string, string | null>) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null && v !== ''));
    expect(excel.rows).toEqual(stored.map((r) => nonEmpty(r.fields)));

    // Zip: every PDF, named as the Excel references it, byte-identical to the accepted scan.
    const pdfs = await readZip(data.get('zip')!);
    expect([...pdfs.keys()]).toEqual(['1-2018.pdf', 'KS_2018_0002.pdf', '3-2018.pdf']);
    const byName = { '1-2018.pdf': stored[0]!, 'KS_2018_0002.pdf': stored[1]!, '3-2018.pdf': stored[2]! };
    for (const [name, record] of Object.entries(byName)) {
      expect(sha256(pdfs.get(name)!), name).toBe(record.scan.sha256);
      expect(pdfs.get(name)!.length).toBe(record.scan.size);
    }

    // Manifest: identity, counts, every checksum, approver and time; its own checksum is on the book.
    expect(sha256(data.get('manifest')!)).toBe(book.approval.checksum);
    const manifest = JSON.parse(data.get('manifest')!.toString('utf8'));
    expect(manifest).toMatchObject({
      format: 'ho-tich-export/1',
      book: { bookId, unitCode: '90101', registerType: 'KS', quyenSo: book.quyenSo, yearOpened: book.yearOpened },
      approval: { by: { username: 'hotich2.binhan', role: 'commune_officer', unit: '90101' }, at: book.approval.at },
      counts: { records: 3, pdfs: 3, pages: 6 },
      files: {
        excel: { name: `${bookId}.xlsx`, sha256: sha256(data.get('excel')!), size: data.get('excel')!.length },
        zip: { name: `${bookId}.zip`, sha256: sha256(data.get('zip')!), size: data.get('zip')!.length },
      },
    });
    expect(manifest.approval.by).not.toHaveProperty('email');
    expect(manifest.pdfs).toEqual(
      Object.entries(byName).map(([name, r]) => ({ so: r.so, name, sha256: r.scan.sha256, size: r.scan.size, pages: r.scan.pages })),
    );

    // History: the approval decision, then the package, then Reconciliation.
    const history = await a.officer.get(`/books/${bookId}/history`);
    const audit = history.body.audit as { action: string; actor: { username: string }; after: any }[];
    const approve = audit.findIndex((e) => e.action === 'action.approve');
    const built = audit.findIndex((e) => e.action === 'export.built');
    expect(approve).toBeGreaterThanOrEqual(0);
    expect(built).toBeGreaterThan(approve);
    expect(audit.filter((e) => e.action === 'export.built')).toHaveLength(1);
    expect(audit[built]).toMatchObject({
      actor: { username: 'hotich2.binhan' },
      after: {
        packageKey: book.approval.packageKey,
        checksum: book.approval.checksum,
        counts: { records: 3, pdfs: 3, pages: 6 },
        excel: { sha256: files[0]!.sha256 },
        zip: { sha256: files[1]!.sha256 },
      },
    });
    const intoReconciliation = history.body.audit.findIndex(
      (e: { action: string; after?: { stage?: string } }) => e.action === 'stage.entered' && e.after?.stage === 'reconciliation',
    );
    expect(intoReconciliation).toBeGreaterThan(built);
    expect(history.body.transitions).toContainEqual(expect.objectContaining({ from: 'approval', to: 'reconciliation', by: 'hotich2.binhan' }));

    // The execution ran the build once, between the approval wait and the reconciliation wait.
    const execs = (await a.ops.get('/ops/executions?limit=100')).body.executions as { bookId: string; executionArn: string }[];
    const arn = execs.find((e) => e.bookId === bookId)!.executionArn;
    const events = (await a.ops.get(`/ops/executions/${encodeURIComponent(arn)}/history`)).body.events as { type: string; state?: string }[];
    const entered = events.filter((e) => e.type.endsWith('StateEntered')).map((e) => e.state);
    expect(entered.filter((s) => s === 'BuildExportPackage')).toHaveLength(1);
    expect(entered.indexOf('BuildExportPackage')).toBeGreaterThan(entered.indexOf('WaitApproval'));
    expect(entered.indexOf('BuildExportPackage')).toBeLessThan(entered.indexOf('WaitReconciliation'));

    // Who may fetch it: the commune's officers and police, the district and province; not the clerk; not another commune.
    expect((await a.police.get(`/books/${bookId}/export`)).status).toBe(200);
    expect((await a.district.get(`/books/${bookId}/export`)).status).toBe(200);
    expect((await a.clerk.get(`/books/${bookId}/export`)).status).toBe(403);
    expect((await a.otherOfficer.get(`/books/${bookId}/export`)).status).toBe(404);
  });

  it('a book that has not been approved has no package (404)', async () => {
    const { asUser } = await import('../support/api-client.js');
    const officer = await asUser('hotich.binhan');
    const bookId = await createBook(officer);
    const r = await officer.get(`/books/${bookId}/export`);
    expect(r.status).toBe(404);
  });
});
