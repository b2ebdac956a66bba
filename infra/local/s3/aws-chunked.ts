/**
 * Streaming decoder for `Content-Encoding: aws-chunked` bodies:
 *   <hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n[<trailer>:<value>\r\n...]\r\n
 * Verifies chunk signatures (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) and the trailer signature
 * when a signing context is given.
 */
import { createHash, type Hash } from 'node:crypto';
import { S3Error } from './s3-error.js';
import { EMPTY_SHA256, type SigningContext, chunkSignature, signaturesEqual, trailerSignature } from './sigv4.js';

const MAX_LINE = 8 * 1024;
const CRLF = Buffer.from('\r\n');

export interface ChunkSigning extends SigningContext {
  /** The request's signature, which the first chunk signature chains from. */
  seedSignature: string;
  /** True for STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the trailer carries x-amz-trailer-signature. */
  signedTrailer: boolean;
}

const malformed = (detail: string): S3Error =>
  new S3Error('IncompleteBody', 400, `The aws-chunked request body is not well-formed: ${detail}`);

const chunkSignatureMismatch = (): S3Error =>
  new S3Error(
    'SignatureDoesNotMatch',
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );

type State = 'size-line' | 'data' | 'data-crlf' | 'trailer' | 'done';

export class AwsChunkedDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private state: State = 'size-line';
  private remaining = 0;
  private chunkHash: Hash | undefined;
  private pendingSignature = '';
  private previousSignature: string;
  private trailerText = '';
  private trailerSig: string | undefined;
  readonly trailers = new Map<string, string>();

  constructor(
    private readonly onData: (data: Buffer) => Promise<void> | void,
    private readonly signing?: ChunkSigning,
  ) {
    this.previousSignature = signing?.seedSignature ?? '';
  }

  async write(chunk: Buffer): Promise<void> {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      switch (this.state) {
        case 'size-line': {
          const line = this.takeLine();
          if (line === undefined) return;
          this.startChunk(line);
          break;
        }
        case 'data': {
          if (this.buf.length === 0) return;
          const n = Math.min(this.remaining, this.buf.length);
          const data = this.buf.subarray(0, n);
          this.buf = this.buf.subarray(n);
          this.remaining -= n;
          this.chunkHash?.update(data);
          await this.onData(data);
          if (this.remaining === 0) this.state = 'data-crlf';
          break;
        }
        case 'data-crlf': {
          if (this.buf.length < 2) return;
          if (!this.buf.subarray(0, 2).equals(CRLF)) throw malformed('chunk data is not followed by CRLF');
          this.buf = this.buf.subarray(2);
          if (this.signing && this.chunkHash) this.verifyChunk(this.chunkHash.digest('hex'));
          this.chunkHash = undefined;
          this.state = 'size-line';
          break;
        }
        case 'trailer': {
          const line = this.takeLine();
          if (line === undefined) return;
          if (line === '') {
            this.state = 'done';
            break;
          }
          this.addTrailer(line);
          break;
        }
        case 'done':
          // Anything after the final CRLF is ignored.
          this.buf = Buffer.alloc(0);
          return;
      }
    }
  }

  /** Call at the end of the body; throws if the body stopped early or a trailer signature is wrong. */
  end(): void {
    if (this.state === 'trailer' && this.buf.length > 0) this.addTrailer(this.buf.toString('utf8'));
    if (this.state !== 'done' && this.state !== 'trailer') throw malformed('the body ended before the final chunk');
    if (this.signing?.signedTrailer) {
      if (this.trailerSig === undefined) throw malformed('missing x-amz-trailer-signature');
      const expected = trailerSignature(this.signing, this.previousSignature, this.trailerText);
      if (!signaturesEqual(expected, this.trailerSig)) throw chunkSignatureMismatch();
    }
  }

  private takeLine(): string | undefined {
    const idx = this.buf.indexOf(CRLF);
    if (idx === -1) {
      if (this.buf.length > MAX_LINE) throw malformed('chunk header line too long');
      return undefined;
    }
    const line = this.buf.subarray(0, idx).toString('utf8');
    this.buf = this.buf.subarray(idx + 2);
    return line;
  }

  private startChunk(line: string): void {
    const [sizeHex = '', ...extensions] = line.split(';');
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeHex.trim())) throw malformed(`invalid chunk size "${sizeHex}"`);
    const size = Number.parseInt(sizeHex.trim(), 16);
    let signature = '';
    for (const ext of extensions) {
      const eq = ext.indexOf('=');
      if (eq !== -1 && ext.slice(0, eq).trim() === 'chunk-signature') signature = ext.slice(eq + 1).trim();
    }
    if (this.signing && !signature) throw malformed('missing chunk-signature');
    this.pendingSignature = signature;
    if (size === 0) {
      if (this.signing) this.verifyChunk(EMPTY_SHA256);
      this.state = 'trailer';
      return;
    }
    this.remaining = size;
    this.chunkHash = this.signing ? createHash('sha256') : undefined;
    this.state = 'data';
  }

  private verifyChunk(chunkSha256Hex: string): void {
    if (!this.signing) return;
    const expected = chunkSignature(this.signing, this.previousSignature, chunkSha256Hex);
    if (!signaturesEqual(expected, this.pendingSignature)) throw chunkSignatureMismatch();
    this.previousSignature = this.pendingSignature;
  }

  private addTrailer(line: string): void {
    const colon = line.indexOf(':');
    if (colon === -1) throw new S3Error('MalformedTrailerError', 400, 'The request contained trailing data that was not well-formed or did not conform to our published schema.');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.trailerSig = value;
      return;
    }
    this.trailers.set(name, value);
    this.trailerText += `${name}:${value}\n`;
  }
}
