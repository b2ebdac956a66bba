/**
 * Receives a signed request's body the way S3 does: decodes aws-chunked, verifies chunk signatures,
 * x-amz-content-sha256, Content-MD5 and x-amz-checksum-* (header, presigned query or trailer),
 * and holds the decoded bytes in a Spool until all checks pass.
 */
import { createHash } from 'node:crypto';
import { AwsChunkedDecoder } from './aws-chunked.js';
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_NAMES,
  type ChecksumAlgorithm,
  type Checksummer,
  createChecksummer,
  isChecksumAlgorithm,
} from './checksums.js';
import { S3Error } from './s3-error.js';
import { type AuthResult, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, UNSIGNED_PAYLOAD } from './sigv4.js';
import { Spool } from './spool.js';

export interface BodyOptions {
  auth: AuthResult;
  /** Lower-case header names with their values, merged with the presigned x-amz-* query parameters. */
  amzValues: (name: string) => string | undefined;
  contentEncoding: string | undefined;
  contentMd5: string | undefined;
  tmpDir: string;
}

export interface ReceivedBody {
  spool: Spool;
  /** Content-Encoding to store, with the aws-chunked coding removed (undefined when nothing is left). */
  contentEncoding: string | undefined;
}

export function isAwsChunked(payloadHash: string, contentEncoding: string | undefined): boolean {
  return payloadHash.startsWith('STREAMING-') || codings(contentEncoding).includes('aws-chunked');
}

const codings = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);

export async function receiveBody(source: AsyncIterable<Buffer>, opts: BodyOptions): Promise<ReceivedBody> {
  const { auth } = opts;
  if (auth.payloadHash.startsWith('STREAMING-AWS4-ECDSA')) {
    throw new S3Error('NotImplemented', 501, 'SigV4a (ECDSA) streaming payloads are not supported by the local S3 service.');
  }
  const chunked = isAwsChunked(auth.payloadHash, opts.contentEncoding);
  const hexPayloadHash = /^[0-9a-f]{64}$/i.test(auth.payloadHash) ? auth.payloadHash.toLowerCase() : undefined;
  if (chunked && (hexPayloadHash || auth.payloadHash === UNSIGNED_PAYLOAD)) {
    throw new S3Error('InvalidArgument', 400, 'aws-chunked encoding requires a STREAMING-* x-amz-content-sha256 value.', {
      ArgumentName: 'x-amz-content-sha256',
      ArgumentValue: auth.payloadHash,
    });
  }

  // Declared checksums: one x-amz-checksum-* value (header or presigned query) or one named in x-amz-trailer.
  const declared = CHECKSUM_ALGORITHMS.filter((alg) => opts.amzValues(`x-amz-checksum-${alg}`) !== undefined);
  if (declared.length > 1) {
    throw new S3Error('InvalidRequest', 400, 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  }
  const trailerDecl = opts.amzValues('x-amz-trailer')?.trim().toLowerCase();
  let trailerAlgorithm: ChecksumAlgorithm | undefined;
  if (trailerDecl) {
    const alg = trailerDecl.replace(/^x-amz-checksum-/, '');
    if (!trailerDecl.startsWith('x-amz-checksum-') || !isChecksumAlgorithm(alg)) {
      throw new S3Error('InvalidRequest', 400, `The value specified in the x-amz-trailer header is not supported: ${trailerDecl}`);
    }
    if (!chunked) throw new S3Error('InvalidRequest', 400, 'x-amz-trailer requires an aws-chunked body.');
    trailerAlgorithm = alg;
  }
  const checksumAlgorithm = declared[0] ?? trailerAlgorithm;
  const checksummer: Checksummer | undefined = checksumAlgorithm ? createChecksummer(checksumAlgorithm) : undefined;

  const md5 = opts.contentMd5 !== undefined ? createHash('md5') : undefined;
  const rawSha256 = hexPayloadHash ? createHash('sha256') : undefined;
  const spool = new Spool(opts.tmpDir);
  try {
    const sink = async (data: Buffer): Promise<void> => {
      md5?.update(data);
      checksummer?.update(data);
      await spool.write(data);
    };
    let decoder: AwsChunkedDecoder | undefined;
    if (chunked) {
      const signed = auth.payloadHash === STREAMING_SIGNED || auth.payloadHash === STREAMING_SIGNED_TRAILER;
      decoder = new AwsChunkedDecoder(
        sink,
        signed ? { ...auth, seedSignature: auth.signature, signedTrailer: auth.payloadHash === STREAMING_SIGNED_TRAILER } : undefined,
      );
    }
    for await (const chunk of source) {
      rawSha256?.update(chunk);
      if (decoder) await decoder.write(chunk);
      else await sink(chunk);
    }
    decoder?.end();
    await spool.finish();

    if (chunked) {
      const decodedLength = opts.amzValues('x-amz-decoded-content-length');
      if (decodedLength === undefined) {
        throw new S3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
      }
      if (Number(decodedLength) !== spool.size) {
        throw new S3Error(
          'IncompleteBody',
          400,
          'You did not provide the number of bytes specified by the Content-Length HTTP header',
          { NumberBytesExpected: decodedLength, NumberBytesProvided: spool.size },
        );
      }
    }
    if (rawSha256 && hexPayloadHash) {
      const computed = rawSha256.digest('hex');
      if (computed !== hexPayloadHash) {
        throw new S3Error('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.", {
          ClientComputedContentSHA256: hexPayloadHash,
          S3ComputedContentSHA256: computed,
        });
      }
    }
    if (md5 && opts.contentMd5 !== undefined) {
      const claimed = Buffer.from(opts.contentMd5, 'base64');
      if (claimed.length !== 16) throw new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.', { 'Content-MD5': opts.contentMd5 });
      if (!claimed.equals(md5.digest())) {
        throw new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.', {
          ExpectedDigest: opts.contentMd5,
        });
      }
    }
    if (checksumAlgorithm) {
      const claimed = declared[0] ? opts.amzValues(`x-amz-checksum-${checksumAlgorithm}`) : decoder?.trailers.get(`x-amz-checksum-${checksumAlgorithm}`);
      if (claimed === undefined) {
        throw new S3Error('MalformedTrailerError', 400, 'The request contained trailing data that was not well-formed or did not conform to our published schema.');
      }
      if (checksummer && checksummer.digestBase64() !== claimed) {
        throw new S3Error('BadDigest', 400, `The ${CHECKSUM_NAMES[checksumAlgorithm]} you specified did not match the calculated checksum.`);
      }
    }
    const remainingCodings = codings(opts.contentEncoding).filter((c) => c !== 'aws-chunked');
    return { spool, contentEncoding: remainingCodings.length > 0 ? remainingCodings.join(',') : undefined };
  } catch (err) {
    await spool.dispose();
    throw err;
  }
}
