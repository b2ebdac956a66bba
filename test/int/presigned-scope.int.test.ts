/**
 * Presigned scope (issue 9 §2), with the links the application itself issues, against the local S3:
 * a presigned POST used after its expiry is refused by S3 and stores nothing; a multipart upload whose parts
 * add up to more than was declared is refused and aborted at completion, and stays refused.
 * (Writing outside the key, above the declared size or with another content type: `uploads.e2e`.)
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asUser } from '../support/api-client.js';
import { createBook } from '../support/book-flow.js';
import { lambdaContext, loadEvent, useLocalStackEnv } from '../support/handler-env.js';
import { postForm } from '../support/scan-files.js';

const { env } = useLocalStackEnv();
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const s3 = new S3Client({ region: env.AWS_REGION, forcePathStyle: true });

async function exists(key: string) {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: env.UPLOAD_BUCKET, Key: key }));
    return true;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

afterEach(() => vi.useRealTimers());

describe('presigned scope with the application’s own links', () => {
  it('a presigned POST issued by the API is refused by S3 after its expiry, and nothing is stored', async () => {
    const officer = await asUser('hotich.binhan');
    const bookId = await createBook(officer);
    const e = loadEvent('api/create-upload.json');
    Object.assign(e.requestContext.authorizer.jwt.claims, {
      sub: 'u-presign',
      'cognito:username': 'hotich.binhan',
      'cognito:groups': '[commune_officer]',
      'custom:unit': '90101',
    });
    e.pathParameters.bookId = bookId;
    e.body = JSON.stringify({ kind: 'entry', fileName: 'so.xlsx', contentType: XLSX, size: 10 });
    const { handler } = await import('../../functions/uploads/create.js');
    // The link is issued "16 minutes ago" (its lifetime is PRESIGN_TTL_SECONDS), then used now.
    const ttl = Number(env.PRESIGN_TTL_SECONDS ?? 900);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - (ttl + 60) * 1000);
    const res = await handler(e, lambdaContext as never);
    vi.useRealTimers();
    expect(res.statusCode, String(res.body)).toBe(201);
    const issued = JSON.parse(String(res.body)) as { url: string; fields: Record<string, string>; key: string; expiresAt: string };
    expect(Date.parse(issued.expiresAt)).toBeLessThan(Date.now());
    const posted = await postForm(issued, new Uint8Array(10), 'so.xlsx', XLSX);
    expect(posted.status).toBe(403);
    expect(await posted.text()).toContain('Policy expired');
    expect(await exists(issued.key)).toBe(false);
  });

  it('multipart parts adding up to more than declared: completion refused (400, size), the upload aborted, a second completion refused too', async () => {
    const contractor = await asUser('scan.binhan');
    const officer = await asUser('hotich.binhan');
    const bookId = await createBook(officer);
    const MiB = 1024 * 1024;
    const start = await contractor.post(`/books/${bookId}/uploads`, {
      kind: 'scans',
      fileName: 'giao.zip',
      contentType: 'application/zip',
      size: 17 * MiB,
      multipart: true,
    });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const { partSize, parts } = start.body.multipart as { partSize: number; parts: { partNumber: number; url: string }[] };
    expect(parts).toHaveLength(3);
    // Every part full size: 3 × 8 MiB = 24 MiB against 17 MiB declared (each part alone is within S3's rules).
    for (const p of parts) expect((await fetch(p.url, { method: 'PUT', body: new Uint8Array(partSize) })).status).toBe(200);
    const done = await contractor.post(`/books/${bookId}/uploads/${start.body.uploadId}/complete`);
    expect(done.status, JSON.stringify(done.body)).toBe(400);
    expect(done.body.details.issues[0].path).toBe('size');
    expect(await exists(start.body.key)).toBe(false);
    const again = await contractor.post(`/books/${bookId}/uploads/${start.body.uploadId}/complete`);
    expect(again.status, JSON.stringify(again.body)).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    expect(await exists(start.body.key)).toBe(false);
    const history = await officer.get(`/books/${bookId}/history`);
    expect((history.body.audit as { action: string }[]).map((x) => x.action)).not.toContain('upload.completed');
  });
});
