/**
 * AWS Signature Version 4 as S3 verifies it: header-signed requests, presigned (query) requests,
 * signed aws-chunked payload chunks and trailers, and POST policy signatures.
 * Pure functions: the time is passed in, so they can be checked against AWS's published vectors.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error, accessDenied } from './s3-error.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const EMPTY_SHA256 = sha256Hex('');
/** Header-signed requests may be at most this far from the server's clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** The query parameters that carry a presigned request's authentication. */
export const PRESIGN_PARAMS = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What signature verification needs to know about an HTTP request. */
export interface RequestView {
  method: string;
  /** Path exactly as received, still percent-encoded, without the query. */
  rawPath: string;
  /** Query string as received, without the leading `?`. */
  rawQuery: string;
  /** Lower-case header names, each with its distinct values in arrival order. */
  headers: Record<string, string[] | undefined>;
}

export interface SigningContext {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
}

export interface AuthResult extends SigningContext {
  kind: 'header' | 'query';
  accessKeyId: string;
  /** The request's (seed) signature; aws-chunked chunk signatures chain from it. */
  signature: string;
  /** The claimed payload hash: a hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* marker. */
  payloadHash: string;
}

export interface VerifyOptions {
  credentials: Credentials;
  region: string;
  now: Date;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmacSha256(`AWS4${secret}`, date);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, 'aws4_request');
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper case). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.", { URI: value });
  }
}

/** S3's canonical URI: each path segment decoded then encoded once (no dot-segment normalisation). */
export function canonicalUri(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(safeDecode(segment)))
    .join('/');
}

export interface QueryParam {
  name: string;
  value: string;
  /** The `name=value` text as received, for forwarding untouched. */
  raw: string;
}

export function parseQuery(rawQuery: string): QueryParam[] {
  if (!rawQuery) return [];
  return rawQuery
    .split('&')
    .filter((raw) => raw.length > 0)
    .map((raw) => {
      const eq = raw.indexOf('=');
      const name = safeDecode(eq === -1 ? raw : raw.slice(0, eq));
      const value = eq === -1 ? '' : safeDecode(raw.slice(eq + 1));
      return { name, value, raw };
    });
}

export function canonicalQuery(params: QueryParam[], exclude?: string): string {
  return params
    .filter((p) => p.name !== exclude)
    .map((p) => [uriEncode(p.name), uriEncode(p.value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

function canonicalHeaderValue(values: string[] | undefined): string {
  return (values ?? []).map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

export function buildCanonicalRequest(
  req: RequestView,
  params: QueryParam[],
  signedHeaders: string[],
  payloadHash: string,
  excludeParam?: string,
): string {
  const headerLines = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req.headers[name])}\n`).join('');
  return [
    req.method,
    canonicalUri(req.rawPath),
    canonicalQuery(params, excludeParam),
    headerLines,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
}

export function signaturesEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Parses `yyyyMMddTHHmmssZ`. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function toAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

const firstHeader = (req: RequestView, name: string): string | undefined => req.headers[name]?.[0];

interface ParsedCredential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  scope: string;
}

function parseCredential(value: string, kind: 'header' | 'query'): ParsedCredential {
  const parts = value.split('/');
  const malformed = (reason: string): S3Error =>
    kind === 'header'
      ? new S3Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${reason}`)
      : new S3Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; ${reason}`);
  if (parts.length !== 5) throw malformed('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  if (terminator !== 'aws4_request') throw malformed(`incorrect terminal "${terminator}". This endpoint uses "aws4_request".`);
  if (service !== 's3') throw malformed(`incorrect service "${service}". This endpoint belongs to "s3".`);
  if (!/^\d{8}$/.test(date)) throw malformed(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  return { accessKeyId, date, region, service, scope: parts.slice(1).join('/') };
}

function checkCredential(cred: ParsedCredential, opts: VerifyOptions, kind: 'header' | 'query'): void {
  if (cred.accessKeyId !== opts.credentials.accessKeyId) {
    throw new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: cred.accessKeyId,
    });
  }
  if (cred.region !== opts.region) {
    const reason = `the region '${cred.region}' is wrong; expecting '${opts.region}'`;
    throw kind === 'header'
      ? new S3Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${reason}`, { Region: opts.region })
      : new S3Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; ${reason}`, {
          Region: opts.region,
        });
  }
}

/** S3 rejects x-amz-* headers that the signature does not cover. */
function checkUnsignedAmzHeaders(req: RequestView, signedHeaders: string[]): void {
  const unsigned = Object.keys(req.headers).filter((name) => name.startsWith('x-amz-') && !signedHeaders.includes(name));
  if (unsigned.length > 0) {
    throw accessDenied('There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.sort().join(', '),
    });
  }
}

function mismatch(accessKeyId: string, provided: string, sts: string, canonicalRequest: string): S3Error {
  return new S3Error(
    'SignatureDoesNotMatch',
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    { AWSAccessKeyId: accessKeyId, StringToSign: sts, SignatureProvided: provided, CanonicalRequest: canonicalRequest },
  );
}

/**
 * Verifies a request signed with SigV4, in the Authorization header or in the query string.
 * Throws the S3Error S3 would answer; returns what body verification needs.
 */
export function authenticate(req: RequestView, opts: VerifyOptions): AuthResult {
  const params = parseQuery(req.rawQuery);
  const authorization = firstHeader(req, 'authorization');
  const queryAlgorithm = params.find((p) => p.name === 'X-Amz-Algorithm');
  if (authorization !== undefined && queryAlgorithm) {
    throw new S3Error(
      'InvalidArgument',
      400,
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization', ArgumentValue: authorization },
    );
  }
  if (authorization !== undefined) return authenticateHeader(req, params, authorization, opts);
  if (queryAlgorithm) return authenticateQuery(req, params, opts);
  if (params.some((p) => p.name === 'Signature' || p.name === 'AWSAccessKeyId')) throw sigV2NotSupported();
  throw accessDenied();
}

const sigV2NotSupported = (): S3Error =>
  new S3Error(
    'InvalidRequest',
    400,
    'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
  );

function authenticateHeader(req: RequestView, params: QueryParam[], authorization: string, opts: VerifyOptions): AuthResult {
  const spaceAt = authorization.indexOf(' ');
  const algorithm = spaceAt === -1 ? authorization : authorization.slice(0, spaceAt);
  if (algorithm === 'AWS') throw sigV2NotSupported();
  if (algorithm !== ALGORITHM) {
    throw new S3Error('InvalidArgument', 400, 'Unsupported Authorization Type', {
      ArgumentName: 'Authorization',
      ArgumentValue: authorization,
    });
  }
  const components = new Map<string, string>();
  for (const part of authorization.slice(spaceAt + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1) components.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!components.get(name)) {
      throw new S3Error(
        'AuthorizationHeaderMalformed',
        400,
        `The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature. Missing ${name}.`,
      );
    }
  }
  const cred = parseCredential(components.get('Credential') ?? '', 'header');
  checkCredential(cred, opts, 'header');

  let amzDate = firstHeader(req, 'x-amz-date');
  let requestTime = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined) {
    const date = firstHeader(req, 'date');
    const parsed = date === undefined ? undefined : new Date(date);
    if (parsed && !Number.isNaN(parsed.getTime())) {
      requestTime = parsed;
      amzDate = toAmzDate(parsed);
    }
  }
  if (!requestTime || amzDate === undefined) throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
  if (amzDate.slice(0, 8) !== cred.date) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      400,
      `The authorization header is malformed; Invalid credential date "${cred.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    );
  }
  if (Math.abs(opts.now.getTime() - requestTime.getTime()) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.', {
      RequestTime: amzDate,
      ServerTime: opts.now.toISOString().replace(/\.\d{3}/, ''),
      MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
    });
  }

  const payloadHash = firstHeader(req, 'x-amz-content-sha256');
  if (payloadHash === undefined) {
    throw new S3Error('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256');
  }
  if (!isValidPayloadHash(payloadHash)) {
    throw new S3Error(
      'InvalidArgument',
      400,
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash },
    );
  }

  const signedHeaders = (components.get('SignedHeaders') ?? '').split(';').map((h) => h.trim().toLowerCase());
  if (!signedHeaders.includes('host')) {
    throw new S3Error('AuthorizationHeaderMalformed', 400, "The authorization header is malformed; 'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  checkUnsignedAmzHeaders(req, signedHeaders);

  const key = signingKey(opts.credentials.secretAccessKey, cred.date, cred.region, cred.service);
  const canonical = buildCanonicalRequest(req, params, signedHeaders, payloadHash);
  const sts = stringToSign(amzDate, cred.scope, canonical);
  const expected = hmacSha256(key, sts).toString('hex');
  const provided = components.get('Signature') ?? '';
  if (!signaturesEqual(expected, provided)) throw mismatch(cred.accessKeyId, provided, sts, canonical);
  return { kind: 'header', accessKeyId: cred.accessKeyId, amzDate, scope: cred.scope, signingKey: key, signature: provided, payloadHash };
}

function authenticateQuery(req: RequestView, params: QueryParam[], opts: VerifyOptions): AuthResult {
  const get = (name: string): string | undefined => params.find((p) => p.name === name)?.value;
  if (get('X-Amz-Algorithm') !== ALGORITHM) {
    throw new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const credential = get('X-Amz-Credential');
  const amzDate = get('X-Amz-Date');
  const expiresRaw = get('X-Amz-Expires');
  const signedHeadersRaw = get('X-Amz-SignedHeaders');
  const provided = get('X-Amz-Signature');
  if (!credential || !amzDate || !expiresRaw || !signedHeadersRaw || !provided) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      400,
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const cred = parseCredential(credential, 'query');
  checkCredential(cred, opts, 'query');
  const requestTime = parseAmzDate(amzDate);
  if (!requestTime) {
    throw new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  }
  if (!/^\d+$/.test(expiresRaw)) {
    throw new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Expires should be a number');
  }
  const expires = Number(expiresRaw);
  if (expires > MAX_PRESIGN_SECONDS) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      400,
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  const serverTime = opts.now.toISOString().replace(/\.\d{3}/, '');
  if (requestTime.getTime() - opts.now.getTime() > MAX_SKEW_MS) {
    throw accessDenied('Request is not valid yet', { 'X-Amz-Date': amzDate, ServerTime: serverTime });
  }
  const expiresAt = new Date(requestTime.getTime() + expires * 1000);
  if (opts.now.getTime() > expiresAt.getTime()) {
    throw accessDenied('Request has expired', {
      'X-Amz-Expires': expiresRaw,
      Expires: expiresAt.toISOString().replace(/\.\d{3}/, ''),
      ServerTime: serverTime,
    });
  }
  if (amzDate.slice(0, 8) !== cred.date) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      400,
      `Invalid credential date "${cred.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    );
  }
  const signedHeaders = signedHeadersRaw.split(';').map((h) => h.trim().toLowerCase());
  if (!signedHeaders.includes('host')) {
    throw new S3Error('AuthorizationQueryParametersError', 400, "Query-string authentication requires the 'host' header to be signed.");
  }
  checkUnsignedAmzHeaders(req, signedHeaders);

  const payloadHash = firstHeader(req, 'x-amz-content-sha256') ?? UNSIGNED_PAYLOAD;
  const key = signingKey(opts.credentials.secretAccessKey, cred.date, cred.region, cred.service);
  const canonical = buildCanonicalRequest(req, params, signedHeaders, payloadHash, 'X-Amz-Signature');
  const sts = stringToSign(amzDate, cred.scope, canonical);
  const expected = hmacSha256(key, sts).toString('hex');
  if (!signaturesEqual(expected, provided)) throw mismatch(cred.accessKeyId, provided, sts, canonical);
  return { kind: 'query', accessKeyId: cred.accessKeyId, amzDate, scope: cred.scope, signingKey: key, signature: provided, payloadHash };
}

export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';

function isValidPayloadHash(value: string): boolean {
  return (
    /^[0-9a-f]{64}$/i.test(value) ||
    value === UNSIGNED_PAYLOAD ||
    value === STREAMING_UNSIGNED_TRAILER ||
    value === STREAMING_SIGNED ||
    value === STREAMING_SIGNED_TRAILER ||
    value.startsWith('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD')
  );
}

/** Signature of one aws-chunked chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD). */
export function chunkSignature(ctx: SigningContext, previousSignature: string, chunkSha256Hex: string): string {
  const sts = ['AWS4-HMAC-SHA256-PAYLOAD', ctx.amzDate, ctx.scope, previousSignature, EMPTY_SHA256, chunkSha256Hex].join('\n');
  return hmacSha256(ctx.signingKey, sts).toString('hex');
}

/** Signature of the trailing headers of a signed aws-chunked body; `trailerText` is `name:value\n` per header. */
export function trailerSignature(ctx: SigningContext, previousSignature: string, trailerText: string): string {
  const sts = ['AWS4-HMAC-SHA256-TRAILER', ctx.amzDate, ctx.scope, previousSignature, sha256Hex(trailerText)].join('\n');
  return hmacSha256(ctx.signingKey, sts).toString('hex');
}

/** Signature of a browser-based POST upload: HMAC of the base64 policy with the SigV4 signing key. */
export function postPolicySignature(secret: string, date: string, region: string, base64Policy: string): string {
  return hmacSha256(signingKey(secret, date, region, 's3'), base64Policy).toString('hex');
}
