/** The HTTP API, as the pages call it: JSON in and out, the session's token, errors as `ApiError`. */
import { token } from './auth/index.js';
import { apiBase } from './config.js';

/**
 * An error answer of the API: `{error, message (Vietnamese), details}`.
 */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ error?: string, message?: string, details?: Record<string, any> }} body
   */
  constructor(status, body) {
    super(body.message || defaultMessage(status));
    this.name = 'ApiError';
    this.status = status;
    this.code = body.error ?? '';
    /** @type {Record<string, any>} */
    this.details = body.details ?? {};
  }

  /** @returns {{ path?: string, message: string }[]} */
  get issues() {
    return Array.isArray(this.details.issues) ? this.details.issues : [];
  }
}

/** @param {number} status */
function defaultMessage(status) {
  if (status === 401) return 'Phiên đăng nhập đã hết hạn, hãy đăng nhập lại';
  if (status === 403) return 'Bạn không có quyền thực hiện thao tác này';
  if (status === 404) return 'Không tìm thấy';
  if (status === 0) return 'Không kết nối được máy chủ';
  return `Máy chủ trả lỗi (HTTP ${status})`;
}

/** @type {(() => void) | undefined} */
let onUnauthorized;
/** @param {() => void} fn Called on any 401 (the session is no longer valid). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * @param {string} path
 * @returns {string}
 */
export function apiUrl(path) {
  return `${apiBase}${path}`;
}

/**
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
export async function request(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = {};
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let r;
  try {
    r = await fetch(apiUrl(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, {});
  }
  const text = await r.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!r.ok) {
    if (r.status === 401) onUnauthorized?.();
    throw new ApiError(r.status, parsed && typeof parsed === 'object' ? parsed : {});
  }
  return /** @type {T} */ (parsed);
}

/**
 * @param {string} path
 * @returns {Promise<any>}
 */
export const get = (path) => request('GET', path);
/**
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export const post = (path, body = {}) => request('POST', path, body);
/**
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<any>}
 */
export const patch = (path, body) => request('PATCH', path, body);

/**
 * A file the API serves behind the token (e.g. an Excel template): fetched with the token, then saved.
 * @param {string} path
 * @param {string} fileName
 */
export async function download(path, fileName) {
  const t = token();
  const r = await fetch(apiUrl(path), { headers: t ? { authorization: `Bearer ${t}` } : {} }).catch(() => undefined);
  if (!r) throw new ApiError(0, {});
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    throw new ApiError(r.status, body);
  }
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `so` ("12/2018") as a path segment ("12-2018"). @param {string} so */
export function soPath(so) {
  return so.replace('/', '-');
}
