/**
 * ListObjectsV2 on top of s3rver's ListObjects (V1).
 *
 * s3rver 3.7 builds V2 continuation tokens with `crypto.createCipheriv('des', ...)`. DES-CBC lives
 * in OpenSSL 3's legacy provider, which Node >= 17 does not load, so every truncated V2 listing
 * (and every request carrying a continuation-token) answers 500 "Unsupported" unless Node runs with
 * --openssl-legacy-provider. V1 listing (marker based) has no such call, so the front asks s3rver
 * for a V1 page starting after the last key and rewrites the answer as V2, with its own opaque token.
 */
import { S3Error, xmlEscape, xmlUnescape } from './s3-error.js';

export interface V2Request {
  bucket: string;
  /** Decoded query parameters of the client's request. */
  query: Map<string, string>;
}

const TOKEN_PREFIX = 'ls3:';

export function encodeContinuationToken(bucket: string, startAfter: string): string {
  return Buffer.from(`${TOKEN_PREFIX}${JSON.stringify([bucket, startAfter])}`, 'utf8').toString('base64');
}

export function decodeContinuationToken(token: string, bucket: string): string {
  const invalid = new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect', {
    ArgumentName: 'continuation-token',
  });
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith(TOKEN_PREFIX)) throw invalid;
  try {
    const parsed: unknown = JSON.parse(text.slice(TOKEN_PREFIX.length));
    if (Array.isArray(parsed) && parsed[0] === bucket && typeof parsed[1] === 'string') return parsed[1];
  } catch {
    // fall through
  }
  throw invalid;
}

/** The V1 query string to send to s3rver for a V2 request. */
export function v1QueryFor(req: V2Request): { query: string; startAfter: string } {
  const q = req.query;
  const token = q.get('continuation-token');
  const startAfter = token !== undefined ? decodeContinuationToken(token, req.bucket) : (q.get('start-after') ?? '');
  const params = new URLSearchParams();
  for (const name of ['prefix', 'delimiter', 'max-keys']) {
    const value = q.get(name);
    if (value !== undefined) params.set(name, value);
  }
  if (startAfter) params.set('marker', startAfter);
  return { query: params.toString().replace(/\+/g, '%20'), startAfter };
}

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];

/** Rewrites s3rver's V1 ListBucketResult as S3's V2 answer. */
export function v1ToV2Xml(req: V2Request, v1Xml: string): string {
  const q = req.query;
  const fetchOwner = q.get('fetch-owner') === 'true';
  const contents = [...v1Xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => m[1] ?? '');
  const prefixes = [...v1Xml.matchAll(/<CommonPrefixes>([\s\S]*?)<\/CommonPrefixes>/g)].map((m) => m[1] ?? '');
  const truncated = tag(v1Xml, 'IsTruncated') === 'true';
  const lastKey = contents.length > 0 ? xmlUnescape(tag(contents[contents.length - 1] ?? '', 'Key') ?? '') : undefined;
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');

  const parts = [
    `<Name>${xmlEscape(req.bucket)}</Name>`,
    `<Prefix>${xmlEscape(q.get('prefix') ?? '')}</Prefix>`,
    token !== undefined ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '',
    startAfter !== undefined ? `<StartAfter>${xmlEscape(startAfter)}</StartAfter>` : '',
    truncated && lastKey !== undefined
      ? `<NextContinuationToken>${encodeContinuationToken(req.bucket, lastKey)}</NextContinuationToken>`
      : '',
    `<KeyCount>${contents.length + prefixes.length}</KeyCount>`,
    `<MaxKeys>${xmlEscape(q.get('max-keys') ?? '1000')}</MaxKeys>`,
    q.get('delimiter') ? `<Delimiter>${xmlEscape(q.get('delimiter') ?? '')}</Delimiter>` : '',
    `<IsTruncated>${truncated && lastKey !== undefined}</IsTruncated>`,
    ...contents.map((c) => `<Contents>${fetchOwner ? c : c.replace(/<Owner>[\s\S]*?<\/Owner>/, '')}</Contents>`),
    ...prefixes.map((p) => `<CommonPrefixes>${p}</CommonPrefixes>`),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</ListBucketResult>`;
}
