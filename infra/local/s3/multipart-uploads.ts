/**
 * Multipart upload operations s3rver 3.7 lacks or gets wrong, implemented on its on-disk layout
 * (`<dataDir>/<bucket>/._S3rver_uploads/<uploadId>/{key,metadata,<n>,<n>.md5}`):
 * ListParts, AbortMultipartUpload, NoSuchUpload checks, CompleteMultipartUpload validation
 * (InvalidPart, InvalidPartOrder, EntityTooSmall) and S3's `<md5-of-md5s>-<n>` multipart ETag.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Error, xmlEscape, xmlUnescape } from './s3-error.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface Upload {
  bucket: string;
  key: string;
  uploadId: string;
  dir: string;
}

export interface StoredPart {
  partNumber: number;
  size: number;
  /** Hex MD5, no quotes. */
  etag: string;
  lastModified: Date;
}

export interface CompletionPart {
  partNumber: number;
  etag: string;
}

export const noSuchUpload = (uploadId: string): S3Error =>
  new S3Error(
    'NoSuchUpload',
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );

export class UploadStore {
  constructor(private readonly root: string) {}

  private uploadDir(bucket: string, uploadId: string): string {
    return join(this.root, bucket, '._S3rver_uploads', uploadId);
  }

  /** The path of s3rver's stored ETag for an object (`<key>._S3rver_object.md5`). */
  objectMd5Path(bucket: string, key: string): string {
    const parts = key.split('/');
    const last = parts.pop() ?? '';
    return join(this.root, bucket, ...parts, `${last}._S3rver_object.md5`);
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<Upload> {
    // s3rver's ids are 32 hex digits; anything else could also escape the uploads directory.
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw noSuchUpload(uploadId);
    const dir = this.uploadDir(bucket, uploadId);
    const storedKey = await readFile(join(dir, 'key'), 'utf8').catch(() => undefined);
    if (storedKey !== key) throw noSuchUpload(uploadId);
    return { bucket, key, uploadId, dir };
  }

  async listParts(upload: Upload): Promise<StoredPart[]> {
    const names = await readdir(upload.dir);
    const parts: StoredPart[] = [];
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const partNumber = Number(name);
      const [info, etag] = await Promise.all([
        stat(join(upload.dir, name)),
        readFile(join(upload.dir, `${name}.md5`), 'utf8').catch(() => undefined),
      ]);
      if (etag === undefined) continue; // still being written
      parts.push({ partNumber, size: info.size, etag: etag.trim(), lastModified: info.mtime });
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async abort(upload: Upload): Promise<void> {
    await rm(upload.dir, { recursive: true, force: true });
  }

  /**
   * Checks a CompleteMultipartUpload body against the stored parts, as S3 does, and returns the
   * ETag S3 would give the object.
   */
  async validateCompletion(upload: Upload, xml: string): Promise<{ parts: CompletionPart[]; etag: string }> {
    const parts = parseCompletion(xml);
    if (parts.length === 0 || parts.length > MAX_PARTS) {
      throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    for (let i = 1; i < parts.length; i++) {
      if ((parts[i]?.partNumber ?? 0) <= (parts[i - 1]?.partNumber ?? 0)) {
        throw new S3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', {
          UploadId: upload.uploadId,
        });
      }
    }
    const stored = new Map((await this.listParts(upload)).map((p) => [p.partNumber, p]));
    const md5s: Buffer[] = [];
    parts.forEach((part, index) => {
      const found = stored.get(part.partNumber);
      if (!found || found.etag !== part.etag) {
        throw new S3Error(
          'InvalidPart',
          400,
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          { UploadId: upload.uploadId, PartNumber: part.partNumber, ETag: part.etag },
        );
      }
      if (index < parts.length - 1 && found.size < MIN_PART_SIZE) {
        throw new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', {
          ProposedSize: found.size,
          MinSizeAllowed: MIN_PART_SIZE,
          PartNumber: part.partNumber,
          ETag: part.etag,
        });
      }
      md5s.push(Buffer.from(found.etag, 'hex'));
    });
    const etag = `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}`;
    return { parts, etag };
  }

  /** Replaces s3rver's whole-object MD5 with S3's multipart ETag. */
  async setObjectEtag(bucket: string, key: string, etag: string): Promise<void> {
    await writeFile(this.objectMd5Path(bucket, key), etag);
  }
}

export function parseCompletion(xml: string): CompletionPart[] {
  const parts: CompletionPart[] = [];
  for (const block of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
    const body = block[1] ?? '';
    const number = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(body)?.[1];
    const etag = /<ETag>([\s\S]*?)<\/ETag>/.exec(body)?.[1];
    if (number === undefined || etag === undefined) {
      throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    parts.push({ partNumber: Number(number), etag: xmlUnescape(etag).trim().replace(/"/g, '') });
  }
  return parts;
}

export function listPartsXml(
  upload: Upload,
  allParts: StoredPart[],
  opts: { maxParts: number; partNumberMarker: number },
): string {
  const after = allParts.filter((p) => p.partNumber > opts.partNumberMarker);
  const page = after.slice(0, opts.maxParts);
  const truncated = after.length > page.length;
  const owner = '<ID>local-s3-owner</ID><DisplayName>local-s3</DisplayName>';
  const parts = page
    .map(
      (p) =>
        `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${p.lastModified.toISOString()}</LastModified>` +
        `<ETag>&quot;${p.etag}&quot;</ETag><Size>${p.size}</Size></Part>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Bucket>${xmlEscape(upload.bucket)}</Bucket><Key>${xmlEscape(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId>` +
    `<Initiator>${owner}</Initiator><Owner>${owner}</Owner><StorageClass>STANDARD</StorageClass>` +
    `<PartNumberMarker>${opts.partNumberMarker}</PartNumberMarker>` +
    (page.length > 0 ? `<NextPartNumberMarker>${page[page.length - 1]?.partNumber}</NextPartNumberMarker>` : '') +
    `<MaxParts>${opts.maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts}</ListPartsResult>`
  );
}
