import { describe, expect, it } from 'vitest';
import { decodeS3Key } from '../../functions/s3/upload-received.js';
import { parseUploadKey, UploadRequest, uploadKey } from '../../shared/uploads/upload.js';

describe('upload keys', () => {
  const u = { unitCode: '90101', bookId: '90101-KS-1.2018-2018', kind: 'entry' as const, uploadId: '0f8fad5b-d9cb-469f-a165-70867728950e', fileName: 'Sổ KS 2018.xlsx' };

  it('round-trip through the S3 notification encoding', () => {
    const key = uploadKey(u);
    const encoded = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
    expect(parseUploadKey(decodeS3Key(encoded))).toEqual(u);
  });

  it('anything outside the layout is not an upload', () => {
    expect(parseUploadKey('uploads/90101/../../etc/passwd')).toBeUndefined();
    expect(parseUploadKey(`scans/${uploadKey(u)}`)).toBeUndefined();
  });

  it('file names with path separators or control characters are refused', () => {
    for (const fileName of ['../x.xlsx', 'a/b.xlsx', 'a\\b.xlsx', 'a\u0000.xlsx', '..', 'so\u202Eexe.xlsx', 'a\u0085.xlsx']) {
      expect(UploadRequest.safeParse({ kind: 'entry', fileName, contentType: 'x', size: 1 }).success, fileName).toBe(false);
    }
  });
});
