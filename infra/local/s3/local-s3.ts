/**
 * Local S3 for the local stack: s3rver (objects on disk) on an internal loopback port, behind a
 * small node:http front on the public port that makes uploads behave as on AWS:
 * SigV4 verification (header and presigned), aws-chunked decoding with chunk-signature and checksum
 * verification, presigned POST policy enforcement, CORS, AWS-shaped object-created events, the
 * multipart operations s3rver lacks, and a ListObjectsV2 that works on Node >= 17.
 * See docs/local-s3.md.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3EventRecord } from 'aws-lambda';
import S3rver from 's3rver';
import { listObjectsV2Xml } from './list-objects-v2.js';
import { boundaryOf } from './multipart-form.js';
import { listPartsXml, type Upload, UploadStore } from './multipart-uploads.js';
import { objectHeadersFromFields, receivePostUpload } from './post-object.js';
import { type ReceivedBody, receiveBody } from './request-body.js';
import { S3Error, xmlEscape } from './s3-error.js';
import { type ObjectCreatedEventName, objectCreatedRecord, Sequencer } from './s3-event.js';
import { authenticate, PRESIGN_PARAMS, parseQuery, type QueryParam, type RequestView, safeDecode, toAmzDate, uriEncode } from './sigv4.js';

export interface LocalS3Options {
  /** Interface of the public port; default '127.0.0.1'. */
  host?: string;
  /** Public port; 0 picks a free one. */
  port: number;
  /** s3rver's files live here and persist across restarts. */
  dataDir: string;
  /** The only credentials accepted. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** e.g. 'ap-southeast-1'; requests signed for another region are rejected. */
  region: string;
  /** Created at start if missing; `cors` allows any origin for browser POST/PUT/GET/HEAD/DELETE. */
  buckets: { name: string; cors?: boolean }[];
  /** Called after each PutObject, POST upload, CopyObject and CompleteMultipartUpload, once the response is sent. */
  onObjectCreated?: (record: S3EventRecord) => void | Promise<void>;
  /**
   * Authorisation of an authenticated request (the local IAM check, infra/local/iam/): a message means
   * 403 AccessDenied with that message, before anything is read or stored.
   */
  authorize?: (request: {
    method: string;
    bucket: string;
    key: string;
    query: ReadonlyMap<string, string>;
    headers: IncomingMessage['headers'];
  }) => string | undefined;
}

export interface LocalS3 {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const CORS_METHODS = 'GET, PUT, POST, HEAD, DELETE';
const CORS_EXPOSE_HEADERS = [
  'ETag',
  'Location',
  'Content-Length',
  'Content-Type',
  'Content-Disposition',
  'Last-Modified',
  'x-amz-request-id',
  'x-amz-id-2',
  'x-amz-version-id',
  'x-amz-delete-marker',
].join(', ');
const CORS_MAX_AGE = '3000';

/** Request headers not passed to s3rver: hop-by-hop, authentication, and what the front consumed. */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'authorization',
  'connection',
  'keep-alive',
  'expect',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'content-length',
  'content-md5',
  'content-encoding',
  'origin',
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'x-amz-sdk-checksum-algorithm',
]);
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'vary']);

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  hostId: string;
  cors: boolean;
}

export async function startLocalS3(opts: LocalS3Options): Promise<LocalS3> {
  const host = opts.host ?? '127.0.0.1';
  for (const bucket of opts.buckets) {
    if (!BUCKET_NAME.test(bucket.name)) throw new Error(`local S3: invalid bucket name "${bucket.name}"`);
  }
  await mkdir(opts.dataDir, { recursive: true });
  const tmpDir = await mkdtemp(join(tmpdir(), 'local-s3-'));

  const backend = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: opts.dataDir,
    vhostBuckets: false,
    configureBuckets: opts.buckets.map((b) => ({ name: b.name, configs: [] })),
  });
  let backendPort: number;
  try {
    backendPort = (await backend.run()).port;
  } catch (err) {
    await rm(tmpDir, { recursive: true, force: true });
    throw err;
  }

  const front = new Front(opts, backend, backendPort, tmpDir);
  const server = http.createServer((req, res) => {
    void front.handle(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await front.close();
    await backend.close();
    await rm(tmpDir, { recursive: true, force: true });
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  front.publicUrl = url;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      await front.close();
      await backend.close();
      await rm(tmpDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  return { url, port, stop };
}

class Front {
  publicUrl = '';
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly uploads: UploadStore;
  private readonly corsBuckets: Set<string>;
  private readonly sequencer = new Sequencer();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly opts: LocalS3Options,
    private readonly backend: S3rver,
    private readonly backendPort: number,
    private readonly tmpDir: string,
  ) {
    this.uploads = new UploadStore(opts.dataDir);
    this.corsBuckets = new Set(opts.buckets.filter((b) => b.cors).map((b) => b.name));
  }

  /** Waits for event callbacks in flight, then drops pooled connections to s3rver. */
  async close(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    this.agent.destroy();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx: Ctx = {
      req,
      res,
      requestId: randomBytes(8).toString('hex').toUpperCase(),
      hostId: randomBytes(32).toString('base64'),
      cors: false,
    };
    let body: ReceivedBody | undefined;
    try {
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
      const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);
      if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.", { URI: rawUrl });
      const slash = rawPath.indexOf('/', 1);
      const bucket = safeDecode(slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash));
      const key = slash === -1 ? '' : safeDecode(rawPath.slice(slash + 1));
      ctx.cors = this.corsBuckets.has(bucket);
      const method = req.method ?? 'GET';

      if (method === 'OPTIONS') return this.preflight(ctx);
      if (bucket && !BUCKET_NAME.test(bucket)) {
        throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });
      }
      const boundary = boundaryOf(req.headers['content-type']);
      if (method === 'POST' && bucket && !key && !rawQuery && boundary) {
        return await this.postObject(ctx, bucket, boundary);
      }

      const view: RequestView = { method, rawPath, rawQuery, headers: req.headersDistinct };
      const auth = authenticate(view, { credentials: this.opts.credentials, region: this.opts.region, now: new Date() });
      if (key) assertStorableKey(key);
      const params = parseQuery(rawQuery);
      const query = new Map(params.map((p) => [p.name, p.value]));
      const refused = this.opts.authorize?.({ method, bucket, key, query, headers: req.headers });
      if (refused !== undefined) throw new S3Error('AccessDenied', 403, refused);
      const queryAmz = new Map(params.filter((p) => p.name.toLowerCase().startsWith('x-amz-')).map((p) => [p.name.toLowerCase(), p.value]));
      const amzValue = (name: string): string | undefined => req.headersDistinct[name]?.[0] ?? (PRESIGN_PARAMS.has(name) ? undefined : queryAmz.get(name));

      const receive = async (): Promise<ReceivedBody> => {
        body = await receiveBody(req.iterator({ destroyOnReturn: false }), {
          auth,
          amzValues: amzValue,
          contentEncoding: req.headersDistinct['content-encoding']?.join(','),
          contentMd5: req.headersDistinct['content-md5']?.[0],
          tmpDir: this.tmpDir,
        });
        return body;
      };
      const backendPath = `${rawPath}${backendQuery(params)}`;

      if (!bucket) {
        return await this.relay(ctx, await this.forward(method, backendPath, this.clientHeaders(req)));
      }
      if (key && query.has('uploadId')) {
        await this.requireBucket(bucket);
        const upload = await this.uploads.getUpload(bucket, key, query.get('uploadId') ?? '');
        switch (method) {
          case 'GET':
            return await this.listParts(ctx, upload, query);
          case 'DELETE':
            await this.uploads.abort(upload);
            return this.send(ctx, 204, {});
          case 'PUT': {
            const partNumber = query.get('partNumber') ?? '';
            if (!/^\d{1,5}$/.test(partNumber) || Number(partNumber) < 1 || Number(partNumber) > 10_000) {
              throw new S3Error('InvalidArgument', 400, 'Part number must be an integer between 1 and 10000, inclusive', {
                ArgumentName: 'partNumber',
                ArgumentValue: partNumber,
              });
            }
            if (req.headers['x-amz-copy-source'] !== undefined) {
              throw new S3Error('NotImplemented', 501, 'UploadPartCopy is not implemented by the local S3 service.');
            }
            const received = await receive();
            return await this.relay(ctx, await this.forwardBody('PUT', backendPath, req, received));
          }
          case 'POST':
            return await this.completeMultipartUpload(ctx, upload, await receive(), backendPath, auth.accessKeyId);
          default:
            throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', {
              Method: method,
              ResourceType: 'UPLOAD',
            });
        }
      }
      if (method === 'GET' && !key && query.get('list-type') === '2') {
        return await this.listObjectsV2(ctx, bucket, query);
      }
      const subresources = params.filter((p) => p.name !== 'x-id' && !p.name.toLowerCase().startsWith('x-amz-'));
      if (method === 'PUT' && key && subresources.length === 0) {
        const copySource = amzValue('x-amz-copy-source');
        const received = await receive();
        if (copySource !== undefined) {
          // s3rver splits the source at the first '/' after decodeURI(); hand it a value that decodes back exactly.
          const source = safeDecode(copySource.split('?')[0] ?? '').replace(/^\//, '');
          const sourceSlash = source.indexOf('/');
          if (sourceSlash < 1 || !BUCKET_NAME.test(source.slice(0, sourceSlash))) {
            throw new S3Error('InvalidArgument', 400, 'Invalid copy source object key', {
              ArgumentName: 'x-amz-copy-source',
              ArgumentValue: copySource,
            });
          }
          assertStorableKey(source.slice(sourceSlash + 1));
          const headers = this.clientHeaders(req);
          headers['x-amz-copy-source'] = encodeURI(source);
          const backendRes = await this.forward('PUT', backendPath, headers, received.spool.stream(), received.spool.size);
          const ok = backendRes.statusCode === 200;
          await this.relay(ctx, backendRes);
          if (ok) await this.emitFromHead(ctx, 'ObjectCreated:Copy', bucket, key, rawPath, auth.accessKeyId);
          return;
        }
        const backendRes = await this.forwardBody('PUT', backendPath, req, received);
        const etag = String(backendRes.headers.etag ?? '');
        const ok = backendRes.statusCode === 200;
        await this.relay(ctx, backendRes);
        if (ok) this.emit(ctx, 'ObjectCreated:Put', bucket, key, received.spool.size, etag, auth.accessKeyId);
        return;
      }
      if (method === 'PUT' || method === 'POST') {
        return await this.relay(ctx, await this.forwardBody(method, backendPath, req, await receive()));
      }
      req.resume();
      return await this.relay(ctx, await this.forward(method, backendPath, this.clientHeaders(req)));
    } catch (err) {
      this.sendError(ctx, err);
    } finally {
      const spool = (body as ReceivedBody | undefined)?.spool;
      if (spool) await spool.dispose();
    }
  }

  // ---- operations -------------------------------------------------------------------------

  private async postObject(ctx: Ctx, bucket: string, boundary: string): Promise<void> {
    await this.requireBucket(bucket);
    const upload = await receivePostUpload(ctx.req.iterator({ destroyOnReturn: false }), {
      bucket,
      boundary,
      credentials: this.opts.credentials,
      region: this.opts.region,
      tmpDir: this.tmpDir,
      now: () => new Date(),
    });
    try {
      const objectPath = `/${uriEncode(bucket)}/${encodeKeyPath(upload.key)}`;
      const backendRes = await this.forward('PUT', objectPath, objectHeadersFromFields(upload.fields), upload.spool.stream(), upload.spool.size);
      if (backendRes.statusCode !== 200) return await this.relay(ctx, backendRes);
      backendRes.resume();
      const etag = String(backendRes.headers.etag ?? '');
      const location = `${this.baseUrl(ctx)}${objectPath}`;
      const field = (name: string): string | undefined => upload.fields.findLast((f) => f.name.toLowerCase() === name)?.value;
      const redirect = field('success_action_redirect') ?? field('redirect');
      const redirectUrl = redirect ? URL.parse(redirect) : null;
      const headers = { ETag: etag, Location: location };
      if (redirectUrl) {
        redirectUrl.searchParams.append('bucket', bucket);
        redirectUrl.searchParams.append('key', upload.key);
        redirectUrl.searchParams.append('etag', etag);
        this.send(ctx, 303, { ...headers, Location: redirectUrl.href });
      } else {
        const status = field('success_action_status');
        if (status === '201') {
          const xml =
            '<?xml version="1.0" encoding="UTF-8"?>\n' +
            `<PostResponse><Location>${xmlEscape(location)}</Location><Bucket>${xmlEscape(bucket)}</Bucket>` +
            `<Key>${xmlEscape(upload.key)}</Key><ETag>${xmlEscape(etag)}</ETag></PostResponse>`;
          this.send(ctx, 201, { ...headers, 'Content-Type': 'application/xml' }, xml);
        } else {
          this.send(ctx, status === '200' ? 200 : 204, headers);
        }
      }
      this.emit(ctx, 'ObjectCreated:Post', bucket, upload.key, upload.spool.size, etag, upload.accessKeyId);
    } finally {
      await upload.spool.dispose();
    }
  }

  private async listObjectsV2(ctx: Ctx, bucket: string, query: Map<string, string>): Promise<void> {
    await this.requireBucket(bucket);
    const xml = await listObjectsV2Xml({ bucket, bucketDir: join(this.opts.dataDir, bucket), query });
    this.send(ctx, 200, { 'Content-Type': 'application/xml' }, xml);
  }

  private async listParts(ctx: Ctx, upload: Upload, query: Map<string, string>): Promise<void> {
    const maxPartsRaw = query.get('max-parts') ?? '1000';
    const markerRaw = query.get('part-number-marker') ?? '0';
    if (!/^\d+$/.test(maxPartsRaw) || !/^\d+$/.test(markerRaw)) {
      throw new S3Error('InvalidArgument', 400, 'Provided max-parts or part-number-marker not an integer or within integer range');
    }
    const parts = await this.uploads.listParts(upload);
    const xml = listPartsXml(upload, parts, { maxParts: Math.min(1000, Number(maxPartsRaw)), partNumberMarker: Number(markerRaw) });
    this.send(ctx, 200, { 'Content-Type': 'application/xml' }, xml);
  }

  private async completeMultipartUpload(ctx: Ctx, upload: Upload, received: ReceivedBody, backendPath: string, accessKeyId: string): Promise<void> {
    const xml = (await received.spool.buffer()).toString('utf8');
    const { etag } = await this.uploads.validateCompletion(upload, xml);
    const backendRes = await this.forward('POST', backendPath, { 'content-type': 'application/xml' }, Buffer.from(xml), Buffer.byteLength(xml));
    if (backendRes.statusCode !== 200) return await this.relay(ctx, backendRes);
    await readAll(backendRes);
    await this.uploads.setObjectEtag(upload.bucket, upload.key, etag);
    const location = `${this.baseUrl(ctx)}/${uriEncode(upload.bucket)}/${encodeKeyPath(upload.key)}`;
    const result =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Location>${xmlEscape(location)}</Location><Bucket>${xmlEscape(upload.bucket)}</Bucket>` +
      `<Key>${xmlEscape(upload.key)}</Key><ETag>&quot;${etag}&quot;</ETag></CompleteMultipartUploadResult>`;
    this.send(ctx, 200, { 'Content-Type': 'application/xml' }, result);
    const objectPath = `/${uriEncode(upload.bucket)}/${encodeKeyPath(upload.key)}`;
    await this.emitFromHead(ctx, 'ObjectCreated:CompleteMultipartUpload', upload.bucket, upload.key, objectPath, accessKeyId);
  }

  private preflight(ctx: Ctx): void {
    const { req } = ctx;
    const origin = req.headers.origin;
    const method = req.headers['access-control-request-method'];
    if (!origin) throw new S3Error('BadRequest', 400, 'Insufficient information. Origin request header needed.');
    if (!method) throw new S3Error('BadRequest', 400, 'Invalid Access-Control-Request-Method: null');
    if (!ctx.cors) throw new S3Error('CORSResponse', 403, 'CORS is not enabled for this bucket.');
    if (!CORS_METHODS.split(', ').includes(method.toUpperCase())) {
      throw new S3Error(
        'CORSResponse',
        403,
        "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      );
    }
    const headers: OutgoingHttpHeaders = { 'Access-Control-Max-Age': CORS_MAX_AGE };
    const requested = req.headers['access-control-request-headers'];
    if (requested) headers['Access-Control-Allow-Headers'] = requested;
    this.send(ctx, 200, headers);
  }

  // ---- events -----------------------------------------------------------------------------

  private async emitFromHead(ctx: Ctx, eventName: ObjectCreatedEventName, bucket: string, key: string, objectPath: string, accessKeyId: string): Promise<void> {
    if (!this.opts.onObjectCreated) return;
    try {
      const head = await this.forward('HEAD', objectPath, {});
      head.resume();
      if (head.statusCode !== 200) throw new Error(`HEAD ${objectPath} answered ${head.statusCode}`);
      this.emit(ctx, eventName, bucket, key, Number(head.headers['content-length'] ?? 0), String(head.headers.etag ?? ''), accessKeyId);
    } catch (err) {
      console.error(`[local-s3] could not build the ${eventName} event for s3://${bucket}/${key}:`, err);
    }
  }

  private emit(ctx: Ctx, eventName: ObjectCreatedEventName, bucket: string, key: string, size: number, eTag: string, accessKeyId: string): void {
    const callback = this.opts.onObjectCreated;
    if (!callback) return;
    const record = objectCreatedRecord({
      eventName,
      region: this.opts.region,
      bucket,
      key,
      size,
      eTag,
      sequencer: this.sequencer.next(),
      principalId: `AWS:${accessKeyId}`,
      sourceIPAddress: ctx.req.socket.remoteAddress ?? '127.0.0.1',
      requestId: ctx.requestId,
      hostId: ctx.hostId,
    });
    const delivery: Promise<void> = Promise.resolve()
      .then(() => callback(record))
      .catch((err: unknown) => {
        console.error(`[local-s3] onObjectCreated failed for ${eventName} s3://${bucket}/${key}:`, err);
      })
      .finally(() => {
        this.pending.delete(delivery);
      });
    this.pending.add(delivery);
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /** The URL the client used to reach the service (for Location). */
  private baseUrl(ctx: Ctx): string {
    const host = ctx.req.headers.host;
    return host ? `http://${host}` : this.publicUrl;
  }

  private async requireBucket(bucket: string): Promise<void> {
    if (!(await this.backend.store.getBucket(bucket))) {
      throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
    }
  }

  private clientHeaders(req: IncomingMessage): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || name.startsWith('x-amz-checksum-')) continue;
      if (name.startsWith('access-control-request-')) continue;
      headers[name] = value;
    }
    return headers;
  }

  private forwardBody(method: string, path: string, req: IncomingMessage, received: ReceivedBody): Promise<IncomingMessage> {
    const headers = this.clientHeaders(req);
    if (received.contentEncoding) headers['content-encoding'] = received.contentEncoding;
    return this.forward(method, path, headers, received.spool.stream(), received.spool.size);
  }

  /** Sends a request to s3rver, authenticated as s3rver's built-in account (s3rver does not verify SigV4). */
  private forward(method: string, path: string, headers: OutgoingHttpHeaders, body?: Readable | Buffer, length?: number): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = http.request({
        host: '127.0.0.1',
        port: this.backendPort,
        method,
        path,
        agent: this.agent,
        headers: {
          ...headers,
          host: `127.0.0.1:${this.backendPort}`,
          authorization: 'AWS4-HMAC-SHA256 Credential=S3RVER/20000101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
          'x-amz-date': toAmzDate(new Date()),
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          ...(length !== undefined ? { 'content-length': String(length) } : {}),
        },
      });
      request.once('response', resolve);
      request.once('error', reject);
      if (body === undefined) request.end();
      else if (Buffer.isBuffer(body)) request.end(body);
      else pipeline(body, request).catch(reject);
    });
  }

  /** Passes s3rver's answer to the client, with the front's request id and CORS headers. */
  private async relay(ctx: Ctx, backendRes: IncomingMessage): Promise<void> {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(backendRes.headers)) {
      if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith('access-control-')) continue;
      headers[name] = value;
    }
    Object.assign(headers, this.commonHeaders(ctx));
    ctx.res.writeHead(backendRes.statusCode ?? 500, headers);
    try {
      await pipeline(backendRes, ctx.res);
    } catch {
      // The client went away; nothing left to answer.
    }
  }

  private send(ctx: Ctx, status: number, headers: OutgoingHttpHeaders, body?: string): void {
    const all: OutgoingHttpHeaders = { ...headers, ...this.commonHeaders(ctx) };
    if (body !== undefined) all['Content-Length'] = String(Buffer.byteLength(body));
    else if (status !== 204 && status !== 304) all['Content-Length'] = '0';
    ctx.res.writeHead(status, all);
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
  }

  private commonHeaders(ctx: Ctx): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {
      'x-amz-request-id': ctx.requestId,
      'x-amz-id-2': ctx.hostId,
      Server: 'AmazonS3',
    };
    const origin = ctx.req.headers.origin;
    if (ctx.cors && origin) {
      headers['Access-Control-Allow-Origin'] = origin;
      headers['Access-Control-Allow-Methods'] = CORS_METHODS;
      headers['Access-Control-Expose-Headers'] = CORS_EXPOSE_HEADERS;
      headers['Access-Control-Allow-Credentials'] = 'true';
      headers.Vary = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
    }
    return headers;
  }

  private sendError(ctx: Ctx, err: unknown): void {
    const { req, res } = ctx;
    // Read what is left of the body so the client can finish sending and read the answer.
    if (!req.readableEnded) req.resume();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    let s3Error: S3Error;
    if (err instanceof S3Error) {
      s3Error = err;
    } else {
      console.error('[local-s3] internal error:', err);
      s3Error = new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.');
    }
    this.send(ctx, s3Error.status, { 'Content-Type': 'application/xml' }, s3Error.toXml(ctx.requestId, ctx.hostId));
  }
}

/** The query string for s3rver: the client's parameters minus presigned-URL authentication. */
function backendQuery(params: QueryParam[]): string {
  const kept = params.filter((p) => !PRESIGN_PARAMS.has(p.name.toLowerCase())).map((p) => p.raw);
  return kept.length > 0 ? `?${kept.join('&')}` : '';
}

function encodeKeyPath(key: string): string {
  return key.split('/').map(uriEncode).join('/');
}

/**
 * s3rver stores a key as a file path, so `.` and `..` segments would be resolved by path.join
 * (and `..` could leave the data directory). S3 accepts such keys; the local service refuses them.
 */
function assertStorableKey(key: string): void {
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new S3Error('InvalidArgument', 400, "The local S3 service does not support '.' or '..' segments in object keys.", {
      ArgumentName: 'key',
      ArgumentValue: key,
    });
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
