import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { fromBuffer, type ZipFile } from 'yauzl';
import { asUser } from '../support/api-client.js';
import { createBook, waitForStage } from '../support/book-flow.js';
import { loadEvent, useLocalStackEnv } from '../support/handler-env.js';

const { env } = useLocalStackEnv();
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const approver = { userId: 'u-int-approver', username: 'hotich2.binhan', role: 'commune_officer' as const, unit: '90101' };

async function getBytes(key: string): Promise<Buffer | undefined> {
  const { getObjectStream } = await import('../../shared/aws/s3-objects.js');
  try {
    const chunks: Buffer[] = [];
    for await (const c of await getObjectStream(env.ARCHIVE_BUCKET!, key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function zipEntries(data: Buffer): Promise<Map<string, string>> {
  const zip = await new Promise<ZipFile>((resolve, reject) => fromBuffer(data, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))));
  const out = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.on('entry', (entry) =>
      zip.openReadStream(entry, async (err, stream) => {
        if (err) return reject(err);
        const hash = createHash('sha256');
        for await (const c of stream) hash.update(c as Buffer);
        out.set(entry.fileName, hash.digest('hex'));
        zip.readEntry();
      }),
    );
    zip.readEntry();
  });
  return out;
}

/** A book (in Entry, owned by its execution) whose records carry scans of `sizes` bytes in the archive. */
async function bookWithScans(sizes: number[]) {
  const officer = await asUser('hotich.binhan');
  const bookId = await createBook(officer);
  await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' });
  await waitForStage(officer, bookId, 'entry');
  const { putObject } = await import('../../shared/aws/s3-objects.js');
  const { putRecords } = await import('../../shared/records/record-repo.js');
  const now = new Date().toISOString();
  const records = await Promise.all(
    sizes.map(async (size, i) => {
      const so = `${i + 1}/2018`;
      const data = randomBytes(size);
      const key = `scans/90101/${bookId}/${i + 1}-2018.pdf`;
      await putObject(env.ARCHIVE_BUCKET!, key, data, 'application/pdf');
      const fields: Record<string, string | null> = { so, nksHoTen: `Trần Thị ${i + 1}` };
      // The first record names its PDF through TenFile, keyed carelessly: spaces, a folder, no extension.
      if (i === 0) fields.TenFile = `  scans\\Sổ KS ${i + 1}  `;
      return {
        bookId,
        so,
        registerType: 'KS' as const,
        rowNumber: i + 2,
        fields,
        entryVersion: 'int',
        version: 1,
        updatedAt: now,
        corrections: [],
        scan: { key, fileName: `${i + 1}-2018.pdf`, sha256: sha256(data), size, pages: i + 1, uploadId: 'int' },
      };
    }),
  );
  await putRecords(records);
  const { getBook } = await import('../../shared/books/book-repo.js');
  return { officer, bookId, records, book: await getBook(bookId) };
}

describe('streaming upload to S3', () => {
  it('writes a body of unknown length as a multipart upload, with its size and SHA-256', async () => {
    const { uploadStream } = await import('../../shared/aws/s3-stream-upload.js');
    const chunks = Array.from({ length: 12 }, () => randomBytes(1024 * 1024));
    const key = `exports/int/stream-${Date.now()}.bin`;
    const res = await uploadStream(env.ARCHIVE_BUCKET!, key, chunks, { contentType: 'application/octet-stream', partSize: 5 * 1024 * 1024 });
    const all = Buffer.concat(chunks);
    expect(res).toMatchObject({ size: all.length, sha256: sha256(all) });
    expect(sha256((await getBytes(key))!)).toBe(sha256(all));
  });

  it('leaves nothing under the key when the body fails midway (the multipart upload is aborted)', async () => {
    const { uploadStream } = await import('../../shared/aws/s3-stream-upload.js');
    const key = `exports/int/failing-${Date.now()}.bin`;
    async function* failing() {
      for (let i = 0; i < 7; i++) yield randomBytes(1024 * 1024);
      throw new Error('source broke');
    }
    await expect(uploadStream(env.ARCHIVE_BUCKET!, key, failing(), { contentType: 'application/octet-stream', partSize: 5 * 1024 * 1024 })).rejects.toThrow('source broke');
    expect(await getBytes(key)).toBeUndefined();
  });
});

describe('export package writer', () => {
  it('streams a zip larger than one part, names PDFs by TenFile else the default, and writes the same zip for the same approval', async () => {
    const { records, book } = await bookWithScans([6 * 1024 * 1024, 3 * 1024 * 1024, 1000]);
    const { writeExportPackage } = await import('../../shared/use-cases/export-package.js');
    const { siblingKey } = await import('../../shared/exports/package.js');
    const at = '2026-03-04T05:06:07.089Z';
    const first = await writeExportPackage(book, approver, at, at);
    expect(first.approval.packageKey).toBe(`exports/90101/${book.bookId}/2026-03-04T050607.089Z/manifest.json`);
    expect(first.manifest.counts).toEqual({ records: 3, pdfs: 3, pages: 6 });
    expect(first.manifest.files.zip.size).toBeGreaterThan(8 * 1024 * 1024);
    const zip = (await getBytes(siblingKey(first.approval.packageKey, `${book.bookId}.zip`)))!;
    expect(sha256(zip)).toBe(first.manifest.files.zip.sha256);
    expect(await zipEntries(zip)).toEqual(new Map([['Sổ KS 1.pdf', records[0]!.scan.sha256], ['2-2018.pdf', records[1]!.scan.sha256], ['3-2018.pdf', records[2]!.scan.sha256]]));
    expect(sha256((await getBytes(first.approval.packageKey))!)).toBe(first.approval.checksum);

    const again = await writeExportPackage(book, approver, at, at);
    expect(again.approval.packageKey).toBe(first.approval.packageKey);
    expect(again.manifest.files.zip).toEqual(first.manifest.files.zip);
    expect(again.manifest.pdfs).toEqual(first.manifest.pdfs);
  });

  it('refuses a scan whose bytes no longer match the accepted SHA-256, and stores no zip', async () => {
    const { records, book } = await bookWithScans([2000, 3000]);
    const { putObject } = await import('../../shared/aws/s3-objects.js');
    await putObject(env.ARCHIVE_BUCKET!, records[1]!.scan.key, randomBytes(3000), 'application/pdf');
    const { writeExportPackage } = await import('../../shared/use-cases/export-package.js');
    const at = '2026-03-04T05:06:07.089Z';
    await expect(writeExportPackage(book, approver, at, at)).rejects.toMatchObject({ name: 'PackageInvalid', details: { so: '2/2018' } });
    expect(await getBytes(`exports/90101/${book.bookId}/2026-03-04T050607.089Z/${book.bookId}.zip`)).toBeUndefined();
  });

  it('refuses a book whose records lack their scans', async () => {
    const { bookId, book, records } = await bookWithScans([100]);
    const { putRecords } = await import('../../shared/records/record-repo.js');
    await putRecords([{ ...records[0]!, so: '2/2018', rowNumber: 3, fields: { so: '2/2018', nksHoTen: 'X' }, scan: undefined }]);
    const { writeExportPackage } = await import('../../shared/use-cases/export-package.js');
    await expect(writeExportPackage(book, approver, book.updatedAt, book.updatedAt)).rejects.toMatchObject({ name: 'PackageInvalid', details: { bookId, withoutScan: ['2/2018'] } });
  });
});

describe('BuildExportPackage step', () => {
  it('records the approval once: a retry keeps the same approval record and audit entry; another execution is refused', async () => {
    const { ddb } = await import('../../shared/aws/clients.js');
    const { bookId } = await bookWithScans([1500]);
    const Key = { PK: `BOOK#${bookId}`, SK: 'BOOK' };
    const item = (await ddb.send(new GetCommand({ TableName: env.TABLE_NAME, Key }))).Item!;
    // The approve decision as the API records it (fresh, so the sweeper leaves it alone during the test).
    const at = new Date().toISOString();
    await ddb.send(new PutCommand({ TableName: env.TABLE_NAME, Item: { ...item, pendingAction: { action: 'approve', by: approver, at }, version: item.version + 1 } }));

    const { handler } = await import('../../functions/workflow/build-export.js');
    const payload = { ...loadEvent('workflow/build-export.json'), bookId, executionArn: item.executionArn, enteredAt: new Date().toISOString() };
    const first = await handler(payload);
    expect(first.counts).toEqual({ records: 1, pdfs: 1, pages: 1 });
    const { getBook } = await import('../../shared/books/book-repo.js');
    const approved = await getBook(bookId);
    expect(approved.approval).toEqual({ by: approver, at, packageKey: first.packageKey, checksum: first.checksum });

    const retry = await handler({ ...payload, enteredAt: new Date(Date.now() + 1000).toISOString() });
    expect(retry).toEqual(first);
    expect((await getBook(bookId)).approval).toEqual(approved.approval);
    const { listAudit } = await import('../../shared/audit/audit.js');
    const built = (await listAudit('book', bookId)).filter((e) => e.action === 'export.built');
    expect(built).toHaveLength(1);
    expect(built[0]).toMatchObject({ actor: { username: 'hotich2.binhan' }, after: { packageKey: first.packageKey, checksum: first.checksum } });

    await expect(handler({ ...payload, executionArn: `${item.executionArn}-stale` })).rejects.toMatchObject({ name: 'StaleExecution' });

    // Withdraw the fixture decision so the sweeper never hands "approve" to this book's Entry wait.
    const { saveBook } = await import('../../shared/books/book-repo.js');
    const last = await getBook(bookId);
    await saveBook({ ...last, pendingAction: undefined }, last.version);
  });
});
