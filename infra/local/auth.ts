/**
 * Local stand-in for Cognito + the API Gateway JWT authorizer: demo users sign in by name and get
 * an HS256 token; the local API verifies it and passes the claims on exactly as API Gateway does.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import type { Principal } from '../../shared/users/user.js';

const ISSUER = 'urn:hotich:local';
/** The local stand-in's audience: what an app client id is to Cognito-issued ID tokens. */
export const AUDIENCE = 'hotich-local-web';

export class LocalAuth {
  private constructor(private readonly key: Uint8Array) {}

  /** The signing key lives in the data dir so tokens survive a restart. */
  static open(dataDir: string): LocalAuth {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'jwt-secret');
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
    return new LocalAuth(Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'));
  }

  /** `extra` adds claims an ID token may carry besides the user's (e.g. the OpenID `nonce`); it cannot change those. */
  async sign(user: Principal, ttl = '8h', extra: Record<string, string> = {}): Promise<string> {
    return new SignJWT({ ...extra, 'cognito:username': user.username, 'cognito:groups': [user.role], 'custom:unit': user.unit, ...(user.email ? { email: user.email } : {}), token_use: 'id' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(ttl)
      .sign(this.key);
  }

  /** Claims as API Gateway hands them to Lambda: strings, arrays rendered as "[a b]". Undefined when invalid. */
  async verify(authorization: string | undefined): Promise<Record<string, string> | undefined> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return undefined;
    try {
      const { payload } = await jwtVerify(m[1]!, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      return Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
      );
    } catch {
      return undefined;
    }
  }
}
