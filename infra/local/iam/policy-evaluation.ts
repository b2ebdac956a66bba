/**
 * Identity-based policy evaluation as IAM does it for one principal, without the parts the local stack
 * cannot know: an explicit Deny wins, otherwise some Allow must match, otherwise the call is implicitly
 * denied. `Action`/`NotAction` match case-insensitively, `Resource`/`NotResource` case-sensitively, both
 * with the IAM wildcards `*` (any run of characters, `/` and `:` included) and `?` (one character).
 *
 * Not evaluated: `Condition` blocks (a statement with conditions is taken as if they held, e.g.
 * kms:ViaService), resource policies (bucket, key), permission boundaries, SCPs and session policies.
 */
import type { IamStatement } from '../cdk-model.js';

/** One authorisation IAM makes for a request: an action on a resource ARN (`*` for actions without resource). */
export interface IamRequest {
  action: string;
  resource: string;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const patterns = new Map<string, RegExp>();

/** IAM's wildcard match: `*` any sequence, `?` one character; everything else literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const cacheKey = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let re = patterns.get(cacheKey);
  if (!re) {
    const body = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    patterns.set(cacheKey, re);
  }
  return re.test(value);
}

const list = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : [v].flat());

/** Whether a statement applies to the request (conditions ignored). */
export function statementMatches(s: IamStatement, req: IamRequest): boolean {
  const actions = list(s.Action);
  const notActions = list(s.NotAction);
  const actionOk = actions
    ? actions.some((a) => wildcardMatch(a, req.action, true))
    : notActions
      ? !notActions.some((a) => wildcardMatch(a, req.action, true))
      : false;
  if (!actionOk) return false;
  const resources = list(s.Resource);
  const notResources = list(s.NotResource);
  return resources ? resources.some((r) => wildcardMatch(r, req.resource)) : notResources ? !notResources.some((r) => wildcardMatch(r, req.resource)) : false;
}

export function evaluate(statements: readonly IamStatement[], req: IamRequest): Decision {
  let allowed = false;
  for (const s of statements) {
    if (!statementMatches(s, req)) continue;
    if (s.Effect === 'Deny') return 'explicit-deny';
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
