/**
 * Authentication, separated from the rest of the pages: every other module only calls
 * `currentSession()`, `token()`, `signOut()` and, on the sign-in page, the provider's `kind`.
 * The provider is chosen by `window.HOTICH_AUTH.provider` (web/config.js): `dev` locally, `cognito`
 * (hosted UI, authorization code + PKCE) in AWS, where the CDK app generates config.js.
 */
import * as cognito from './cognito-provider.js';
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
const providers = { dev: /** @type {AuthProvider} */ (dev), cognito: /** @type {AuthProvider} */ (cognito) };

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

/** Why the last redirect sign-in failed, until the sign-in page has shown it. @type {Error | null} */
let failure = null;

/** Called once at start: a redirect provider finishes its sign-in here (code in the URL). Never throws. */
export async function completeSignIn() {
  try {
    const p = provider();
    return p.completeSignIn ? await p.completeSignIn() : loadSession();
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    return null;
  }
}

/** The failure of the redirect sign-in that just came back, once (the sign-in page shows it). */
export function takeSignInFailure() {
  const f = failure;
  failure = null;
  return f;
}

/** Forgets the token in this tab only (an expired token: the hosted-UI session may sign in again at once). */
export function forgetSession() {
  clearSession();
}

export async function signOut() {
  const s = loadSession();
  clearSession();
  await provider().signOut(s);
}
