import { describe, expect, it } from 'vitest';
import { Unauthenticated } from '../../shared/errors.js';
import { principalFromClaims } from '../../shared/users/claims.js';

describe('principal from JWT claims', () => {
  const base = { sub: 'abc', 'cognito:username': 'hotich.binhan', 'custom:unit': '90101' };

  it('reads groups as HTTP APIs pass them ("[a b]") and as arrays', () => {
    expect(principalFromClaims({ ...base, 'cognito:groups': '[commune_officer]' }).role).toBe('commune_officer');
    expect(principalFromClaims({ ...base, 'cognito:groups': ['something_else', 'ops'] }).role).toBe('ops');
  });

  it('refuses tokens without a known role or a unit', () => {
    expect(() => principalFromClaims({ ...base, 'cognito:groups': '[superuser]' })).toThrow(Unauthenticated);
    expect(() => principalFromClaims({ sub: 'x', 'cognito:groups': '[ops]' })).toThrow(Unauthenticated);
    expect(() => principalFromClaims(undefined)).toThrow(Unauthenticated);
  });
});
