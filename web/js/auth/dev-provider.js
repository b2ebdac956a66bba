/**
 * Local sign-in (`npm start` only): pick a demo user (`GET /dev/users`), get a token from
 * `POST /dev/login`. These routes exist only in the local API server, never in AWS.
 */
import { apiBase } from '../config.js';
import { saveSession } from './session.js';

/**
 * @typedef {import('./session.js').User & { displayName: string }} DemoUser
 */

export const name = 'dev';
/** The sign-in page shows a list of users to pick from. */
export const kind = 'pick-user';

/** @returns {Promise<DemoUser[]>} */
export async function users() {
  const r = await fetch(`${apiBase}/dev/users`);
  if (!r.ok) throw new Error(`Không lấy được danh sách người dùng demo (HTTP ${r.status})`);
  return r.json();
}

/**
 * @param {string} username
 * @returns {Promise<import('./session.js').Session>}
 */
export async function signIn(username) {
  const r = await fetch(`${apiBase}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }) });
  const body = await r.json().catch(() => ({}));
  if (!r.ok || !body.token) throw new Error(body.message ?? `Đăng nhập không thành công (HTTP ${r.status})`);
  return saveSession(body.token, name, { displayName: body.user?.displayName });
}

/** Nothing to end on the server side: the token simply stops being sent. */
export async function signOut() {}
