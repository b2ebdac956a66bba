import { randomUUID } from 'node:crypto';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { appendAudit } from '../audit/audit.js';
import { getBook } from '../books/book-repo.js';
import { assertVisible } from '../books/book-rules.js';
import { s3 } from '../aws/clients.js';
import { getConfig } from '../config.js';
import { Forbidden, InvalidInput } from '../errors.js';
import { logger } from '../logger.js';
import type { RequestContext } from '../request-context.js';
import { listUnits } from '../units/unit-repo.js';
import type { Role } from '../users/user.js';
import { type Upload, type UploadKind, type UploadRequest, parseUploadKey, uploadKey, uploadRules } from '../uploads/upload.js';
import { claimProcessing, findUpload, finishProcessing, insertUpload, markReceived } from '../uploads/upload-repo.js';

const uploaders: Record<UploadKind, readonly Role[]> = {
  entry: ['entry_clerk', 'commune_officer'],
  scans: ['scan_contractor', 'commune_officer'],
};

/**
 * Issues a presigned POST bound to one key under the book's prefix, one content type and a size range.
 * 1. Book visible; caller's role may upload this kind; extension and content type match the kind.
 * 2. Size within the kind's limit (S3 enforces it again through `content-length-range`).
 * 3. Record the upload request (the S3 event is matched against it), audit, return url + fields.
 * @throws NotFound, Forbidden, InvalidInput
 */
export async function requestUpload(bookId: string, req: UploadRequest, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  if (!uploaders[req.kind].includes(ctx.principal.role)) throw new Forbidden('Vai trò của bạn không được tải lên loại tệp này');
  const rules = uploadRules[req.kind];
  const ext = req.fileName.slice(req.fileName.lastIndexOf('.')).toLowerCase();
  const issues: { path: string; message: string }[] = [];
  if (!rules.extensions.includes(ext)) issues.push({ path: 'fileName', message: `Chỉ nhận tệp ${rules.extensions.join(', ')}` });
  if (!rules.contentTypes.includes(req.contentType)) issues.push({ path: 'contentType', message: 'Loại nội dung không được chấp nhận' });
  const config = getConfig();
  const max = req.kind === 'entry' ? config.UPLOAD_MAX_BYTES : config.SCAN_UPLOAD_MAX_BYTES;
  if (req.size > max) issues.push({ path: 'size', message: `Tệp vượt quá giới hạn ${Math.round(max / 1024 / 1024)} MB` });
  if (issues.length) throw new InvalidInput('Yêu cầu tải lên không hợp lệ', { issues });

  const uploadId = randomUUID();
  const upload: Upload = {
    uploadId,
    bookId,
    unitCode: book.unitCode,
    kind: req.kind,
    fileName: req.fileName.normalize('NFC'),
    key: '',
    contentType: req.contentType,
    size: req.size,
    status: 'requested',
    version: 1,
    requestedBy: ctx.principal,
    requestedAt: ctx.now,
  };
  upload.key = uploadKey(upload);
  const expiresIn = config.PRESIGN_TTL_SECONDS;
  const post = await createPresignedPost(s3, {
    Bucket: config.UPLOAD_BUCKET,
    Key: upload.key,
    Conditions: [
      ['eq', '$key', upload.key],
      ['content-length-range', 1, Math.min(max, req.size)],
      ['eq', '$Content-Type', req.contentType],
    ],
    Fields: { 'Content-Type': req.contentType },
    Expires: expiresIn,
  });
  await insertUpload(upload);
  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: 'upload.requested',
    actor: ctx.principal,
    at: ctx.now,
    requestId: ctx.requestId,
    after: { uploadId, kind: req.kind, size: req.size, contentType: req.contentType },
  });
  return { uploadId, url: post.url, fields: post.fields, key: upload.key, expiresAt: new Date(Date.parse(ctx.now) + expiresIn * 1000).toISOString() };
}

/** Processes one received upload of a kind (entry workbook, scans). */
export type UploadProcessor = (upload: Upload) => Promise<{ status: 'accepted' | 'rejected'; outcome: Record<string, unknown> }>;
export type UploadProcessors = Partial<Record<UploadKind, UploadProcessor>>;

const LEASE_MS = 15 * 60_000;

/**
 * An object arrived in the upload bucket (S3 event).
 * 1. Match it to its upload request; unknown keys are ignored (nothing to retry).
 * 2. Record the receipt once (duplicates of the event change nothing).
 * 3. Take the processing lease and run the kind's processor; a live lease held by another delivery
 *    means "someone is on it"; an expired one (a worker died) is taken over.
 * 4. Record the final outcome. Processors write idempotently, so a takeover repeats safely.
 */
export async function recordObjectCreated(obj: { key: string; size: number; eTag: string; eventTime: string }, processors: UploadProcessors = {}) {
  const parsed = parseUploadKey(obj.key);
  if (!parsed) {
    logger.warn('Object outside the upload layout ignored', { keyLength: obj.key.length });
    return { outcome: 'ignored' as const };
  }
  let upload = await findUpload(parsed.bookId, parsed.uploadId);
  if (!upload || upload.key !== obj.key) {
    logger.warn('Object without a matching upload request ignored', { bookId: parsed.bookId, uploadId: parsed.uploadId });
    return { outcome: 'ignored' as const };
  }
  if (await markReceived(upload, obj.eventTime, obj.eTag, obj.size)) {
    await appendAudit({
      targetType: 'book',
      targetId: upload.bookId,
      action: 'upload.received',
      actor: upload.requestedBy,
      at: obj.eventTime,
      requestId: `upload:${upload.uploadId}`,
      after: { uploadId: upload.uploadId, kind: upload.kind, size: obj.size },
    });
  }
  const processor = processors[upload.kind];
  if (!processor) return { outcome: 'received' as const, upload };
  upload = await findUpload(parsed.bookId, parsed.uploadId);
  const leased = upload && (await claimProcessing(upload, new Date(), LEASE_MS));
  if (!leased) return { outcome: 'duplicate' as const, upload };
  const result = await processor(leased);
  await finishProcessing(leased, result.status, result.outcome);
  return { outcome: result.status, upload: leased };
}
