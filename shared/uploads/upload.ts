import { z } from 'zod';
import { BIDI_CONTROLS } from '../unicode.js';
import { Principal } from '../users/user.js';

export const UploadKind = z.enum(['entry', 'scans', 'extract']);
export type UploadKind = z.infer<typeof UploadKind>;

/** What each kind accepts. Extensions and content types are checked again when the file is processed. */
export const uploadRules: Record<UploadKind, { extensions: string[]; contentTypes: string[] }> = {
  entry: {
    extensions: ['.xlsx'],
    contentTypes: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  },
  scans: { extensions: ['.zip', '.pdf'], contentTypes: ['application/zip', 'application/x-zip-compressed', 'application/pdf'] },
  extract: { extensions: ['.csv', '.xlsx'], contentTypes: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
};

/** Extracts belong to a unit, not a book: their "book" segment is this container id. */
export const extractContainer = (unitCode: string) => `EXTRACT-${unitCode}`;

/**
 * No path separators, no control characters, not "." or "..": the name becomes the last key segment.
 * Bidirectional controls are refused too: "so\u202Eexe.xlsx" would be shown as "soxslx.exe".
 */
function isSafeFileName(n: string): boolean {
  if (n === '.' || n === '..' || n.includes('/') || n.includes('\\')) return false;
  if (BIDI_CONTROLS.test(n)) return false;
  return [...n].every((c) => c.charCodeAt(0) >= 0x20 && (c.charCodeAt(0) < 0x7f || c.charCodeAt(0) > 0x9f));
}

/** Multipart: parts of at least 8 MiB (S3's minimum is 5), at most 10,000 parts. */
export function partLayout(size: number): { partSize: number; partCount: number } {
  const MiB = 1024 * 1024;
  const partSize = Math.max(8 * MiB, Math.ceil(size / 10_000 / MiB) * MiB);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

export const MULTIPART_THRESHOLD = 64 * 1024 * 1024;

/** Body of POST /books/{bookId}/uploads. */
export const UploadRequest = z.strictObject({
  kind: UploadKind,
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(isSafeFileName, 'Tên tệp không hợp lệ'),
  contentType: z.string().min(1).max(100),
  size: z.number().int().positive(),
  /** Ask for an S3 multipart upload (resumable, retried per part); forced above the multipart threshold. */
  multipart: z.boolean().optional(),
  /** Entry only: a column mapping for a legacy (MISA-era) export, see docs/entry-template.md. */
  legacyMapping: z.record(z.string(), z.unknown()).optional(),
});
export type UploadRequest = z.infer<typeof UploadRequest>;

/**
 * requested (presigned POST issued) → received (S3 event) → processing (leased to one worker) →
 * accepted | rejected (final). A worker that dies leaves `processing` with an expired lease, and the
 * redelivered event takes it over; duplicates of the event while the lease is live do nothing.
 */
export const UploadStatus = z.enum(['requested', 'received', 'processing', 'accepted', 'rejected']);
export type UploadStatus = z.infer<typeof UploadStatus>;
export const finalUploadStatuses: readonly UploadStatus[] = ['accepted', 'rejected'];

export const Upload = z.object({
  uploadId: z.string(),
  bookId: z.string(),
  unitCode: z.string(),
  kind: UploadKind,
  fileName: z.string(),
  key: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  status: UploadStatus,
  requestedBy: Principal,
  requestedAt: z.string(),
  receivedAt: z.string().optional(),
  etag: z.string().optional(),
  leaseUntil: z.string().optional(),
  legacyMapping: z.record(z.string(), z.unknown()).optional(),
  /** S3 multipart upload id and part layout when the upload is multipart. */
  multipart: z.object({ s3UploadId: z.string(), partSize: z.number().int(), partCount: z.number().int() }).optional(),
  version: z.number().int().min(1).default(1),
  /** Outcome summary once final (counts, report keys); details live with the stage's own items. */
  outcome: z.record(z.string(), z.unknown()).optional(),
});
export type Upload = z.infer<typeof Upload>;

/**
 * Object key of an upload. Bound to the unit and the book so IAM, lifecycle rules and the S3 event
 * router can rely on the prefix: uploads/<unit>/<bookId>/<kind>/<uploadId>/<fileName>.
 */
export function uploadKey(u: Pick<Upload, 'unitCode' | 'bookId' | 'kind' | 'uploadId' | 'fileName'>): string {
  return `uploads/${u.unitCode}/${u.bookId}/${u.kind}/${u.uploadId}/${u.fileName}`;
}

const KEY = /^uploads\/(\d{5})\/([^/]+)\/(entry|scans|extract)\/([0-9a-f-]{36})\/([^/]+)$/;

/** Parses a key written by `uploadKey`; undefined for anything else. */
export function parseUploadKey(key: string) {
  const m = KEY.exec(key);
  if (!m) return undefined;
  return { unitCode: m[1]!, bookId: m[2]!, kind: m[3] as UploadKind, uploadId: m[4]!, fileName: m[5]! };
}
