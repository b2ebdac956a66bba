/**
 * The export package of an approved book (issue 5): what the Ministry's import tool takes — one Excel
 * in the Ministry template and one .zip of the PDFs, each named as the Excel references it — plus a
 * manifest with every checksum. Built by the workflow's `BuildExportPackage` state between the approve
 * decision and Reconciliation; read with presigned links by `GET /books/{bookId}/export`.
 *
 * Everything streams: the Excel is written row by row into a multipart upload, the zip reads each PDF
 * from the archive as the zip needs it (verifying its SHA-256 against the one recorded at Scan) and is
 * itself a multipart upload. Memory stays flat whatever the size of the book.
 */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable, Transform } from 'node:stream';
import { ZipFile } from 'yazl';
import { appendAudit } from '../audit/audit.js';
import { getObjectStream, presignGet } from '../aws/s3-objects.js';
import { type StreamUploadResult, uploadStream } from '../aws/s3-stream-upload.js';
import type { Book } from '../books/book.js';
import { getBook } from '../books/book-repo.js';
import { assertVisible } from '../books/book-rules.js';
import { getConfig } from '../config.js';
import { findColumn } from '../entry/templates/index.js';
import { writeEntryWorkbookTo } from '../entry/workbook-writer.js';
import { NotFound, PackageInvalid, StaleExecution } from '../errors.js';
import { type ExportPackageView, MANIFEST_FORMAT, Manifest, packageFileNames, packagePrefix, pdfNameOf, siblingKey } from '../exports/package.js';
import { logger } from '../logger.js';
import type { BookRecord } from '../records/record.js';
import { allRecords } from '../records/record-repo.js';
import type { RequestContext } from '../request-context.js';
import { nameKey } from '../scans/entry-name.js';
import { listUnits } from '../units/unit-repo.js';
import type { Principal } from '../users/user.js';
import { type StepContext, withBook } from './workflow-steps.js';

type Approval = NonNullable<Book['approval']>;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const LINK_SECONDS = 300;

/**
 * Workflow step, after the approve decision: writes the package of this approval, records the
 * approval on the book and audits `export.built`. The approver is the principal of the pending
 * approve decision (the workflow clears it only when Reconciliation is entered).
 *
 * Idempotent: the keys derive from the approval time, so a retry before the approval is recorded
 * rewrites the same keys; once it is recorded for this decision, the recorded package is kept
 * (checked against its checksum) and only the audit entry is re-appended (same key, ignored).
 * @throws StaleExecution, PackageInvalid
 */
export async function buildExportPackage(bookId: string, ctx: StepContext): Promise<{ approval: Approval; counts: Manifest['counts'] }> {
  const book = await getBook(bookId);
  if (book.executionArn !== ctx.executionArn) throw new StaleExecution('Another execution owns this book', { bookId, executionArn: ctx.executionArn });
  const decision = book.pendingAction;
  if (decision?.action !== 'approve') {
    throw new PackageInvalid('Không có quyết định phê duyệt để lập gói dữ liệu', { bookId, pendingAction: decision?.action ?? null });
  }

  let approval: Approval;
  let manifest: Manifest;
  if (book.approval && book.approval.at === decision.at && book.approval.by.userId === decision.by.userId) {
    approval = book.approval;
    manifest = (await readManifest(approval)).manifest;
    logger.info('Export package already recorded for this approval', { bookId, packageKey: approval.packageKey });
  } else {
    ({ approval, manifest } = await writeExportPackage(book, decision.by, decision.at, ctx.at));
    await withBook(bookId, ctx, (b) => ({ ...b, approval, updatedAt: ctx.at }));
  }

  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: 'export.built',
    actor: decision.by,
    at: manifest.builtAt,
    requestId: `export:${approval.packageKey}`,
    after: {
      packageKey: approval.packageKey,
      checksum: approval.checksum,
      counts: manifest.counts,
      excel: { name: manifest.files.excel.name, sha256: manifest.files.excel.sha256, size: manifest.files.excel.size },
      zip: { name: manifest.files.zip.name, sha256: manifest.files.zip.sha256, size: manifest.files.zip.size },
    },
  });
  logger.info('Export package built', { bookId, packageKey: approval.packageKey, ...manifest.counts });
  return { approval, counts: manifest.counts };
}

/**
 * Writes the Excel, the zip and the manifest of one approval under `exports/<unit>/<bookId>/<at>/`
 * and returns the approval record to store (checksum = SHA-256 of the manifest). Does not touch the
 * book. @throws PackageInvalid when a record has no scan, a column outside the template, a PDF name
 * another record also uses, or a PDF whose bytes no longer match the SHA-256 recorded at Scan.
 */
export async function writeExportPackage(
  book: Book,
  approver: Principal,
  approvedAt: string,
  builtAt: string,
): Promise<{ approval: Approval; manifest: Manifest }> {
  const bucket = getConfig().ARCHIVE_BUCKET;
  const records: BookRecord[] = [];
  for await (const r of allRecords(book.bookId)) records.push(r);
  const pdfs = plan(book, records);

  const prefix = packagePrefix(book, approvedAt);
  const names = packageFileNames(book.bookId);
  const excel = await writeExcel(bucket, prefix + names.excel, book, records);
  const zip = await writeZip(bucket, prefix + names.zip, pdfs, new Date(approvedAt));

  const manifest = Manifest.parse({
    format: MANIFEST_FORMAT,
    book: {
      bookId: book.bookId,
      unitCode: book.unitCode,
      registerType: book.registerType,
      quyenSo: book.quyenSo,
      yearOpened: book.yearOpened,
      pageCount: book.pageCount,
      closingTotal: book.closingTotal,
    },
    approval: { by: { userId: approver.userId, username: approver.username, role: approver.role, unit: approver.unit }, at: approvedAt },
    builtAt,
    counts: { records: records.length, pdfs: pdfs.length, pages: pdfs.reduce((n, p) => n + p.scan.pages, 0) },
    files: { excel: { name: names.excel, sha256: excel.sha256, size: excel.size }, zip: { name: names.zip, sha256: zip.sha256, size: zip.size } },
    pdfs: pdfs.map((p) => ({ so: p.so, name: p.name, sha256: p.scan.sha256, size: p.scan.size, pages: p.scan.pages })),
  });
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const manifestKey = prefix + names.manifest;
  const stored = await uploadStream(bucket, manifestKey, [bytes], { contentType: 'application/json' });
  return { approval: { by: approver, at: approvedAt, packageKey: manifestKey, checksum: stored.sha256 }, manifest };
}

/**
 * The package of the book's approval with short-lived download links.
 * @throws NotFound when the book is outside the caller's units or has no package yet
 */
export async function exportPackageForCaller(bookId: string, ctx: RequestContext): Promise<ExportPackageView> {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  if (!book.approval) throw new NotFound('Sổ chưa có gói dữ liệu xuất (chưa được phê duyệt)', { bookId });
  const approval = book.approval;
  const { manifest, size } = await readManifest(approval);
  const bucket = getConfig().ARCHIVE_BUCKET;
  const link = async (name: string) => (await presignGet(bucket, siblingKey(approval.packageKey, name), { expiresIn: LINK_SECONDS, downloadName: name })).url;
  const manifestName = approval.packageKey.slice(approval.packageKey.lastIndexOf('/') + 1);
  return {
    bookId,
    approval,
    counts: manifest.counts,
    expiresIn: LINK_SECONDS,
    files: [
      { kind: 'excel', ...manifest.files.excel, url: await link(manifest.files.excel.name) },
      { kind: 'zip', ...manifest.files.zip, url: await link(manifest.files.zip.name) },
      { kind: 'manifest', name: manifestName, sha256: approval.checksum, size, url: await link(manifestName) },
    ],
  };
}

interface PlannedPdf {
  so: string;
  name: string;
  scan: NonNullable<BookRecord['scan']>;
}

/** Every record must carry its scan, only template columns, and a PDF name no other record uses. */
function plan(book: Book, records: readonly BookRecord[]): PlannedPdf[] {
  const withoutScan: string[] = [];
  const unknownColumns = new Set<string>();
  const byName = new Map<string, string>();
  const duplicateNames: string[] = [];
  const pdfs: PlannedPdf[] = [];
  for (const r of records) {
    for (const [column, value] of Object.entries(r.fields)) {
      if (value !== null && value !== '' && !findColumn(book.registerType, column)) unknownColumns.add(column);
    }
    const name = pdfNameOf(r);
    const key = nameKey(name);
    if (byName.has(key)) duplicateNames.push(`${name} (${byName.get(key)}, ${r.so})`);
    byName.set(key, r.so);
    if (!r.scan) withoutScan.push(r.so);
    else pdfs.push({ so: r.so, name, scan: r.scan });
  }
  if (withoutScan.length || unknownColumns.size || duplicateNames.length) {
    throw new PackageInvalid('Không lập được gói dữ liệu: dữ liệu của sổ chưa đầy đủ hoặc không khớp mẫu', {
      bookId: book.bookId,
      withoutScan: withoutScan.slice(0, 50),
      unknownColumns: [...unknownColumns],
      duplicateNames: duplicateNames.slice(0, 50),
    });
  }
  return pdfs;
}

/** The records in the Ministry template (the entry module's writer), streamed into the archive. */
async function writeExcel(bucket: string, key: string, book: Book, records: readonly BookRecord[]): Promise<StreamUploadResult> {
  const body = new PassThrough();
  const written = writeEntryWorkbookTo(
    body,
    book.registerType,
    records.map((r) => r.fields),
  ).catch((err: unknown) => {
    body.destroy(err as Error);
    throw err;
  });
  const uploaded = uploadStream(bucket, key, body, { contentType: XLSX }).catch((err: unknown) => {
    body.destroy(err as Error);
    throw err;
  });
  const [, result] = await Promise.all([written, uploaded]);
  return result;
}

/**
 * The zip of the PDFs, stored (PDFs do not compress) with the approval time as every entry's date, so
 * the same scans give the same zip. Each PDF is opened when the zip reaches it and checked against
 * its recorded SHA-256 and size as it passes; any failure fails the upload (aborted, nothing stored).
 */
async function writeZip(bucket: string, key: string, pdfs: readonly PlannedPdf[], mtime: Date): Promise<StreamUploadResult> {
  const zip = new ZipFile();
  const out = zip.outputStream as PassThrough;
  let current: Readable | undefined;
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    current?.destroy();
    out.destroy(err as Error);
  };
  // Writes yazl attempts after a failure must not surface as unhandled errors; the reader sees the first one.
  out.on('error', () => {});
  zip.on('error', fail);

  for (const pdf of pdfs) {
    zip.addReadStreamLazy(pdf.name, { mtime, compress: false, size: pdf.scan.size }, (cb) => {
      getObjectStream(bucket, pdf.scan.key, pdf.scan.versionId).then(
        (body) => {
          current = body;
          const hash = createHash('sha256');
          let size = 0;
          const verify = new Transform({
            transform(chunk: Buffer, _enc, done) {
              hash.update(chunk);
              size += chunk.length;
              done(null, chunk);
            },
            flush(done) {
              const sha256 = hash.digest('hex');
              if (sha256 === pdf.scan.sha256 && size === pdf.scan.size) return done();
              done(
                new PackageInvalid('Bản scan trong kho lưu trữ không còn khớp với bản đã nghiệm thu', {
                  so: pdf.so,
                  key: pdf.scan.key,
                  expected: pdf.scan.sha256,
                  actual: sha256,
                  size,
                }),
              );
            },
          });
          body.on('error', fail);
          verify.on('error', fail);
          cb(null, body.pipe(verify));
        },
        (err: unknown) => cb(err, undefined as never),
      );
    });
  }
  zip.end();
  return uploadStream(bucket, key, out, { contentType: 'application/zip' });
}

/** The manifest of a recorded approval, checked against the approval's checksum. @throws PackageInvalid */
async function readManifest(approval: Approval): Promise<{ manifest: Manifest; size: number }> {
  const chunks: Buffer[] = [];
  for await (const c of await getObjectStream(getConfig().ARCHIVE_BUCKET, approval.packageKey)) chunks.push(Buffer.from(c as Uint8Array));
  const bytes = Buffer.concat(chunks);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== approval.checksum) {
    throw new PackageInvalid('Tệp manifest của gói dữ liệu không khớp với mã kiểm tra đã ghi khi phê duyệt', {
      packageKey: approval.packageKey,
      expected: approval.checksum,
      actual: sha256,
    });
  }
  return { manifest: Manifest.parse(JSON.parse(bytes.toString('utf8'))), size: bytes.length };
}
