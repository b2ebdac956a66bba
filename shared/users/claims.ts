import { Unauthenticated } from '../errors.js';
import { Principal, Role } from './user.js';

/**
 * Builds the principal from JWT claims verified by the API Gateway JWT authorizer (Cognito in AWS,
 * the local runtime's signer locally). HTTP APIs pass array claims as "[a b]" strings; both are accepted.
 * @throws Unauthenticated when a claim is missing or the role is unknown.
 */
export function principalFromClaims(claims: Record<string, unknown> | undefined): Principal {
  if (!claims) throw new Unauthenticated('Chưa đăng nhập');
  const groups = toList(claims['cognito:groups']);
  const role = groups.map((g) => Role.safeParse(g)).find((r) => r.success)?.data;
  const parsed = Principal.safeParse({
    userId: claims.sub,
    username: claims['cognito:username'] ?? claims.username ?? claims.sub,
    role,
    unit: claims['custom:unit'],
    email: typeof claims.email === 'string' && claims.email ? claims.email : undefined,
  });
  if (!parsed.success) throw new Unauthenticated('Thông tin đăng nhập không đầy đủ');
  return parsed.data;
}

function toList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string') return [];
  return v
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}
