/**
 * Secondary adapter: writes a stream of unknown length to S3 in flat memory — a multipart upload
 * fed part by part (at most two parts in memory: one being read, one being sent), or a single
 * PutObject when the whole stream fits in one part. Counts bytes and SHA-256 on the way.
 */
import { createHash } from 'node:crypto';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { logger } from '../logger.js';
import { s3 } from './clients.js';

/** Content-MD5 on every write: S3 checks each part, and Object Lock buckets (the archive) require it. */
const md5 = (data: Buffer) => createHash('md5').update(data).digest('base64');

/** 8 MiB: above S3's 5 MiB minimum part size; 10,000 parts ≈ 80 GB, far above any book. */
export const STREAM_PART_SIZE = 8 * 1024 * 1024;

export interface StreamUploadResult {
  size: number;
  sha256: string;
  versionId?: string;
}

/**
 * Uploads `body` to `bucket/key`. When the body fails (or throws), the multipart upload is aborted
 * and the error rethrown: no partial object is ever visible under the key.
 */
export async function uploadStream(
  bucket: string,
  key: string,
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  opts: { contentType: string; metadata?: Record<string, string>; partSize?: number },
): Promise<StreamUploadResult> {
  const partSize = Math.max(opts.partSize ?? STREAM_PART_SIZE, 5 * 1024 * 1024);
  const hash = createHash('sha256');
  let size = 0;
  let chunks: Buffer[] = [];
  let buffered = 0;
  let uploadId: string | undefined;
  const parts: { PartNumber: number; ETag: string }[] = [];
  let inFlight: Promise<void> | undefined;

  const sendPart = async (data: Buffer) => {
    if (!uploadId) {
      const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: opts.contentType, Metadata: opts.metadata }));
      uploadId = created.UploadId!;
    }
    const PartNumber = parts.length + 1;
    const slot = { PartNumber, ETag: '' };
    parts.push(slot);
    const res = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: data, ContentMD5: md5(data) }));
    slot.ETag = res.ETag!;
  };
  const flush = async () => {
    const data = Buffer.concat(chunks, buffered);
    chunks = [];
    buffered = 0;
    // One part in flight while the next is read; wait for it before sending another (parts in order, bounded memory).
    if (inFlight) await inFlight;
    inFlight = sendPart(data);
    // Keep an unawaited rejection from being reported as unhandled; it is awaited before the next part or completion.
    inFlight.catch(() => {});
  };

  try {
    for await (const chunk of body) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      hash.update(buf);
      size += buf.length;
      chunks.push(buf);
      buffered += buf.length;
      if (buffered >= partSize) await flush();
    }
    if (!inFlight) {
      // Fits in one part: a plain PUT.
      const data = Buffer.concat(chunks, buffered);
      const res = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentMD5: md5(data), ContentType: opts.contentType, Metadata: opts.metadata }));
      return { size, sha256: hash.digest('hex'), versionId: res.VersionId };
    }
    if (buffered > 0) await flush();
    await inFlight;
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    return { size, sha256: hash.digest('hex'), versionId: done.VersionId };
  } catch (err) {
    if (inFlight) await inFlight.catch(() => {});
    if (uploadId) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch((abortErr: unknown) =>
        logger.warn('Could not abort a failed multipart upload (the bucket lifecycle rule removes it)', { key, error: (abortErr as Error).name }),
      );
    }
    throw err;
  }
}
