/** A small streaming multipart/form-data parser: part contents are yielded as they arrive. */
import { S3Error } from './s3-error.js';

export type FormEvent =
  | { type: 'part'; name: string; filename: string | undefined; contentType: string | undefined }
  | { type: 'data'; data: Buffer }
  | { type: 'end-part' };

const MAX_HEADER_BYTES = 16 * 1024;

const malformed = (): S3Error =>
  new S3Error('MalformedPOSTRequest', 400, 'The body of your POST request is not well-formed multipart/form-data.');

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType.trim())) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/**
 * Parses a multipart/form-data body. `data` events reference the parser's buffer: consume them
 * before asking for the next event.
 */
export async function* parseMultipartForm(source: AsyncIterable<Buffer>, boundary: string): AsyncGenerator<FormEvent> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // Pretend the body starts with CRLF so the first boundary looks like every other one.
  let buf: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';

  for await (const chunk of source) {
    if (state === 'done') continue; // drain the epilogue
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (state === 'preamble') {
        const idx = buf.indexOf(delimiter);
        if (idx === -1) {
          buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
          break;
        }
        buf = buf.subarray(idx + delimiter.length);
        state = 'after-delimiter';
      } else if (state === 'after-delimiter') {
        if (buf.length < 2) break;
        const two = buf.subarray(0, 2).toString('latin1');
        if (two === '--') {
          state = 'done';
          buf = Buffer.alloc(0);
          break;
        }
        // Transport padding (spaces/tabs) may precede the CRLF.
        const crlf = buf.indexOf('\r\n');
        if (crlf === -1) {
          if (buf.length > 256) throw malformed();
          break;
        }
        if (buf.subarray(0, crlf).toString('latin1').trim() !== '') throw malformed();
        buf = buf.subarray(crlf + 2);
        state = 'headers';
      } else if (state === 'headers') {
        // A part without headers has no name: S3 cannot use it.
        if (buf.length >= 2 && buf.subarray(0, 2).toString('latin1') === '\r\n') throw malformed();
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) {
          if (buf.length > MAX_HEADER_BYTES) throw malformed();
          break;
        }
        const headerBlock = buf.subarray(0, end).toString('utf8');
        buf = buf.subarray(end + 4);
        yield { type: 'part', ...parsePartHeaders(headerBlock) };
        state = 'body';
      } else if (state === 'body') {
        const idx = buf.indexOf(delimiter);
        if (idx === -1) {
          const safe = buf.length - delimiter.length + 1;
          if (safe > 0) {
            yield { type: 'data', data: buf.subarray(0, safe) };
            buf = buf.subarray(safe);
          }
          break;
        }
        if (idx > 0) yield { type: 'data', data: buf.subarray(0, idx) };
        yield { type: 'end-part' };
        buf = buf.subarray(idx + delimiter.length);
        state = 'after-delimiter';
      } else {
        break;
      }
    }
  }
  if (state !== 'done') throw malformed();
}

function parsePartHeaders(block: string): { name: string; filename: string | undefined; contentType: string | undefined } {
  let disposition = '';
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  const params = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(disposition); m; m = re.exec(disposition)) {
    const key = (m[1] ?? '').toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
    params.set(key, value);
  }
  const name = params.get('name');
  if (!/^form-data\b/i.test(disposition) || name === undefined) throw malformed();
  let filename = params.get('filename');
  const extended = params.get('filename*');
  if (extended) {
    const m = /^UTF-8''(.*)$/i.exec(extended);
    if (m) {
      try {
        filename = decodeURIComponent(m[1] ?? '');
      } catch {
        // keep the plain filename
      }
    }
  }
  return { name: decodeQuoted(name), filename: filename === undefined ? undefined : decodeQuoted(filename), contentType };
}

/** Browsers and undici percent-encode `"`, CR and LF inside quoted names. */
function decodeQuoted(value: string): string {
  return value.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}
