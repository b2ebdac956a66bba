/**
 * Receives a browser-based POST upload (multipart/form-data to `/<bucket>`): fields up to the
 * file are collected, the policy is checked as soon as the file part starts, the file is streamed
 * to a Spool (not past the allowed maximum), and the size is checked against content-length-range.
 */
import { S3Error } from './s3-error.js';
import { type FormField, type LengthRange, checkPostPolicy, fieldValue, missingField } from './post-policy.js';
import { parseMultipartForm } from './multipart-form.js';
import type { Credentials } from './sigv4.js';
import { Spool } from './spool.js';

/** The variable S3 replaces with the uploaded file's name in the `key` field. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal ${filename} variable, not a template.
export const FILENAME_VARIABLE = '${filename}';
/** S3 limits the form fields that precede the file to 20 KB. */
const MAX_PRE_DATA_BYTES = 20 * 1024;
/** S3's single-upload limit, which applies when the policy has no content-length-range. */
const MAX_SINGLE_UPLOAD = 5 * 1024 * 1024 * 1024;

export interface PostUploadOptions {
  bucket: string;
  boundary: string;
  credentials: Credentials;
  region: string;
  tmpDir: string;
  now: () => Date;
}

export interface PostUpload {
  fields: FormField[];
  /** The key after `${filename}` substitution. */
  key: string;
  filename: string | undefined;
  accessKeyId: string;
  spool: Spool;
}

export async function receivePostUpload(source: AsyncIterable<Buffer>, opts: PostUploadOptions): Promise<PostUpload> {
  const fields: FormField[] = [];
  let preDataBytes = 0;
  let current: { kind: 'field'; name: string; chunks: Buffer[] } | { kind: 'file' } | { kind: 'ignore' } | undefined;
  let fileSeen = false;
  let fileDone = false;
  let filename: string | undefined;
  let size = 0;
  let range: LengthRange = { min: 0, max: MAX_SINGLE_UPLOAD };
  let accessKeyId = '';
  const spool = new Spool(opts.tmpDir);

  try {
    for await (const event of parseMultipartForm(source, opts.boundary)) {
      if (event.type === 'part') {
        if (fileSeen) {
          current = { kind: 'ignore' }; // S3 ignores everything after the file
        } else if (event.name.toLowerCase() === 'file') {
          fileSeen = true;
          filename = event.filename;
          current = { kind: 'file' };
          const key = fieldValue(fields, 'key');
          if (key === undefined) throw missingField('key');
          if (key.length === 0) {
            throw new S3Error('InvalidArgument', 400, 'User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
          }
          const policy = checkPostPolicy({ bucket: opts.bucket, fields, credentials: opts.credentials, region: opts.region, now: opts.now() });
          accessKeyId = policy.accessKeyId;
          if (policy.lengthRange) range = policy.lengthRange;
        } else {
          current = { kind: 'field', name: event.name, chunks: [] };
        }
      } else if (event.type === 'data') {
        if (current?.kind === 'field') {
          preDataBytes += event.data.length;
          if (preDataBytes > MAX_PRE_DATA_BYTES) {
            throw new S3Error('MaxPostPreDataLengthExceeded', 400, 'Your POST request fields preceeding the upload file was too large.', {
              MaxPostPreDataLength: MAX_PRE_DATA_BYTES,
            });
          }
          current.chunks.push(Buffer.from(event.data));
        } else if (current?.kind === 'file') {
          size += event.data.length;
          // Past the maximum, keep counting (to report the size) but stop storing.
          if (size <= range.max) await spool.write(event.data);
        }
      } else {
        if (current?.kind === 'field') fields.push({ name: current.name, value: Buffer.concat(current.chunks).toString('utf8') });
        if (current?.kind === 'file') fileDone = true;
        current = undefined;
      }
    }
    if (!fileSeen || !fileDone) {
      throw new S3Error('InvalidArgument', 400, 'POST requires exactly one file upload per request.', {
        ArgumentName: 'file',
        ArgumentValue: 0,
      });
    }
    await spool.finish();
    if (size > range.max) {
      throw new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', {
        ProposedSize: size,
        MaxSizeAllowed: range.max,
      });
    }
    if (size < range.min) {
      throw new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', {
        ProposedSize: size,
        MinSizeAllowed: range.min,
      });
    }
    const rawKey = fieldValue(fields, 'key') ?? '';
    const key = rawKey.split(FILENAME_VARIABLE).join(filename ?? '');
    if (Buffer.byteLength(key) > 1024) {
      throw new S3Error('KeyTooLongError', 400, 'Your key is too long', { Size: Buffer.byteLength(key), MaxSizeAllowed: 1024 });
    }
    return { fields, key, filename, accessKeyId, spool };
  } catch (err) {
    await spool.dispose();
    throw err;
  }
}

/** Object headers S3 takes from POST form fields. */
export function objectHeadersFromFields(fields: FormField[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { name, value } of fields) {
    const lower = name.toLowerCase();
    if (
      ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-type', 'expires'].includes(lower) ||
      lower === 'x-amz-storage-class' ||
      lower === 'x-amz-website-redirect-location' ||
      lower.startsWith('x-amz-meta-')
    ) {
      headers[lower] = value;
    }
  }
  headers['content-type'] ??= 'binary/octet-stream';
  return headers;
}
