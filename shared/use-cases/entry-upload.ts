/**
 * Entry stage (issue 3): the clerk's workbook is read from S3 as a stream, twice at most — once to
 * validate every row and book rule, once either to write the records (valid) or the error workbook
 * (invalid). Valid → the records replace the previous entry version and the book moves to Scan;
 * invalid → nothing is written, the book stays in Entry, and the errors come back as a workbook.
 */
import { appendAudit } from '../audit/audit.js';
import { retryOnConflict } from '../aws/retry.js';
import { getObjectRange, getObjectStream, putObject } from '../aws/s3-objects.js';
import type { Book } from '../books/book.js';
import { getBook, saveBook } from '../books/book-repo.js';
import { isWaiting } from '../books/book-rules.js';
import { getConfig } from '../config.js';
import { putEntryReport } from '../entry/entry-report-repo.js';
import { writeErrorWorkbook } from '../entry/error-workbook.js';
import { InvalidWorkbook } from '../entry/errors.js';
import { INSPECT_BYTES, inspectWorkbookFile } from '../entry/file-check.js';
import { LegacyMapping } from '../entry/legacy/mapping.js';
import { readEntryRows } from '../entry/reader.js';
import { validateEntry } from '../entry/validate.js';
import { ActionNotAllowed } from '../errors.js';
import { faultPoint } from '../faults.js';
import type { BookRecord } from '../records/record.js';
import { allRecords, deleteRecords, putRecords } from '../records/record-repo.js';
import type { Upload } from '../uploads/upload.js';
import { submitSystemAction } from './submit-action.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function processEntryUpload(upload: Upload): Promise<{ status: 'accepted' | 'rejected'; outcome: Record<string, unknown> }> {
  const config = getConfig();
  const book = await getBook(upload.bookId);
  const at = upload.receivedAt ?? new Date().toISOString();
  const base = { bookId: book.bookId, uploadId: upload.uploadId, fileName: upload.fileName, at };
  const scope = `upload:${upload.uploadId}`;
  // A redelivery after this very upload was stored (a failure after `setEntry`): finish what is left.
  const applied = book.entry?.uploadId === upload.uploadId;
  /** The whole file refused (no row was read): the entry report says why. */
  const rejectFile = (code: string, message: string) =>
    putEntryReport({
      ...base,
      status: 'rejected',
      summary: { rows: 0, errors: 1, warnings: 0 },
      issues: [],
      issuesTruncated: false,
      fileError: { code, message },
    });
  if (!applied && (book.stage !== 'entry' || !isWaiting(book))) {
    await rejectFile('WRONG_STAGE', `Sổ đang ở giai đoạn "${book.stage}", không nhận tệp nhập liệu`);
    return { status: 'rejected', outcome: { code: 'WRONG_STAGE' } };
  }
  const mapping = upload.legacyMapping ? LegacyMapping.parse(upload.legacyMapping) : undefined;
  const open = async () => readEntryRows(await getObjectStream(config.UPLOAD_BUCKET, upload.key), { registerType: book.registerType, mapping });

  // 1. File-level checks, then every row and book rule, streaming.
  let result: Awaited<ReturnType<typeof validateEntry>>;
  try {
    inspectWorkbookFile(await getObjectRange(config.UPLOAD_BUCKET, upload.key, 0, Math.min(upload.size, INSPECT_BYTES)), upload.size, {
      maxBytes: config.UPLOAD_MAX_BYTES,
    });
    result = await validateEntry(await open(), {
      registerType: book.registerType,
      quyenSo: book.quyenSo,
      yearOpened: book.yearOpened,
      closingTotal: book.closingTotal,
    });
  } catch (err) {
    if (!(err instanceof InvalidWorkbook)) throw err;
    await rejectFile(String(err.details?.code ?? 'INVALID_WORKBOOK'), err.message);
    await audit(book, upload, 'entry.rejected', at, { code: err.details?.code });
    return { status: 'rejected', outcome: { code: err.details?.code } };
  }
  faultPoint('entry.validated', scope);
  const errors = result.issues.filter((i) => i.severity === 'error');
  const issues = result.issues.map((i) => ({ ruleId: i.ruleId, severity: i.severity, row: i.row, column: i.column, value: i.value, message: i.message }));

  // 2a. Invalid: nothing written; the rows read again into the error workbook.
  if (errors.length) {
    const key = `reports/${book.unitCode}/${book.bookId}/entry/${upload.uploadId}/loi-nhap-lieu.xlsx`;
    const workbook = await writeErrorWorkbook(await open(), result.issues, { registerType: book.registerType });
    await putObject(config.ARCHIVE_BUCKET, key, workbook, XLSX);
    await putEntryReport({
      ...base,
      status: 'rejected',
      summary: result.summary,
      issues,
      issuesTruncated: result.summary.issuesTruncated,
      errorWorkbookKey: key,
    });
    await audit(book, upload, 'entry.rejected', at, { rows: result.summary.rows, errors: result.summary.errors });
    return { status: 'rejected', outcome: { rows: result.summary.rows, errors: result.summary.errors, errorWorkbookKey: key } };
  }

  // 2b. Valid: records keyed by registration number replace the previous version (idempotent).
  //     Order for retries: records → audit → stale records removed → book → report → workflow. Each
  //     step can be repeated; the audit entry is written while what it describes (the version replaced,
  //     the records removed) can still be computed the same way, and its key makes a repeat a no-op.
  let records = book.entry?.records ?? 0;
  if (!applied) {
    const previous = new Set<string>();
    for await (const r of allRecords(book.bookId)) previous.add(r.so);
    const written = new Set<string>();
    let batch: BookRecord[] = [];
    const flush = async () => {
      await putRecords(batch);
      batch = [];
      faultPoint('entry.batch-written', scope);
    };
    for await (const row of await open()) {
      const so = row.values.so!;
      written.add(so);
      batch.push({
        bookId: book.bookId,
        so,
        registerType: book.registerType,
        rowNumber: row.rowNumber,
        fields: row.values,
        entryVersion: upload.uploadId,
        version: 1,
        updatedAt: at,
        corrections: [],
      });
      if (batch.length >= 100) await flush();
    }
    if (batch.length) await flush();
    faultPoint('entry.records-written', scope);
    // Records of an earlier attempt of this upload are not "previous"; the replaced version is the book's.
    const stale = [...previous].filter((so) => !written.has(so));
    await audit(book, upload, 'entry.accepted', at, {
      records: written.size,
      warnings: result.summary.warnings,
      replacedVersion: book.entry?.uploadId ?? null,
      previousRecords: book.entry?.records ?? 0,
      removed: stale.length,
    });
    faultPoint('entry.audited', scope);
    if (stale.length) await deleteRecords(book.bookId, stale);
    await setEntry(book.bookId, upload, written.size, at);
    faultPoint('entry.book-updated', scope);
    records = written.size;
  }
  await putEntryReport({ ...base, status: 'accepted', summary: result.summary, issues, issuesTruncated: result.summary.issuesTruncated });
  faultPoint('entry.report-written', scope);
  try {
    await submitSystemAction(book.bookId, { action: 'completeEntry' }, { principal: upload.requestedBy, requestId: scope, now: at });
  } catch (err) {
    // Already handed over (a redelivery after the workflow moved on), or the book left Entry meanwhile.
    if (!(err instanceof ActionNotAllowed)) throw err;
  }
  return { status: 'accepted', outcome: { records, warnings: result.summary.warnings } };
}

async function setEntry(bookId: string, upload: Upload, records: number, at: string) {
  await retryOnConflict(async () => {
    const book = await getBook(bookId);
    await saveBook(
      {
        ...book,
        entry: { uploadId: upload.uploadId, keyedBy: upload.requestedBy, acceptedAt: at, records },
        counts: { ...book.counts, records },
        updatedAt: at,
      },
      book.version,
    );
  });
}

async function audit(book: Book, upload: Upload, action: string, at: string, after: Record<string, unknown>) {
  await appendAudit({
    targetType: 'book',
    targetId: book.bookId,
    action,
    actor: upload.requestedBy,
    at,
    requestId: `upload:${upload.uploadId}`,
    after: { uploadId: upload.uploadId, ...after },
  });
}
