/**
 * The authorisation matrix, generated from the route table: every route × role × where the caller's
 * unit sits relative to the target (own commune, the district above it, another commune).
 * docs/authorization-matrix.md is this table; a test checks every cell against the handlers.
 */
import { type RouteDef, routeList } from '../../functions/routes.js';
import { Role } from '../../shared/users/user.js';

export const TARGET_COMMUNE = '90101';
export const relations = { own: '90101', child: '901', other: '90102' } as const;
export type Relation = keyof typeof relations;

export type Expected = { allow: true } | { allow: false; status: 403 | 404 };

export function expected(route: RouteDef, role: Role, relation: Relation): Expected {
  if (!route.roles.includes(role)) return { allow: false, status: 403 };
  if (relation === 'other' && route.scope === 'book') return { allow: false, status: 404 };
  if (relation === 'other' && route.scope === 'unit') return { allow: false, status: 403 };
  return { allow: true };
}

export function matrixMarkdown(): string {
  const roles = Role.options;
  const head = `| route | scope | ${roles.map((r) => `${r} (own / child / other)`).join(' | ')} |`;
  const sep = `|---|---|${roles.map(() => '---').join('|')}|`;
  const mark = (e: Expected) => (e.allow ? '✅' : `❌${e.status}`);
  const rows = routeList.map(
    (r) =>
      `| \`${r.method} ${r.path}\` | ${r.scope} | ${roles.map((role) => (['own', 'child', 'other'] as const).map((rel) => mark(expected(r, role, rel))).join(' / ')).join(' | ')} |`,
  );
  return [
    '# Authorisation matrix',
    '',
    'Generated from `functions/routes.ts` by `test/support/authz-matrix.ts`; `test/int/authorization-matrix.int.test.ts`',
    'runs every cell against the handlers on the local stack and checks this file is current.',
    '',
    `Target: a book (or unit) in commune ${TARGET_COMMUNE}. Caller's unit — **own**: ${relations.own} (the commune), **child**: ${relations.child} (the district above`,
    `it: the target is a child of the caller's unit), **other**: ${relations.other} (a sibling commune). ✅ allowed (any answer other than 401/403/404);`,
    '❌403 refused for the role or the unit; ❌404 the book is not revealed. `none` scope: the route has no unit target (ops routes are national).',
    '',
    head,
    sep,
    ...rows,
    '',
  ].join('\n');
}
