/**
 * Scan stage (issue 4): a contractor's delivery — a zip of PDFs or a single PDF — is checked entry by
 * entry, each valid PDF stored as the scan of its record, and the book moves to Review once every
 * record has exactly one valid scan. Otherwise it stays in Scan and the contractor gets the
 * acceptance report.
 */
import { appendAudit } from '../audit/audit.js';
import { sendRawEmail } from '../aws/mailer.js';
import { retryOnConflict } from '../aws/retry.js';
import { getObjectRange, putObject, s3ByteSource } from '../aws/s3-objects.js';
import type { Book } from '../books/book.js';
import { getBook, saveBook } from '../books/book-repo.js';
import { isWaiting } from '../books/book-rules.js';
import { registerTypeTitles } from '../books/register-type.js';
import { getConfig } from '../config.js';
import { ActionNotAllowed } from '../errors.js';
import { logger } from '../logger.js';
import { buildNoticeEmail } from '../notify/notice-email.js';
import type { BookRecord } from '../records/record.js';
import { allRecords, getRecord, saveRecord } from '../records/record-repo.js';
import { writeAcceptanceReport } from '../scans/acceptance-report.js';
import { assessCompleteness } from '../scans/completeness.js';
import { InvalidArchive } from '../scans/errors.js';
import { processScanArchive, processSinglePdf, type ScanSink } from '../scans/process-scans.js';
import type { ExistingScan, ScanRun } from '../scans/scan-outcome.js';
import { putScanReport } from '../scans/scan-report-repo.js';
import type { Upload } from '../uploads/upload.js';
import { submitSystemAction } from './submit-action.js';

const SINGLE_PDF_MAX = 50 * 1024 * 1024;

/** Where a record's accepted scan lives: one key per record, versions kept by the bucket. */
export function scanKey(book: Pick<Book, 'unitCode' | 'bookId'>, so: string): string {
  return `scans/${book.unitCode}/${book.bookId}/${so.replace('/', '-')}.pdf`;
}

/**
 * 1. The book must be waiting in Scan (a delivery for a book elsewhere is refused, nothing stored).
 * 2. Process the zip (random access over S3) or the single PDF against the book's records, storing
 *    each accepted PDF and recording it on its record (a replacement keeps the old version, audited).
 * 3. Assess completeness with what earlier deliveries stored; write the acceptance report.
 * 4. Complete → the Scan stage completes (system action on behalf of the contractor);
 *    incomplete → the contractor is notified with the report.
 */
export async function processScanUpload(upload: Upload): Promise<{ status: 'accepted' | 'rejected'; outcome: Record<string, unknown> }> {
  const config = getConfig();
  const book = await getBook(upload.bookId);
  if (book.stage !== 'scan') {
    return reject(upload, book, 'WRONG_STAGE', `Sổ đang ở giai đoạn "${book.stage}", chưa nhận bản scan`);
  }
  const records: BookRecord[] = [];
  for await (const r of allRecords(book.bookId)) records.push(r);
  const expected = records.map((r) => ({ so: r.so, tenFile: r.fields.TenFile ?? null }));
  const existing: ExistingScan[] = records
    .filter((r) => r.scan)
    .map((r) => ({ so: r.so, sha256: r.scan!.sha256, size: r.scan!.size, pages: r.scan!.pages, fileName: r.scan!.fileName }));

  const sink: ScanSink = {
    store: async (target, data, meta) => {
      const key = scanKey(book, target.so);
      const stored = await putObject(config.ARCHIVE_BUCKET, key, data, 'application/pdf', { sha256: meta.sha256, 'upload-id': upload.uploadId });
      const scan = {
        key,
        fileName: target.fileName,
        sha256: meta.sha256,
        size: meta.size,
        pages: meta.pages,
        versionId: stored.versionId,
        uploadId: upload.uploadId,
      };
      const record = await attachScan(book.bookId, target.so, scan, meta.previousSha256 !== undefined);
      if (meta.previousSha256) {
        await appendAudit({
          targetType: 'book',
          targetId: book.bookId,
          action: 'scan.replaced',
          actor: upload.requestedBy,
          at: upload.receivedAt ?? new Date().toISOString(),
          requestId: `upload:${upload.uploadId}:${target.so}`,
          before: { so: target.so, sha256: meta.previousSha256 },
          after: { so: target.so, sha256: meta.sha256, versionId: stored.versionId, reviewReset: record.review === undefined },
        });
      }
    },
  };

  let run: ScanRun;
  try {
    if (upload.fileName.toLowerCase().endsWith('.pdf')) {
      const data = await getObjectRange(config.UPLOAD_BUCKET, upload.key, 0, Math.min(upload.size, SINGLE_PDF_MAX));
      run = await processSinglePdf(upload.fileName, data, expected, sink, { existing });
    } else {
      run = await processScanArchive(s3ByteSource(config.UPLOAD_BUCKET, upload.key, upload.size), expected, sink, { existing });
    }
  } catch (err) {
    if (err instanceof InvalidArchive) return reject(upload, book, String(err.details?.reason ?? 'INVALID_ARCHIVE'), err.message);
    throw err;
  }

  const result = assessCompleteness(expected, run, existing);
  const at = upload.receivedAt ?? new Date().toISOString();
  const reportKey = `reports/${book.unitCode}/${book.bookId}/scans/${upload.uploadId}/bien-ban-nghiem-thu.xlsx`;
  const workbook = await writeAcceptanceReport({ bookId: book.bookId, quyenSo: book.quyenSo, registerType: book.registerType }, result, new Date(at));
  await putObject(config.ARCHIVE_BUCKET, reportKey, workbook, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  await putScanReport({
    bookId: book.bookId,
    uploadId: upload.uploadId,
    fileName: upload.fileName,
    at,
    complete: result.complete,
    counts: { ...result.counts },
    reworkRate: result.reworkRate,
    missing: result.missing.map((m) => ({ so: m.so, expectedName: m.expectedName })),
    files: result.files.map((f) => ({ entryName: f.entryName, status: f.status, reason: f.reason, so: f.so })),
    filesTruncated: false,
    reportKey,
  });
  await updateScanCount(book.bookId, at);
  await appendAudit({
    targetType: 'book',
    targetId: book.bookId,
    action: result.complete ? 'scan.complete' : 'scan.incomplete',
    actor: upload.requestedBy,
    at,
    requestId: `upload:${upload.uploadId}`,
    after: { uploadId: upload.uploadId, counts: result.counts, reworkRate: result.reworkRate },
  });

  if (result.complete) {
    await completeScanStage(book.bookId, upload, at);
  } else {
    await notifyContractor(upload, book, result.counts.missing, workbook);
  }
  return { status: 'accepted', outcome: { complete: result.complete, counts: result.counts, reportKey } };
}

/** Records the scan on its record; a replaced scan clears the record's review (it must be checked again). */
async function attachScan(bookId: string, so: string, scan: NonNullable<BookRecord['scan']>, replaced: boolean): Promise<BookRecord> {
  return retryOnConflict(async () => {
    const record = await getRecord(bookId, so);
    return saveRecord({ ...record, scan, review: replaced ? undefined : record.review, updatedAt: new Date().toISOString() }, record.version);
  });
}

async function updateScanCount(bookId: string, at: string) {
  let scans = 0;
  for await (const r of allRecords(bookId)) if (r.scan) scans++;
  await retryOnConflict(async () => {
    const book = await getBook(bookId);
    if (book.counts.scans !== scans) await saveBook({ ...book, counts: { ...book.counts, scans }, updatedAt: at }, book.version);
  });
}

async function completeScanStage(bookId: string, upload: Upload, at: string) {
  try {
    await submitSystemAction(bookId, { action: 'completeScan' }, { principal: upload.requestedBy, requestId: `upload:${upload.uploadId}`, now: at });
  } catch (err) {
    // Another delivery of the same event already completed the stage: nothing left to do.
    if (err instanceof ActionNotAllowed) return;
    throw err;
  }
}

async function notifyContractor(upload: Upload, book: Book, missing: number, workbook: Buffer) {
  const to = upload.requestedBy.email;
  if (!to) return;
  const config = getConfig();
  const subject = `Biên bản nghiệm thu bản scan: sổ ${registerTypeTitles[book.registerType]} quyển ${book.quyenSo} chưa đủ (${missing} bản ghi thiếu bản scan)`;
  const raw = await buildNoticeEmail({
    from: config.MAIL_FROM,
    to: [to],
    subject,
    lines: [
      `Đợt giao "${upload.fileName}" cho sổ ${book.bookId} đã được kiểm tra.`,
      `Còn ${missing} bản ghi chưa có bản scan hợp lệ. Chi tiết từng tệp (nhận/không nhận, mã lý do) trong biên bản đính kèm.`,
      'Chỉ cần gửi bổ sung các tệp còn thiếu hoặc bị từ chối.',
    ],
    attachment: {
      fileName: `bien-ban-nghiem-thu-${book.bookId}.xlsx`,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      content: workbook,
    },
    messageId: `<scan-${upload.uploadId}@hotich>`,
  });
  await sendRawEmail(config.MAIL_FROM, [to], raw).catch((err: Error) => {
    // The report is stored and shown by GET /books/{id}/scan-report; a failed notice is logged, not fatal.
    logger.warn('Contractor notice not sent', { bookId: book.bookId, error: err.name });
  });
}

async function reject(upload: Upload, book: Book, code: string, message: string) {
  const at = upload.receivedAt ?? new Date().toISOString();
  await putScanReport({
    bookId: book.bookId,
    uploadId: upload.uploadId,
    fileName: upload.fileName,
    at,
    complete: false,
    counts: {},
    reworkRate: 1,
    missing: [],
    files: [],
    filesTruncated: false,
    reportKey: '',
    archiveError: { code, message },
  });
  await appendAudit({
    targetType: 'book',
    targetId: book.bookId,
    action: 'scan.rejected',
    actor: upload.requestedBy,
    at,
    requestId: `upload:${upload.uploadId}`,
    after: { uploadId: upload.uploadId, code },
  });
  return { status: 'rejected' as const, outcome: { code, message } };
}

/** Whether a book can take a scan delivery now (for the upload form). */
export function acceptsScans(book: Book): boolean {
  return book.stage === 'scan' && isWaiting(book);
}
