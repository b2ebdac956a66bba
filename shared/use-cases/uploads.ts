import { randomUUID } from 'node:crypto';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { appendAudit } from '../audit/audit.js';
import { s3 } from '../aws/clients.js';
import { abortMultipart, completeMultipart, createMultipart, listParts, presignParts } from '../aws/s3-multipart.js';
import { getBook } from '../books/book-repo.js';
import { assertUnitInScope, assertVisible } from '../books/book-rules.js';
import { getConfig } from '../config.js';
import { LegacyMapping } from '../entry/legacy/mapping.js';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors.js';
import { faultPoint } from '../faults.js';
import { logger } from '../logger.js';
import type { RequestContext } from '../request-context.js';
import { listUnits } from '../units/unit-repo.js';
import {
  extractContainer,
  MULTIPART_THRESHOLD,
  parseUploadKey,
  partLayout,
  type Upload,
  type UploadKind,
  type UploadRequest,
  uploadKey,
  uploadRules,
} from '../uploads/upload.js';
import { claimProcessing, findUpload, finishProcessing, insertUpload, markReceived, refuseRequested, releaseProcessing } from '../uploads/upload-repo.js';
import type { Role } from '../users/user.js';

const uploaders: Record<UploadKind, readonly Role[]> = {
  entry: ['entry_clerk', 'commune_officer'],
  scans: ['scan_contractor', 'commune_officer'],
  extract: ['commune_police'],
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
  if (req.kind === 'extract')
    throw new InvalidInput('Trích xuất CSDLQGVDC tải lên theo đơn vị: POST /units/{unitCode}/extracts', { issues: [{ path: 'kind', message: 'extract' }] });
  return issueUpload({ bookId, unitCode: book.unitCode }, req, ctx);
}

/** The commune police upload the register extract of their unit (CSV or Excel). @throws Forbidden, InvalidInput */
export async function requestExtractUpload(unitCode: string, req: Omit<UploadRequest, 'kind'>, ctx: RequestContext) {
  const units = await listUnits();
  assertUnitInScope(unitCode, ctx.principal, units);
  if (!units.some((u) => u.code === unitCode && u.level === 'commune'))
    throw new InvalidInput('Trích xuất tải lên cho cấp xã', { issues: [{ path: 'unitCode', message: 'Không phải mã xã' }] });
  return issueUpload({ bookId: extractContainer(unitCode), unitCode }, { ...req, kind: 'extract' }, ctx);
}

async function issueUpload(container: { bookId: string; unitCode: string }, req: UploadRequest, ctx: RequestContext) {
  const bookId = container.bookId;
  const book = container;
  if (!uploaders[req.kind].includes(ctx.principal.role)) throw new Forbidden('Vai trò của bạn không được tải lên loại tệp này');
  const rules = uploadRules[req.kind];
  const ext = req.fileName.slice(req.fileName.lastIndexOf('.')).toLowerCase();
  const issues: { path: string; message: string }[] = [];
  if (!rules.extensions.includes(ext)) issues.push({ path: 'fileName', message: `Chỉ nhận tệp ${rules.extensions.join(', ')}` });
  if (!rules.contentTypes.includes(req.contentType)) issues.push({ path: 'contentType', message: 'Loại nội dung không được chấp nhận' });
  const config = getConfig();
  const max = req.kind === 'scans' ? config.SCAN_UPLOAD_MAX_BYTES : config.UPLOAD_MAX_BYTES;
  if (req.size > max) issues.push({ path: 'size', message: `Tệp vượt quá giới hạn ${Math.round(max / 1024 / 1024)} MB` });
  if (req.legacyMapping) {
    const parsed = LegacyMapping.safeParse(req.legacyMapping);
    if (!parsed.success) issues.push(...parsed.error.issues.map((i) => ({ path: `legacyMapping.${i.path.join('.')}`, message: i.message })));
  }
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
    legacyMapping: req.kind === 'entry' ? req.legacyMapping : undefined,
  };
  upload.key = uploadKey(upload);
  const expiresIn = config.PRESIGN_TTL_SECONDS;
  if (req.multipart || (req.kind === 'scans' && req.size > MULTIPART_THRESHOLD)) return startMultipart(upload, ctx);
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
  await auditUpload(upload, ctx, 'upload.requested');
  return { uploadId, url: post.url, fields: post.fields, key: upload.key, expiresAt: new Date(Date.parse(ctx.now) + expiresIn * 1000).toISOString() };
}

/**
 * A large scans zip: an S3 multipart upload with one presigned URL per part. Parts can be retried,
 * an interrupted upload resumed (`uploadParts`), and nothing exists until `completeUpload`, which
 * checks the parts against the declared size before asking S3 to assemble them.
 */
async function startMultipart(upload: Upload, ctx: RequestContext) {
  const config = getConfig();
  const layout = partLayout(upload.size);
  const s3UploadId = await createMultipart(config.UPLOAD_BUCKET, upload.key, upload.contentType);
  const withParts: Upload = { ...upload, multipart: { s3UploadId, ...layout } };
  await insertUpload(withParts);
  await auditUpload(withParts, ctx, 'upload.requested');
  const ttl = 6 * 3600;
  const parts = await presignParts(config.UPLOAD_BUCKET, upload.key, s3UploadId, range(layout.partCount), ttl);
  return {
    uploadId: upload.uploadId,
    key: upload.key,
    multipart: { partSize: layout.partSize, partCount: layout.partCount, parts },
    expiresAt: new Date(Date.parse(ctx.now) + ttl * 1000).toISOString(),
  };
}

async function ownMultipart(bookId: string, uploadId: string, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  const upload = await findUpload(bookId, uploadId);
  if (!upload?.multipart) throw new NotFound('Không có lượt tải lên nhiều phần này', { uploadId });
  if (upload.requestedBy.userId !== ctx.principal.userId) throw new Forbidden('Chỉ người bắt đầu lượt tải lên được tiếp tục nó');
  return upload as Upload & { multipart: NonNullable<Upload['multipart']> };
}

/** Resume: which parts S3 already holds, and fresh URLs for the others. */
export async function uploadParts(bookId: string, uploadId: string, ctx: RequestContext) {
  const upload = await ownMultipart(bookId, uploadId, ctx);
  const config = getConfig();
  if (upload.status !== 'requested') return { uploadId, status: upload.status, done: [], missing: [] };
  const done = await listParts(config.UPLOAD_BUCKET, upload.key, upload.multipart.s3UploadId);
  const have = new Set(done.map((p) => p.partNumber));
  const missing = range(upload.multipart.partCount).filter((n) => !have.has(n));
  return {
    uploadId,
    status: upload.status,
    partSize: upload.multipart.partSize,
    done: done.map((p) => ({ partNumber: p.partNumber, size: p.size })),
    missing: await presignParts(config.UPLOAD_BUCKET, upload.key, upload.multipart.s3UploadId, missing, 6 * 3600),
  };
}

/**
 * Assemble the parts. Every part must be present and the total within the declared size; otherwise
 * 409 naming the missing parts (or 400 when too large, and the upload is aborted).
 * @throws NotFound, Forbidden, Conflict, InvalidInput
 */
export async function completeUpload(bookId: string, uploadId: string, ctx: RequestContext) {
  const upload = await ownMultipart(bookId, uploadId, ctx);
  const config = getConfig();
  const tooLarge = (total: number) =>
    new InvalidInput('Tổng dung lượng các phần vượt dung lượng đã khai báo; lượt tải lên đã bị hủy', {
      issues: [{ path: 'size', message: `${total} > ${upload.size}` }],
    });
  // Refused once, refused again (the same answer to a repeated request; the parts are gone).
  if (upload.status === 'rejected' && upload.outcome?.reason === 'PARTS_TOO_LARGE') throw tooLarge(Number(upload.outcome.total));
  if (upload.status !== 'requested') return { uploadId, status: upload.status };
  const parts = await listParts(config.UPLOAD_BUCKET, upload.key, upload.multipart.s3UploadId);
  const have = new Set(parts.map((p) => p.partNumber));
  const missing = range(upload.multipart.partCount).filter((n) => !have.has(n));
  const extra = parts.filter((p) => p.partNumber > upload.multipart.partCount);
  if (missing.length) throw new Conflict(`Còn thiếu ${missing.length} phần`, { missingParts: missing.slice(0, 100) });
  const total = parts.reduce((n, p) => n + p.size, 0);
  if (extra.length || total > upload.size) {
    // Recorded first, so a repeated request gets the same answer; an abort that fails is finished by the
    // upload bucket's lifecycle rule (incomplete multipart uploads aborted after 7 days).
    if (await refuseRequested(upload, { reason: 'PARTS_TOO_LARGE', total, declared: upload.size })) await auditUpload(upload, ctx, 'upload.refused');
    await abortMultipart(config.UPLOAD_BUCKET, upload.key, upload.multipart.s3UploadId);
    throw tooLarge(total);
  }
  await completeMultipart(config.UPLOAD_BUCKET, upload.key, upload.multipart.s3UploadId, parts);
  await auditUpload(upload, ctx, 'upload.completed');
  return { uploadId, status: 'completed' as const, size: total };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

async function auditUpload(upload: Upload, ctx: RequestContext, action: string) {
  await appendAudit({
    targetType: 'book',
    targetId: upload.bookId,
    action,
    actor: ctx.principal,
    at: ctx.now,
    requestId: ctx.requestId,
    after: {
      uploadId: upload.uploadId,
      kind: upload.kind,
      size: upload.size,
      contentType: upload.contentType,
      multipart: upload.multipart ? upload.multipart.partCount : undefined,
    },
  });
}

/** Processes one received upload of a kind (entry workbook, scans). */
export type UploadProcessor = (upload: Upload) => Promise<{ status: 'accepted' | 'rejected'; outcome: Record<string, unknown> }>;
export type UploadProcessors = Partial<Record<UploadKind, UploadProcessor>>;

/** The function's timeout: no invocation can hold a lease longer. */
const LEASE_MS = 15 * 60_000;

/**
 * An object arrived in the upload bucket (S3 event).
 * 1. Match it to its upload request; unknown keys are ignored (nothing to retry).
 * 2. Record the receipt once (duplicates of the event change nothing).
 * 3. Take the processing lease and run the kind's processor; a live lease held by another delivery
 *    means "someone is on it" (that delivery's own message comes back if it fails); an expired one
 *    (a worker died) is taken over.
 * 4. Record the final outcome. Processors write idempotently, so a takeover repeats safely.
 * The lease ends when the invocation must end (`leaseMs` = its remaining time): the queue's
 * visibility timeout is longer than the function's timeout, so a redelivered message always finds
 * the lease of a dead worker expired. A failed attempt gives the lease back at once.
 */
export async function recordObjectCreated(
  obj: { key: string; size: number; eTag: string; eventTime: string },
  processors: UploadProcessors = {},
  leaseMs = LEASE_MS,
) {
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
  const first = await markReceived(upload, obj.eventTime, obj.eTag, obj.size);
  faultPoint('upload.received', `upload:${upload.uploadId}`);
  // The receipt's audit entry: on the first delivery, and again (same key, so once) when a delivery
  // of this same event failed between the receipt and its audit entry.
  if (first || upload.receivedAt === obj.eventTime) {
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
  faultPoint('upload.receipt-recorded', `upload:${upload.uploadId}`);
  const processor = processors[upload.kind];
  if (!processor) return { outcome: 'received' as const, upload };
  upload = await findUpload(parsed.bookId, parsed.uploadId);
  const leased = upload && (await claimProcessing(upload, new Date(), Math.min(leaseMs, LEASE_MS)));
  if (!leased) return { outcome: 'duplicate' as const, upload };
  let result: Awaited<ReturnType<UploadProcessor>>;
  try {
    result = await processor(leased);
    faultPoint('upload.processed', `upload:${leased.uploadId}`);
  } catch (err) {
    await releaseProcessing(leased).catch(() => false);
    throw err;
  }
  await finishProcessing(leased, result.status, result.outcome);
  return { outcome: result.status, upload: leased };
}
