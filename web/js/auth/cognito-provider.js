/**
 * Sign-in through the Cognito hosted UI (AWS): OAuth 2.0 authorization code with PKCE (S256), a `state`
 * against forged callbacks and an OpenID `nonce` bound into the ID token. The hosted UI asks for the
 * password and the TOTP code; the pages keep only the ID token (the API's bearer token: it carries
 * `cognito:groups` and `custom:unit`). Settings come from `window.HOTICH_AUTH` (web/config.js, generated
 * by the CDK app): `{ provider: 'cognito', domain, clientId, redirectUri }`.
 */
import { claimsOf, loadSession, saveSession } from './session.js';

export const name = 'cognito';
/** The sign-in page shows one button that leaves for the hosted UI. */
export const kind = 'redirect';

/** What a started sign-in must find again when the browser comes back (this tab only). */
const PENDING = 'hotich.oauth.pending';
/** Where to go after sign-in (set by the router when a protected page asked for it). */
const AFTER = 'hotich.after-sign-in';

/**
 * @typedef {object} CognitoSettings
 * @property {string} domain       `https://<prefix>.auth.<region>.amazoncognito.com` (no trailing slash)
 * @property {string} clientId
 * @property {string} redirectUri  The pages' URL, exactly as registered as a callback URL.
 */

/** @returns {CognitoSettings} */
export function settings() {
  const a = /** @type {Partial<CognitoSettings> | undefined} */ (/** @type {any} */ (window).HOTICH_AUTH);
  if (!a?.domain || !a.clientId || !a.redirectUri) throw new Error('Cấu hình đăng nhập chưa đủ (domain, clientId, redirectUri trong config.js)');
  return { domain: a.domain.replace(/\/+$/, ''), clientId: a.clientId, redirectUri: a.redirectUri };
}

/**
 * Base64url without padding (RFC 4648 §5), as PKCE and JWTs use it.
 * @param {Uint8Array} bytes
 */
export function base64Url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A random URL-safe string from `n` random bytes (32 bytes → a 43-character PKCE verifier).
 * @param {number} [n]
 */
export function randomString(n = 32) {
  return base64Url(crypto.getRandomValues(new Uint8Array(n)));
}

/**
 * The S256 code challenge of a verifier: base64url(SHA-256(verifier)) (RFC 7636 §4.2).
 * @param {string} verifier
 */
export async function pkceChallenge(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/**
 * The hosted UI's authorize URL.
 * @param {CognitoSettings} s
 * @param {{ challenge: string, state: string, nonce: string }} p
 */
export function authorizeUrl(s, p) {
  const u = new URL(`${s.domain}/oauth2/authorize`);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: s.clientId,
    redirect_uri: s.redirectUri,
    scope: 'openid email profile',
    code_challenge_method: 'S256',
    code_challenge: p.challenge,
    state: p.state,
    nonce: p.nonce,
  }).toString();
  return u.toString();
}

/**
 * The hosted UI's sign-out URL (ends the hosted-UI session, then returns to the pages).
 * @param {CognitoSettings} s
 */
export function logoutUrl(s) {
  const u = new URL(`${s.domain}/logout`);
  u.search = new URLSearchParams({ client_id: s.clientId, logout_uri: s.redirectUri }).toString();
  return u.toString();
}

/**
 * Reads an OAuth callback from the address. `null` when the address is not a callback.
 * @param {string} href
 * @returns {{ code?: string, state: string, error?: string } | null}
 */
export function callbackOf(href) {
  const q = new URL(href).searchParams;
  const code = q.get('code');
  const error = q.get('error');
  if (!code && !error) return null;
  if (error) return { error: q.get('error_description') || error, state: q.get('state') ?? '' };
  return { code: code ?? '', state: q.get('state') ?? '' };
}

/** Starts the sign-in: verifier, state and nonce kept in this tab, then off to the hosted UI. */
export async function signIn() {
  const s = settings();
  const pending = { verifier: randomString(32), state: randomString(16), nonce: randomString(16) };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  location.assign(authorizeUrl(s, { challenge: await pkceChallenge(pending.verifier), state: pending.state, nonce: pending.nonce }));
}

/**
 * On page load: when the address is the hosted UI's callback, checks the state, exchanges the code (with
 * the verifier) for tokens, checks the nonce and keeps the ID token. The code never stays in the address
 * or the history. Otherwise returns the stored session.
 * @returns {Promise<import('./session.js').Session | null>}
 */
export async function completeSignIn() {
  const callback = callbackOf(location.href);
  if (!callback) return loadSession();
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const next = sessionStorage.getItem(AFTER);
  sessionStorage.removeItem(AFTER);
  history.replaceState(null, '', `${location.pathname}${next && next !== '#/dang-nhap' ? next : ''}`);

  /** @type {{ verifier: string, state: string, nonce: string } | null} */
  const pending = raw ? JSON.parse(raw) : null;
  if (!pending || !callback.state || callback.state !== pending.state) {
    throw new Error('Phản hồi đăng nhập không khớp với yêu cầu đăng nhập của trang này (state). Hãy đăng nhập lại.');
  }
  if (callback.error) throw new Error(`Đăng nhập không thành công: ${callback.error}`);

  const s = settings();
  const r = await fetch(`${s.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: s.clientId,
      code: callback.code ?? '',
      redirect_uri: s.redirectUri,
      code_verifier: pending.verifier,
    }),
  }).catch(() => undefined);
  if (!r) throw new Error('Không kết nối được máy chủ đăng nhập. Hãy thử lại.');
  /** @type {{ id_token?: string, error?: string }} */
  const body = await r.json().catch(() => ({}));
  if (!r.ok || !body.id_token) throw new Error(`Đăng nhập không thành công (${body.error ?? `HTTP ${r.status}`}). Hãy đăng nhập lại.`);
  // The API verifies the signature; the page checks the token answers its own request and client.
  const claims = claimsOf(body.id_token);
  const audience = [claims.aud].flat();
  if (claims.nonce !== pending.nonce || !audience.includes(s.clientId)) {
    throw new Error('Mã đăng nhập không dành cho trang này (nonce, aud). Hãy đăng nhập lại.');
  }
  return saveSession(body.id_token, name);
}

/**
 * Ends the hosted-UI session too (the local session is already cleared by auth/index.js). Never resolves:
 * the page is leaving, and a hash change after this would cancel the navigation.
 * @returns {Promise<void>}
 */
export function signOut() {
  location.assign(logoutUrl(settings()));
  return new Promise(() => {});
}
