/**
 * ListObjectsV2, answered by the front from s3rver's data directory.
 *
 * Why not s3rver: s3rver 3.7 builds V2 continuation tokens with `crypto.createCipheriv('des', ...)`.
 * DES-CBC lives in OpenSSL 3's legacy provider, which Node >= 17 does not load, so every truncated
 * V2 listing (and every request carrying a continuation-token) answers 500 (ERR_OSSL_EVP_UNSUPPORTED)
 * unless Node runs with --openssl-legacy-provider. Its listing also walks directories in file-name
 * order (not key order) and does not count common prefixes towards max-keys, which repeats prefixes
 * across pages. This module lists keys in S3's order (UTF-8 bytes), counts keys and common prefixes
 * together, and uses its own opaque continuation token.
 *
 * s3rver's layout: object `a/b/c` is the file `<dataDir>/<bucket>/a/b/c._S3rver_object`, its ETag
 * (hex MD5, or `<md5>-<n>` for multipart) in `c._S3rver_object.md5`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Error, xmlEscape } from './s3-error.js';

const OBJECT_SUFFIX = '._S3rver_object';
const TOKEN_PREFIX = 'ls3:';

export interface ListRequest {
  bucket: string;
  /** `<dataDir>/<bucket>` */
  bucketDir: string;
  /** Decoded query parameters. */
  query: Map<string, string>;
}

interface Resume {
  after: string;
  /** The previous page ended on a common prefix: skip every key under it. */
  skipPrefix: boolean;
}

export function encodeContinuationToken(bucket: string, resume: Resume): string {
  return Buffer.from(`${TOKEN_PREFIX}${JSON.stringify([bucket, resume.after, resume.skipPrefix])}`, 'utf8').toString('base64');
}

export function decodeContinuationToken(token: string, bucket: string): Resume {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (text.startsWith(TOKEN_PREFIX)) {
    try {
      const parsed: unknown = JSON.parse(text.slice(TOKEN_PREFIX.length));
      if (Array.isArray(parsed) && parsed[0] === bucket && typeof parsed[1] === 'string' && typeof parsed[2] === 'boolean') {
        return { after: parsed[1], skipPrefix: parsed[2] };
      }
    } catch {
      // fall through
    }
  }
  throw new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
}

/** Every key in the bucket that starts with `prefix`, in S3's order. */
export async function listKeys(bucketDir: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const entry of entries) {
      if (entry.isDirectory()) {
        const sub = `${rel}${entry.name}/`;
        // Only descend where keys could start with the prefix.
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(join(dir, entry.name), sub);
      } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
        const key = `${rel}${entry.name.slice(0, -OBJECT_SUFFIX.length)}`;
        if (key.startsWith(prefix)) keys.push(key);
      }
    }
  };
  await walk(bucketDir, '');
  return keys
    .map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((k) => k.key);
}

function objectPath(bucketDir: string, key: string): string {
  const parts = key.split('/');
  const last = parts.pop() ?? '';
  return join(bucketDir, ...parts, `${last}${OBJECT_SUFFIX}`);
}

async function objectInfo(bucketDir: string, key: string): Promise<{ size: number; lastModified: Date; etag: string } | undefined> {
  const path = objectPath(bucketDir, key);
  try {
    const info = await stat(path);
    const etag = await readFile(`${path}.md5`, 'utf8').catch(async () => {
      const hash = createHash('md5');
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      return hash.digest('hex');
    });
    return { size: info.size, lastModified: info.mtime, etag: etag.trim() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // deleted meanwhile
    throw err;
  }
}

function parseMaxKeys(raw: string | undefined): number {
  if (raw === undefined) return 1000;
  if (!/^-?\d+$/.test(raw)) {
    throw new S3Error('InvalidArgument', 400, 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: raw,
    });
  }
  const value = Number(raw);
  if (value < 0 || value > 2147483647) {
    throw new S3Error('InvalidArgument', 400, 'Argument maxKeys must be an integer between 0 and 2147483647', {
      ArgumentName: 'maxKeys',
      ArgumentValue: raw,
    });
  }
  return Math.min(1000, value);
}

export async function listObjectsV2Xml(req: ListRequest): Promise<string> {
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = parseMaxKeys(q.get('max-keys'));
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');
  const resume: Resume =
    token !== undefined ? decodeContinuationToken(token, req.bucket) : { after: startAfter ?? '', skipPrefix: false };
  const fetchOwner = q.get('fetch-owner') === 'true';

  const keys = await listKeys(req.bucketDir, prefix);
  const objects: string[] = [];
  const commonPrefixes: string[] = [];
  let last: Resume | undefined;
  let truncated = false;
  const afterBytes = Buffer.from(resume.after, 'utf8');
  for (const key of keys) {
    if (resume.after && Buffer.compare(Buffer.from(key, 'utf8'), afterBytes) <= 0) continue;
    if (resume.skipPrefix && key.startsWith(resume.after)) continue;
    const idx = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const item = idx === -1 ? key : key.slice(0, idx + delimiter.length);
    if (idx !== -1 && last?.skipPrefix && last.after === item) continue; // same common prefix
    if (objects.length + commonPrefixes.length >= maxKeys) {
      truncated = maxKeys > 0;
      break;
    }
    if (idx === -1) objects.push(key);
    else commonPrefixes.push(item);
    last = { after: item, skipPrefix: idx !== -1 };
  }

  const infos = await Promise.all(objects.map((key) => objectInfo(req.bucketDir, key)));
  const owner = fetchOwner ? '<Owner><ID>local-s3-owner</ID><DisplayName>local-s3</DisplayName></Owner>' : '';
  const contents = objects
    .map((key, i) => {
      const info = infos[i];
      if (!info) return '';
      return (
        `<Contents><Key>${xmlEscape(key)}</Key><LastModified>${info.lastModified.toISOString()}</LastModified>` +
        `<ETag>&quot;${info.etag}&quot;</ETag><Size>${info.size}</Size>${owner}<StorageClass>STANDARD</StorageClass></Contents>`
      );
    })
    .join('');
  const keyCount = infos.filter(Boolean).length + commonPrefixes.length;
  const parts = [
    `<Name>${xmlEscape(req.bucket)}</Name>`,
    `<Prefix>${xmlEscape(prefix)}</Prefix>`,
    token !== undefined ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '',
    token === undefined && startAfter !== undefined ? `<StartAfter>${xmlEscape(startAfter)}</StartAfter>` : '',
    truncated && last ? `<NextContinuationToken>${encodeContinuationToken(req.bucket, last)}</NextContinuationToken>` : '',
    `<KeyCount>${keyCount}</KeyCount>`,
    `<MaxKeys>${xmlEscape(q.get('max-keys') ?? '1000')}</MaxKeys>`,
    delimiter ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : '',
    `<IsTruncated>${truncated}</IsTruncated>`,
    contents,
    ...commonPrefixes.map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</ListBucketResult>`;
}
