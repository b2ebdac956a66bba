/**
 * The local S3 service against the real AWS SDK, fetch and FormData: real servers, no mocks.
 * Each check is one AWS behaviour our upload flows rely on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsChunkedDecoder } from '../../infra/local/s3/aws-chunked.js';
import { type LocalS3, startLocalS3 } from '../../infra/local/s3/local-s3.js';
import { FILENAME_VARIABLE } from '../../infra/local/s3/post-object.js';
import { authenticate } from '../../infra/local/s3/sigv4.js';

const REGION = 'ap-southeast-1';
const CREDENTIALS = { accessKeyId: 'LOCALS3TESTKEY', secretAccessKey: 'local/s3+test-secret' };
const BUCKET = 'uploads'; // cors: true
const PRIVATE_BUCKET = 'reports'; // no CORS
const ORIGIN = 'http://localhost:5173';
const MiB = 1024 * 1024;

let s3: LocalS3;
let dataDir: string;
const events: S3EventRecord[] = [];

async function start(): Promise<LocalS3> {
  return startLocalS3({
    port: 0,
    dataDir,
    credentials: CREDENTIALS,
    region: REGION,
    buckets: [{ name: BUCKET, cors: true }, { name: PRIVATE_BUCKET }],
    onObjectCreated: (record) => {
      events.push(record);
      if (record.s3.object.key.startsWith('boom')) throw new Error('callback failure must not break S3');
    },
  });
}

function client(config: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: s3.url,
    forcePathStyle: true,
    region: REGION,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    ...config,
  });
}

async function waitForEvent(predicate: (r: S3EventRecord) => boolean, timeoutMs = 5000): Promise<S3EventRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('no matching S3 event');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function getBytes(c: S3Client, key: string, bucket = BUCKET): Promise<Buffer> {
  const out = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

async function sdkError(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the S3 call to fail');
}

const errorCode = (xml: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-s3-test-'));
  s3 = await start();
});

afterAll(async () => {
  await s3?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SigV4 (header and presigned)', () => {
  it('round-trips binary bytes with a WHEN_REQUIRED client and fires ObjectCreated:Put', async () => {
    const data = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(300_000)]);
    const put = await client().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bin/all-bytes.bin', Body: data }));
    expect(put.ETag).toBe(`"${md5(data)}"`);
    expect((await getBytes(client(), 'bin/all-bytes.bin')).equals(data)).toBe(true);
    const event = await waitForEvent((r) => r.s3.object.key === 'bin/all-bytes.bin');
    expect(event.eventName).toBe('ObjectCreated:Put');
    expect(event.eventVersion).toBe('2.1');
    expect(event.eventSource).toBe('aws:s3');
    expect(event.awsRegion).toBe(REGION);
    expect(event.s3.bucket).toMatchObject({ name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` });
    expect(event.s3.object.size).toBe(data.length);
    expect(event.s3.object.eTag).toBe(md5(data));
    expect(event.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(event.s3.object).not.toHaveProperty('versionId');
  });

  it('decodes aws-chunked bodies from a client with default checksums (streams and buffers)', async () => {
    const c = client({ requestChecksumCalculation: 'WHEN_SUPPORTED' });
    const seen: Record<string, string>[] = [];
    c.middlewareStack.add(
      (next) => async (args) => {
        seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'deserialize', name: 'captureHeaders' },
    );
    const data = randomBytes(200_000);
    await c.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'bin/chunked.bin',
        Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]),
        ContentLength: data.length,
      }),
    );
    expect(seen[0]?.['content-encoding']).toContain('aws-chunked');
    expect(seen[0]?.['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect((await getBytes(c, 'bin/chunked.bin')).equals(data)).toBe(true);
    const head = await c.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'bin/chunked.bin' }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ContentEncoding).toBeUndefined();

    await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bin/crc-header.bin', Body: data }));
    expect(seen[seen.length - 1]?.['x-amz-checksum-crc32']).toBeDefined();
    expect((await getBytes(c, 'bin/crc-header.bin')).equals(data)).toBe(true);
  });

  it('rejects an aws-chunked body corrupted in transit (trailer CRC32 mismatch) and stores nothing', async () => {
    const c = client({ requestChecksumCalculation: 'WHEN_SUPPORTED' });
    async function* flipFirstDataByte(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
      const chunks: Buffer[] = [];
      for await (const chunk of source) chunks.push(Buffer.from(chunk));
      const raw = Buffer.concat(chunks);
      const at = raw.indexOf('\r\n') + 2;
      raw[at] = (raw[at] ?? 0) ^ 0xff;
      yield raw;
    }
    c.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string>; body: AsyncIterable<Uint8Array> };
        expect(request.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');
        request.body = Readable.from(flipFirstDataByte(request.body));
        return next(args);
      },
      { step: 'deserialize', name: 'corruptBody' },
    );
    const data = randomBytes(10_000);
    const err = await sdkError(
      c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bin/corrupted.bin', Body: Readable.from([data]), ContentLength: data.length })),
    );
    expect(err).toMatchObject({ name: 'BadDigest', status: 400 });
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'bin/corrupted.bin' })))).status).toBe(404);
  });

  it('rejects a body that does not match its checksum (BadDigest) and stores nothing', async () => {
    const err = await sdkError(
      client().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bin/bad-crc.bin', Body: Buffer.from('hello'), ChecksumCRC32: 'AAAAAA==' })),
    );
    expect(err).toMatchObject({ name: 'BadDigest', status: 400 });
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'bin/bad-crc.bin' })))).status).toBe(404);
  });

  it('round-trips a key with Vietnamese characters, spaces and "+", and URL-encodes it in the event', async () => {
    const key = 'h\u1ed3 s\u01a1/Gi\u1ea5y khai sinh (b\u1ea3n sao) +1.pdf'; // "hồ sơ/Giấy khai sinh (bản sao) +1.pdf"
    const data = randomBytes(1000);
    await client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data, ContentType: 'application/pdf' }));
    expect((await getBytes(client(), key)).equals(data)).toBe(true);
    const listed = await client().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'h\u1ed3 s\u01a1/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
    const event = await waitForEvent((r) => r.s3.object.key.startsWith('h%E1%BB%93'));
    expect(event.s3.object.key).toBe('h%E1%BB%93+s%C6%A1/Gi%E1%BA%A5y+khai+sinh+%28b%E1%BA%A3n+sao%29+%2B1.pdf');
    expect(decodeURIComponent(event.s3.object.key.replace(/\+/g, ' '))).toBe(key);
  });

  it('rejects a wrong secret, an unknown key, another region and unsigned requests', async () => {
    const wrongSecret = client({ credentials: { ...CREDENTIALS, secretAccessKey: 'not-the-secret' } });
    expect(await sdkError(wrongSecret.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'bin/all-bytes.bin' })))).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    const putErr = await sdkError(wrongSecret.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bin/forged.bin', Body: 'x' })));
    expect(putErr).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'bin/forged.bin' })))).status).toBe(404);

    const unknownKey = client({ credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: CREDENTIALS.secretAccessKey } });
    expect(await sdkError(unknownKey.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'bin/all-bytes.bin' })))).toMatchObject({
      name: 'InvalidAccessKeyId',
      status: 403,
    });
    const otherRegion = client({ region: 'us-east-1' });
    expect(await sdkError(otherRegion.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'bin/all-bytes.bin' })))).toMatchObject({
      name: 'AuthorizationHeaderMalformed',
      status: 400,
    });

    const anonymous = await fetch(`${s3.url}/${BUCKET}/bin/all-bytes.bin`);
    expect(anonymous.status).toBe(403);
    expect(errorCode(await anonymous.text())).toBe('AccessDenied');
  });

  it('serves presigned GETs until they expire, and rejects tampered ones', async () => {
    const command = new GetObjectCommand({ Bucket: BUCKET, Key: 'bin/all-bytes.bin', ResponseContentDisposition: 'attachment; filename="a b.bin"' });
    const ok = await fetch(await getSignedUrl(client(), command, { expiresIn: 60 }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toBe('attachment; filename="a b.bin"');
    expect(
      Buffer.from(await ok.arrayBuffer())
        .subarray(0, 256)
        .equals(Buffer.from(Array.from({ length: 256 }, (_, i) => i))),
    ).toBe(true);

    const expiredUrl = await getSignedUrl(client(), command, { expiresIn: 60, signingDate: new Date(Date.now() - 61_000) });
    const expired = await fetch(expiredUrl);
    expect(expired.status).toBe(403);
    const expiredXml = await expired.text();
    expect(errorCode(expiredXml)).toBe('AccessDenied');
    expect(expiredXml).toContain('Request has expired');

    const tampered = await fetch((await getSignedUrl(client(), command, { expiresIn: 60 })).replace('all-bytes', 'chunked'));
    expect(tampered.status).toBe(403);
    expect(errorCode(await tampered.text())).toBe('SignatureDoesNotMatch');
  });

  it('accepts presigned PUTs, and rejects them as AWS does when the URL carries an empty-body CRC32', async () => {
    const data = randomBytes(10_000);
    const url = await getSignedUrl(client(), new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned/put.bin' }), { expiresIn: 60 });
    const put = await fetch(url, { method: 'PUT', body: data });
    expect(put.status).toBe(200);
    expect((await getBytes(client(), 'presigned/put.bin')).equals(data)).toBe(true);

    const defaultClient = client({ requestChecksumCalculation: 'WHEN_SUPPORTED' });
    const crcUrl = await getSignedUrl(defaultClient, new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned/crc.bin' }), { expiresIn: 60 });
    expect(crcUrl).toContain('x-amz-checksum-crc32=AAAAAA%3D%3D');
    const rejected = await fetch(crcUrl, { method: 'PUT', body: data });
    expect(rejected.status).toBe(400);
    expect(errorCode(await rejected.text())).toBe('BadDigest');
  });

  it('fires ObjectCreated:Copy and survives a throwing callback', async () => {
    await client().send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copies/all-bytes.bin', CopySource: `${BUCKET}/bin/all-bytes.bin` }));
    const event = await waitForEvent((r) => r.s3.object.key === 'copies/all-bytes.bin');
    expect(event.eventName).toBe('ObjectCreated:Copy');
    expect(event.s3.object.size).toBe(256 + 300_000);

    const put = await client().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'boom.txt', Body: 'still stored' }));
    expect(put.ETag).toBeDefined();
    expect((await getBytes(client(), 'boom.txt')).toString()).toBe('still stored');
  });
});

describe('presigned POST', () => {
  type Conditions = NonNullable<PresignedPostOptions['Conditions']>;
  async function presign(key: string, conditions: Conditions, fields: Record<string, string> = {}, expires = 60) {
    return createPresignedPost(client(), { Bucket: BUCKET, Key: key, Conditions: conditions, Fields: fields, Expires: expires });
  }

  async function post(url: string, fields: Record<string, string>, file: Buffer, filename = 'scan.pdf', headers: Record<string, string> = {}) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([file]), filename);
    return fetch(url, { method: 'POST', body: form, headers });
  }

  const pdfPolicy: Conditions = [
    ['content-length-range', 1, 64 * 1024],
    ['starts-with', '$Content-Type', 'application/pdf'],
  ];

  it('stores an upload within the policy: 204, Location/ETag, CORS headers, ObjectCreated:Post with the exact key', async () => {
    const key = 'incoming/2024/Sổ hộ tịch 01.pdf';
    const { url, fields } = await presign(key, pdfPolicy, { 'Content-Type': 'application/pdf' });
    const data = randomBytes(50_000);
    const res = await post(url, fields, data, 'x.pdf', { Origin: ORIGIN });
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe(`"${md5(data)}"`);
    expect(res.headers.get('location')).toBe(`${s3.url}/${BUCKET}/incoming/2024/S%E1%BB%95%20h%E1%BB%99%20t%E1%BB%8Bch%2001.pdf`);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('ETag');

    const head = await client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe('application/pdf');
    expect((await getBytes(client(), key)).equals(data)).toBe(true);
    const event = await waitForEvent((r) => r.eventName === 'ObjectCreated:Post' && r.s3.object.key.startsWith('incoming/2024/'));
    expect(decodeURIComponent(event.s3.object.key.replace(/\+/g, ' '))).toBe(key);
    expect(event.s3.object.key).toBe('incoming/2024/S%E1%BB%95+h%E1%BB%99+t%E1%BB%8Bch+01.pdf');
    expect(event.s3.object.size).toBe(data.length);
  });

  it('rejects a file over content-length-range with EntityTooLarge and stores nothing', async () => {
    const key = 'incoming/too-large.pdf';
    const { url, fields } = await presign(key, pdfPolicy, { 'Content-Type': 'application/pdf' });
    const before = events.length;
    const res = await post(url, fields, randomBytes(64 * 1024 + 1), 'x.pdf', { Origin: ORIGIN });
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const xml = await res.text();
    expect(errorCode(xml)).toBe('EntityTooLarge');
    expect(xml).toContain('<MaxSizeAllowed>65536</MaxSizeAllowed>');
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).status).toBe(404);
    await new Promise((r) => setTimeout(r, 100));
    expect(events.slice(before).some((r) => r.s3.object.key === key)).toBe(false);
  });

  it('rejects an empty file under content-length-range min with EntityTooSmall', async () => {
    const { url, fields } = await presign('incoming/empty.pdf', pdfPolicy, { 'Content-Type': 'application/pdf' });
    const res = await post(url, fields, Buffer.alloc(0));
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('EntityTooSmall');
  });

  it('rejects a Content-Type the policy does not allow', async () => {
    const key = 'incoming/wrong-type.pdf';
    const { url, fields } = await presign(key, pdfPolicy, { 'Content-Type': 'application/pdf' });
    const res = await post(url, { ...fields, 'Content-Type': 'image/png' }, randomBytes(100));
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(errorCode(xml)).toBe('AccessDenied');
    expect(xml).toContain('Invalid according to Policy: Policy Condition failed');
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).status).toBe(404);

    // Only a starts-with condition on Content-Type (no exact field condition).
    const loose = await presign(key, [['starts-with', '$Content-Type', 'application/']]);
    const png = await post(loose.url, { ...loose.fields, 'Content-Type': 'image/png' }, randomBytes(100));
    expect(png.status).toBe(403);
    expect(await png.text()).toContain('Policy Condition failed: ["starts-with", "$Content-Type", "application/"]');
    const pdf = await post(loose.url, { ...loose.fields, 'Content-Type': 'application/pdf' }, randomBytes(100));
    expect(pdf.status).toBe(204);
  });

  it('rejects a key outside the starts-with prefix', async () => {
    const { url, fields } = await presign(`incoming/${FILENAME_VARIABLE}`, pdfPolicy, { 'Content-Type': 'application/pdf' });
    const res = await post(url, { ...fields, key: 'other/escape.pdf' }, randomBytes(100));
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toContain('Policy Condition failed: ["starts-with", "$key", "incoming/"]');
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'other/escape.pdf' })))).status).toBe(404);
  });

  it('rejects a policy modified after signing', async () => {
    const { url, fields } = await presign('incoming/tampered.pdf', pdfPolicy, { 'Content-Type': 'application/pdf' });
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as { conditions: unknown[] };
    policy.conditions = policy.conditions.map((c) => (Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 1, 10 * MiB] : c));
    const forged = { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') };
    const res = await post(url, forged, randomBytes(100 * 1024));
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe('SignatureDoesNotMatch');
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'incoming/tampered.pdf' })))).status).toBe(404);
  });

  it('rejects an expired policy', async () => {
    const { url, fields } = await presign('incoming/late.pdf', pdfPolicy, { 'Content-Type': 'application/pdf' }, -60);
    const res = await post(url, fields, randomBytes(100));
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(errorCode(xml)).toBe('AccessDenied');
    expect(xml).toContain('Invalid according to Policy: Policy expired.');
  });

  it('rejects form fields the policy does not cover, but not x-ignore- fields', async () => {
    const { url, fields } = await presign('incoming/extra.pdf', pdfPolicy, { 'Content-Type': 'application/pdf' });
    const extra = await post(url, { ...fields, 'x-amz-meta-owner': 'mallory' }, randomBytes(100));
    expect(extra.status).toBe(403);
    expect(await extra.text()).toContain('Invalid according to Policy: Extra input fields: x-amz-meta-owner');
    const ignored = await post(url, { ...fields, 'x-ignore-note': 'anything' }, randomBytes(100));
    expect(ignored.status).toBe(204);
  });

  it('substitutes the filename variable in the key and answers 201 with XML when asked', async () => {
    const { url, fields } = await presign(`incoming/${FILENAME_VARIABLE}`, [...pdfPolicy, { success_action_status: '201' }], {
      'Content-Type': 'application/pdf',
    });
    const data = randomBytes(2000);
    const res = await post(url, { ...fields, success_action_status: '201' }, data, 'Trích lục khai sinh.pdf');
    expect(res.status).toBe(201);
    const xml = await res.text();
    expect(xml).toContain('<Key>incoming/Trích lục khai sinh.pdf</Key>');
    expect((await getBytes(client(), 'incoming/Trích lục khai sinh.pdf')).equals(data)).toBe(true);
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: `incoming/${FILENAME_VARIABLE}` })))).status).toBe(404);
    const event = await waitForEvent((r) => r.s3.object.key === 'incoming/Tr%C3%ADch+l%E1%BB%A5c+khai+sinh.pdf');
    expect(event.eventName).toBe('ObjectCreated:Post');
  });
});

describe('CORS', () => {
  it('answers preflights for POST/PUT/GET with any headers on CORS buckets only', async () => {
    for (const method of ['POST', 'PUT', 'GET']) {
      const res = await fetch(`${s3.url}/${BUCKET}/incoming/x.pdf`, {
        method: 'OPTIONS',
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'content-type,x-amz-meta-foo' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(res.headers.get('access-control-allow-methods')).toContain(method);
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-amz-meta-foo');
    }
    const denied = await fetch(`${s3.url}/${PRIVATE_BUCKET}/x`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT' },
    });
    expect(denied.status).toBe(403);
    expect(errorCode(await denied.text())).toBe('CORSResponse');
  });
});

describe('multipart upload', () => {
  it('completes through presigned UploadPart URLs (3 × 5 MiB + small aws-chunked part) with identical bytes', async () => {
    const key = 'multipart/Bản scan đầy đủ.tiff';
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(123_457)];
    const whole = Buffer.concat(parts);
    const { UploadId } = await client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'image/tiff' }));
    expect(UploadId).toBeDefined();

    const etags: string[] = [];
    for (let i = 0; i < 3; i++) {
      const url = await getSignedUrl(client(), new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: i + 1 }), { expiresIn: 300 });
      const res = await fetch(url, { method: 'PUT', body: parts[i] });
      expect(res.status).toBe(200);
      etags.push(res.headers.get('etag') ?? '');
    }
    // Last part from a default-checksum client with a stream body: aws-chunked on UploadPart.
    const last = await client({ requestChecksumCalculation: 'WHEN_SUPPORTED' }).send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 4, Body: Readable.from([parts[3]]), ContentLength: parts[3]?.length }),
    );
    etags.push(last.ETag ?? '');
    expect(etags.map((e) => e.replace(/"/g, ''))).toEqual(parts.map((p) => md5(p)));

    const listed = await client().send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual(parts.map((p, i) => [i + 1, p.length]));

    const done = await client().send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const expectedEtag = `${createHash('md5')
      .update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest())))
      .digest('hex')}-4`;
    expect(done.ETag).toBe(`"${expectedEtag}"`);
    const stored = await getBytes(client(), key);
    expect(stored.length).toBe(whole.length);
    expect(stored.equals(whole)).toBe(true);
    const head = await client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentType).toBe('image/tiff');
    const event = await waitForEvent((r) => r.eventName === 'ObjectCreated:CompleteMultipartUpload');
    expect(event.s3.object.key).toBe('multipart/B%E1%BA%A3n+scan+%C4%91%E1%BA%A7y+%C4%91%E1%BB%A7.tiff');
    expect(event.s3.object.size).toBe(whole.length);
    expect(event.s3.object.eTag).toBe(expectedEtag);
  });

  it('rejects undersized parts and wrong ETags, and aborts', async () => {
    const key = 'multipart/small.bin';
    const { UploadId } = await client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const p1 = await client().send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: randomBytes(1000) }));
    const p2 = await client().send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 2, Body: randomBytes(1000) }));
    const complete = (parts: { ETag: string | undefined; PartNumber: number }[]) =>
      client().send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    expect(
      await sdkError(
        complete([
          { ETag: p1.ETag, PartNumber: 1 },
          { ETag: p2.ETag, PartNumber: 2 },
        ]),
      ),
    ).toMatchObject({
      name: 'EntityTooSmall',
      status: 400,
    });
    expect(await sdkError(complete([{ ETag: '"0123456789abcdef0123456789abcdef"', PartNumber: 1 }]))).toMatchObject({ name: 'InvalidPart', status: 400 });

    await client().send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId }));
    expect(await sdkError(client().send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId })))).toMatchObject({
      name: 'NoSuchUpload',
      status: 404,
    });
    expect((await sdkError(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).status).toBe(404);
  });
});

describe('listing and persistence', () => {
  it('paginates ListObjectsV2 over 1,200 keys with MaxKeys 500', async () => {
    const c = client();
    const keys = Array.from({ length: 1200 }, (_, i) => `bulk/item-${String(i).padStart(4, '0')}.json`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((Key) => c.send(new PutObjectCommand({ Bucket: PRIVATE_BUCKET, Key, Body: Key }))));
    }
    const pages: number[] = [];
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(new ListObjectsV2Command({ Bucket: PRIVATE_BUCKET, Prefix: 'bulk/', MaxKeys: 500, ContinuationToken: token }));
      pages.push(page.KeyCount ?? -1);
      seen.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(pages).toEqual([500, 500, 200]);
    expect(seen).toEqual(keys);

    const bogus = await sdkError(c.send(new ListObjectsV2Command({ Bucket: PRIVATE_BUCKET, ContinuationToken: 'bm90LWEtdG9rZW4=' })));
    expect(bogus).toMatchObject({ name: 'InvalidArgument', status: 400 });
  }, 30_000);

  it('paginates with a delimiter in S3 key order, counting common prefixes towards MaxKeys', async () => {
    const c = client();
    const keys = ['tree/a/1', 'tree/a/2', 'tree/a-b', 'tree/b', 'tree/c/1', 'tree/c/2/x', 'tree/d', 'tree/\u00e9'];
    await Promise.all(keys.map((Key) => c.send(new PutObjectCommand({ Bucket: PRIVATE_BUCKET, Key, Body: Key }))));
    const pages: { contents: string[]; prefixes: string[] }[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(new ListObjectsV2Command({ Bucket: PRIVATE_BUCKET, Prefix: 'tree/', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
      pages.push({ contents: (page.Contents ?? []).map((o) => o.Key ?? ''), prefixes: (page.CommonPrefixes ?? []).map((p) => p.Prefix ?? '') });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && pages.length < 10);
    expect(pages).toEqual([
      { contents: ['tree/a-b'], prefixes: ['tree/a/'] },
      { contents: ['tree/b'], prefixes: ['tree/c/'] },
      { contents: ['tree/d', 'tree/\u00e9'], prefixes: [] },
    ]);
  });

  it('keeps objects across a restart on the same dataDir', async () => {
    const before = await getBytes(client(), 'bin/all-bytes.bin');
    await s3.stop();
    s3 = await start();
    expect((await getBytes(client(), 'bin/all-bytes.bin')).equals(before)).toBe(true);
    const listed = await client().send(new ListObjectsV2Command({ Bucket: PRIVATE_BUCKET, Prefix: 'bulk/', MaxKeys: 1000 }));
    expect(listed.KeyCount).toBe(1000);
    expect(listed.IsTruncated).toBe(true);
  });
});

describe('signed aws-chunked payloads (AWS documentation vector)', () => {
  // The "PUT Object" example of "Transferring Payload in Multiple Chunks (Chunked Upload)" in the S3 API reference.
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
  const chunkSigs = [
    'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
    '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
    'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
  ];
  const verify = () =>
    authenticate(
      {
        method: 'PUT',
        rawPath: '/examplebucket/chunkObject.txt',
        rawQuery: '',
        headers: {
          host: ['s3.amazonaws.com'],
          'x-amz-date': ['20130524T000000Z'],
          'x-amz-storage-class': ['REDUCED_REDUNDANCY'],
          authorization: [
            `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${seed}`,
          ],
          'x-amz-content-sha256': ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD'],
          'content-encoding': ['aws-chunked'],
          'x-amz-decoded-content-length': ['66560'],
          'content-length': ['66824'],
        },
      },
      { credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret }, region: 'us-east-1', now: new Date('2013-05-24T00:05:00Z') },
    );
  const body = (corrupt: boolean): Buffer => {
    const a = (n: number) => Buffer.alloc(n, 'a');
    const second = a(1024);
    if (corrupt) second[10] = 0x62;
    return Buffer.concat([
      Buffer.from(`10000;chunk-signature=${chunkSigs[0]}\r\n`),
      a(65536),
      Buffer.from(`\r\n400;chunk-signature=${chunkSigs[1]}\r\n`),
      second,
      Buffer.from(`\r\n0;chunk-signature=${chunkSigs[2]}\r\n\r\n`),
    ]);
  };
  const decode = async (raw: Buffer): Promise<Buffer> => {
    const auth = verify();
    const out: Buffer[] = [];
    const decoder = new AwsChunkedDecoder((d) => void out.push(Buffer.from(d)), { ...auth, seedSignature: auth.signature, signedTrailer: false });
    for (let i = 0; i < raw.length; i += 7001) await decoder.write(raw.subarray(i, i + 7001));
    decoder.end();
    return Buffer.concat(out);
  };

  it('verifies the seed signature and every chunk signature, and decodes the payload', async () => {
    expect(verify().signature).toBe(seed);
    const decoded = await decode(body(false));
    expect(decoded.equals(Buffer.alloc(66560, 'a'))).toBe(true);
  });

  it('rejects a chunk whose bytes were changed', async () => {
    await expect(decode(body(true))).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
  });
});
