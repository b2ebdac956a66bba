/**
 * Sending a file straight to S3: the API only hands out a presigned POST (or presigned part URLs for a
 * multipart upload); the bytes never pass through the API. Progress comes from XMLHttpRequest upload
 * events. Large files go in parts: each part is retried on failure, and an interrupted upload is resumed
 * (the API lists the parts S3 already holds and signs fresh URLs for the rest), also after a reload,
 * because the upload id is remembered in localStorage until the upload completes.
 */
import { get, post } from './api.js';
import { contentTypes } from './labels.js';

/** From this size on, scans go as a multipart upload (parts of at least 8 MiB; see shared/uploads/upload.ts). */
export const MULTIPART_FROM = 16 * 1024 * 1024;
const PART_ATTEMPTS = 4;
const PARALLEL_PARTS = 3;

/**
 * @typedef {object} UploadCallbacks
 * @property {(loaded: number, total: number) => void} onProgress
 * @property {(text: string) => void} onStatus
 */

/**
 * @typedef {object} ResumeRecord
 * @property {string} bookId
 * @property {string} kind
 * @property {string} uploadId
 * @property {string} fileName
 * @property {number} size
 * @property {number} lastModified
 * @property {number} partSize
 * @property {number} partCount
 * @property {string} username
 * @property {string} startedAt
 */

/** @param {string} fileName */
export function contentTypeOf(fileName) {
  const ext = fileName.slice(fileName.lastIndexOf('.')).toLowerCase();
  return contentTypes[ext] ?? 'application/octet-stream';
}

/**
 * One XMLHttpRequest, resolved with its status, progress reported as it goes.
 * @param {string} method
 * @param {string} url
 * @param {Blob | FormData} body
 * @param {(loaded: number) => void} onProgress
 * @returns {Promise<{ status: number, body: string }>}
 */
export function send(method, url, body, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded));
    xhr.addEventListener('load', () => resolve({ status: xhr.status, body: xhr.responseText }));
    xhr.addEventListener('error', () => resolve({ status: 0, body: '' }));
    xhr.addEventListener('abort', () => resolve({ status: 0, body: '' }));
    xhr.addEventListener('timeout', () => resolve({ status: 0, body: '' }));
    xhr.send(body);
  });
}

/** The message in an S3 XML error answer, if any. @param {string} xml */
function s3Message(xml) {
  const m = /<Message>([^<]*)<\/Message>/.exec(xml);
  return m ? m[1] : '';
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- resume records (localStorage: survives a reload or a closed tab) ----

const RESUME_PREFIX = 'hotich.upload.';

/**
 * @param {string} username
 * @param {string} bookId
 * @param {string} kind
 * @param {{ name: string, size: number, lastModified: number }} file
 */
function resumeKey(username, bookId, kind, file) {
  return `${RESUME_PREFIX}${username}|${bookId}|${kind}|${file.name}|${file.size}|${file.lastModified}`;
}

/**
 * Unfinished multipart uploads of this user for a book.
 * @param {string} username
 * @param {string} bookId
 * @returns {ResumeRecord[]}
 */
export function unfinishedUploads(username, bookId) {
  /** @type {ResumeRecord[]} */
  const out = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (!k?.startsWith(`${RESUME_PREFIX}${username}|${bookId}|`)) continue;
    try {
      out.push(JSON.parse(localStorage.getItem(k) ?? ''));
    } catch {
      localStorage.removeItem(k);
    }
  }
  return out;
}

/**
 * @param {string} username
 * @param {ResumeRecord} r
 */
export function forgetUpload(username, r) {
  localStorage.removeItem(resumeKey(username, r.bookId, r.kind, { name: r.fileName, size: r.size, lastModified: r.lastModified }));
}

/**
 * Uploads one file for a book, straight to S3. Resolves with the upload id once S3 has the whole file.
 * @param {{ bookId: string, kind: 'entry' | 'scans', file: File, username: string, multipart?: boolean }} job
 * @param {UploadCallbacks} cb
 * @returns {Promise<{ uploadId: string, resumed: boolean }>}
 */
export async function uploadFile(job, cb) {
  const { bookId, kind, file, username } = job;
  const key = resumeKey(username, bookId, kind, file);
  const saved = localStorage.getItem(key);
  if (saved) {
    /** @type {ResumeRecord} */
    const r = JSON.parse(saved);
    cb.onStatus('Tiếp tục lượt tải lên dở dang…');
    const done = await resumeMultipart(r, file, cb);
    if (done) {
      localStorage.removeItem(key);
      return { uploadId: r.uploadId, resumed: true };
    }
    localStorage.removeItem(key); // the upload no longer exists on the server side: start afresh
  }

  const contentType = contentTypeOf(file.name);
  const multipart = job.multipart ?? (kind === 'scans' && file.size >= MULTIPART_FROM);
  cb.onStatus('Đang xin liên kết tải lên…');
  const start = await post(`/books/${encodeURIComponent(bookId)}/uploads`, {
    kind,
    fileName: file.name,
    contentType,
    size: file.size,
    ...(multipart ? { multipart: true } : {}),
  });

  if (!start.multipart) {
    const form = new FormData();
    for (const [k, v] of Object.entries(/** @type {Record<string, string>} */ (start.fields))) form.append(k, v);
    form.append('file', file, file.name);
    for (let attempt = 1; ; attempt++) {
      cb.onStatus(attempt === 1 ? 'Đang tải lên…' : `Đang thử lại (lần ${attempt})…`);
      const r = await send('POST', start.url, form, (loaded) => cb.onProgress(Math.min(loaded, file.size), file.size));
      if (r.status >= 200 && r.status < 300) {
        cb.onProgress(file.size, file.size);
        return { uploadId: start.uploadId, resumed: false };
      }
      // 4xx from S3 (policy, size, expiry) will not get better by retrying.
      if (r.status >= 400 && r.status < 500) {
        throw new Error(`Kho lưu trữ từ chối tệp (HTTP ${r.status})${s3Message(r.body) ? `: ${s3Message(r.body)}` : ''}`);
      }
      if (attempt >= PART_ATTEMPTS) {
        throw new Error(
          `${r.status ? `Kho lưu trữ báo lỗi (HTTP ${r.status})` : 'Không kết nối được kho lưu trữ'} sau ${attempt} lần thử. Bấm "Tiếp tục" để tải lại tệp.`,
        );
      }
      await sleep(500 * 2 ** attempt);
    }
  }

  /** @type {ResumeRecord} */
  const record = {
    bookId,
    kind,
    uploadId: start.uploadId,
    fileName: file.name,
    size: file.size,
    lastModified: file.lastModified,
    partSize: start.multipart.partSize,
    partCount: start.multipart.partCount,
    username,
    startedAt: new Date().toISOString(),
  };
  localStorage.setItem(key, JSON.stringify(record));
  await sendParts(record, file, start.multipart.parts, new Map(), cb);
  await completeMultipart(record, cb);
  localStorage.removeItem(key);
  return { uploadId: start.uploadId, resumed: false };
}

/**
 * Resume: ask which parts S3 has, send the others, complete. False when there is nothing to resume.
 * @param {ResumeRecord} r
 * @param {File} file
 * @param {UploadCallbacks} cb
 */
async function resumeMultipart(r, file, cb) {
  /** @type {{ status: string, done: { partNumber: number, size: number }[], missing: { partNumber: number, url: string }[] }} */
  let state;
  try {
    state = await get(`/books/${encodeURIComponent(r.bookId)}/uploads/${encodeURIComponent(r.uploadId)}/parts`);
  } catch (err) {
    if (/** @type {{ status?: number }} */ (err).status === 404 || /** @type {{ status?: number }} */ (err).status === 403) return false;
    throw err;
  }
  if (state.status !== 'requested') return true; // already completed earlier
  /** @type {Map<number, number>} */
  const progress = new Map(state.done.map((p) => [p.partNumber, p.size]));
  cb.onStatus(`Đã có ${state.done.length}/${r.partCount} phần; tải tiếp ${state.missing.length} phần…`);
  await sendParts(r, file, state.missing, progress, cb);
  await completeMultipart(r, cb);
  return true;
}

/**
 * Sends parts, a few at a time, each retried with backoff. A part URL refused as expired is re-signed.
 * @param {ResumeRecord} r
 * @param {File} file
 * @param {{ partNumber: number, url: string }[]} parts
 * @param {Map<number, number>} progress Bytes sent per part (done parts included).
 * @param {UploadCallbacks} cb
 */
async function sendParts(r, file, parts, progress, cb) {
  const report = () =>
    cb.onProgress(
      [...progress.values()].reduce((a, b) => a + b, 0),
      file.size,
    );
  report();
  const queue = [...parts];
  /** @type {string[]} */
  const failures = [];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const part = p;
      const blob = file.slice((part.partNumber - 1) * r.partSize, part.partNumber * r.partSize);
      let url = part.url;
      let ok = false;
      for (let attempt = 1; attempt <= PART_ATTEMPTS && !ok; attempt++) {
        if (attempt > 1) cb.onStatus(`Phần ${part.partNumber}: thử lại lần ${attempt - 1}…`);
        const res = await send('PUT', url, blob, (loaded) => {
          progress.set(part.partNumber, Math.min(loaded, blob.size));
          report();
        });
        if (res.status >= 200 && res.status < 300) {
          ok = true;
          progress.set(part.partNumber, blob.size);
          report();
          break;
        }
        progress.set(part.partNumber, 0);
        report();
        if (res.status === 403 && /expired/i.test(res.body)) {
          const fresh = await get(`/books/${encodeURIComponent(r.bookId)}/uploads/${encodeURIComponent(r.uploadId)}/parts`);
          url = fresh.missing.find((/** @type {{ partNumber: number }} */ m) => m.partNumber === part.partNumber)?.url ?? url;
        } else if (attempt < PART_ATTEMPTS) {
          await sleep(400 * 2 ** attempt);
        }
      }
      if (!ok) failures.push(String(part.partNumber));
      else {
        const full = (/** @type {number} */ n) => Math.min(r.partSize, file.size - (n - 1) * r.partSize);
        cb.onStatus(`Đã gửi ${[...progress.entries()].filter(([n, s]) => s >= full(n)).length}/${r.partCount} phần`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, parts.length) }, worker));
  if (failures.length) {
    throw new Error(`Không gửi được phần ${failures.join(', ')} sau ${PART_ATTEMPTS} lần thử. Bấm "Tiếp tục" để gửi tiếp các phần còn thiếu.`);
  }
}

/**
 * @param {ResumeRecord} r
 * @param {UploadCallbacks} cb
 */
async function completeMultipart(r, cb) {
  cb.onStatus('Đang ghép các phần…');
  await post(`/books/${encodeURIComponent(r.bookId)}/uploads/${encodeURIComponent(r.uploadId)}/complete`);
  cb.onProgress(r.size, r.size);
}
