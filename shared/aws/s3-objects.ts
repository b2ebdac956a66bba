/**
 * Secondary adapter: S3 objects as streams, ranges and links. Bucket and keys are chosen by the
 * callers' modules; this file only moves bytes.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from './clients.js';

/** The object's body as a stream; `versionId` reads that version (a replaced scan keeps its old one). */
export async function getObjectStream(bucket: string, key: string, versionId?: string): Promise<Readable> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
  return res.Body as Readable;
}

export async function getObjectRange(bucket: string, key: string, offset: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

export async function headObject(bucket: string, key: string) {
  const res = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { size: res.ContentLength ?? 0, etag: res.ETag?.replace(/"/g, ''), versionId: res.VersionId };
}

export async function putObject(bucket: string, key: string, body: Buffer, contentType: string, metadata?: Record<string, string>) {
  const res = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, Metadata: metadata }));
  return { etag: res.ETag?.replace(/"/g, ''), versionId: res.VersionId };
}

/** A short-lived GET link (default 5 minutes), optionally as a download with a file name. */
export async function presignGet(bucket: string, key: string, opts: { expiresIn?: number; downloadName?: string } = {}) {
  const cmd = new GetObjectCommand({
    Bucket: bucket,
    Key: key,
    ...(opts.downloadName ? { ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(opts.downloadName)}` } : {}),
  });
  return { url: await getSignedUrl(s3, cmd, { expiresIn: opts.expiresIn ?? 300 }), expiresIn: opts.expiresIn ?? 300 };
}

/** Random access over an S3 object by ranged GETs (for zip central directories). */
export function s3ByteSource(bucket: string, key: string, size: number) {
  return { size, read: (offset: number, length: number) => getObjectRange(bucket, key, offset, length) };
}

