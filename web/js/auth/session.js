/**
 * The signed-in session, whichever provider produced it: an ID token (Cognito's claims, or the local
 * stand-in's identical ones) and the user read from it. Kept in sessionStorage: one tab, gone when the
 * tab closes; nothing is written to localStorage or cookies.
 */

const KEY = 'hotich.session';

/**
 * @typedef {object} User
 * @property {string} userId
 * @property {string} username
 * @property {string} role
 * @property {string} unit
 * @property {string} [displayName]
 * @property {string} [email]
 */

/**
 * @typedef {object} Session
 * @property {string} token   ID token sent as `Authorization: Bearer`.
 * @property {User} user
 * @property {number} expiresAt  Epoch milliseconds (the token's `exp`).
 * @property {string} provider
 */

/**
 * Claims of a JWT, without verifying it (the API verifies; the page only needs to display them).
 * @param {string} token
 * @returns {Record<string, unknown>}
 */
export function claimsOf(token) {
  const part = token.split('.')[1];
  if (!part) return {};
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * The user as the API sees it: Cognito's `sub`, `cognito:username`, first `cognito:groups` entry = role, `custom:unit`.
 * @param {Record<string, unknown>} claims
 * @returns {User}
 */
export function userFromClaims(claims) {
  const groups = Array.isArray(claims['cognito:groups']) ? /** @type {string[]} */ (claims['cognito:groups']) : [];
  return {
    userId: String(claims.sub ?? ''),
    username: String(claims['cognito:username'] ?? ''),
    role: groups[0] ?? '',
    unit: String(claims['custom:unit'] ?? ''),
    email: typeof claims.email === 'string' ? claims.email : undefined,
  };
}

/**
 * @param {string} token
 * @param {string} provider
 * @param {Partial<User>} [extra] Display details the provider knows (e.g. the demo user's name).
 * @returns {Session}
 */
export function saveSession(token, provider, extra = {}) {
  const claims = claimsOf(token);
  const session = { token, provider, user: { ...userFromClaims(claims), ...extra }, expiresAt: Number(claims.exp ?? 0) * 1000 };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

/** @returns {Session | null} The stored session, unless it has expired (then it is dropped). */
export function loadSession() {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const s = /** @type {Session} */ (JSON.parse(raw));
    if (!s.token || (s.expiresAt && s.expiresAt <= Date.now())) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return s;
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}
