/**
 * Authentication, separated from the rest of the pages: every other module only calls
 * `currentSession()`, `token()`, `signOut()` and, on the sign-in page, the provider's `kind`.
 * The provider is chosen by `window.HOTICH_AUTH.provider` (web/config.js); locally it is `dev`.
 * docs/web.md describes the Cognito hosted-UI provider that plugs in here.
 */
import * as dev from './dev-provider.js';
import { clearSession, loadSession } from './session.js';

/**
 * @typedef {object} AuthProvider
 * @property {string} name
 * @property {'pick-user' | 'redirect'} kind
 * @property {() => Promise<import('./dev-provider.js').DemoUser[]>} [users]
 * @property {(username: string) => Promise<import('./session.js').Session | void>} signIn
 * @property {() => Promise<import('./session.js').Session | null>} [completeSignIn]
 * @property {(session: import('./session.js').Session | null) => Promise<void>} signOut
 */

/** @type {Record<string, AuthProvider>} */
const providers = { dev: /** @type {AuthProvider} */ (dev) };

const configured = /** @type {{ provider?: string } | undefined} */ (/** @type {any} */ (window).HOTICH_AUTH)?.provider ?? 'dev';

/** @returns {AuthProvider} */
export function provider() {
  const p = providers[configured];
  if (!p) throw new Error(`Không có cơ chế đăng nhập "${configured}"`);
  return p;
}

export function currentSession() {
  return loadSession();
}

/** @returns {string | null} */
export function token() {
  return loadSession()?.token ?? null;
}

/** Called once at start: a redirect provider finishes its sign-in here (code in the URL). */
export async function completeSignIn() {
  const p = provider();
  return p.completeSignIn ? p.completeSignIn() : loadSession();
}

export async function signOut() {
  const s = loadSession();
  clearSession();
  await provider().signOut(s);
}
