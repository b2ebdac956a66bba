/** Secondary adapter: S3 multipart uploads driven by presigned part URLs (browser → S3 directly). */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, ListPartsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from './clients.js';

export async function createMultipart(bucket: string, key: string, contentType: string): Promise<string> {
  const res = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
  return res.UploadId!;
}

export async function presignParts(bucket: string, key: string, s3UploadId: string, partNumbers: readonly number[], expiresIn: number) {
  return Promise.all(
    partNumbers.map(async (partNumber) => ({
      partNumber,
      url: await getSignedUrl(s3, new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: s3UploadId, PartNumber: partNumber }), { expiresIn }),
    })),
  );
}

/** Parts S3 holds for the upload (the server's truth, not the client's). */
export async function listParts(bucket: string, key: string, s3UploadId: string) {
  const parts: { partNumber: number; etag: string; size: number }[] = [];
  let marker: string | undefined;
  do {
    const res = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: s3UploadId, PartNumberMarker: marker }));
    for (const p of res.Parts ?? []) parts.push({ partNumber: p.PartNumber!, etag: p.ETag!, size: p.Size ?? 0 });
    marker = res.IsTruncated ? res.NextPartNumberMarker : undefined;
  } while (marker);
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

export async function completeMultipart(bucket: string, key: string, s3UploadId: string, parts: readonly { partNumber: number; etag: string }[]) {
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: s3UploadId,
      MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
    }),
  );
}

export async function abortMultipart(bucket: string, key: string, s3UploadId: string) {
  await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: s3UploadId }));
}
