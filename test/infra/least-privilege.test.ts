import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.js';
import { buildApp } from '../../infra/app.js';
import { cdkContext } from '../../infra/config.js';
import { accessStatements, type AppFunction } from '../../infra/constructs/app-function.js';

/**
 * Every function's role, as synthesised, grants exactly what its access declaration stands for
 * (`accessStatements`) plus the platform's own grants: its log group, X-Ray, its SQS event source, its
 * dead-letter queue. Compared as (effect, action, resource, condition) tuples, so that CDK's statement
 * merging (`minimizePolicies`) does not matter.
 */
let stack: Stack;
let template: Template;
let fns: AppFunction[];

beforeAll(() => {
  const built = buildApp(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } }));
  stack = built.appStack;
  template = Template.fromStack(built.appStack);
  fns = built.appStack.functions;
}, 120_000);

type Tuple = string;
const tuples = (statements: any[]): Tuple[] =>
  statements.flatMap((s) =>
    [s.Action].flat().flatMap((a: string) => [s.Resource].flat().map((r: unknown) => JSON.stringify([s.Effect ?? 'Allow', a, r, s.Condition ?? null]))),
  );
const parse = (t: Tuple) => JSON.parse(t) as [string, string, unknown, Record<string, any> | null];

const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

function roleStatements(f: AppFunction): any[] {
  const roleId = logicalId(f.executionRole);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as any[]);
}

/** Grants the platform needs whatever the function does, recognised by action and resource. */
function isPlatform(f: AppFunction, [effect, action, resource, condition]: ReturnType<typeof parse>): boolean {
  if (effect !== 'Allow') return false;
  const res = JSON.stringify(resource);
  if (action.startsWith('logs:')) return ['logs:CreateLogStream', 'logs:PutLogEvents'].includes(action) && res.includes(`${f.node.id}Logs`);
  if (action.startsWith('xray:')) return ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].includes(action) && resource === '*';
  if (action.startsWith('sqs:')) {
    // The event source (consume) or the dead-letter queue (send).
    if (action === 'sqs:SendMessage') return f.deadLetterQueue !== undefined && res.includes('AsyncDlq');
    return (
      f.invokedBy === 'sqs' &&
      ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].includes(action)
    );
  }
  if (action.startsWith('kms:')) {
    const via = JSON.stringify(condition?.StringEquals?.['kms:ViaService'] ?? null);
    if (via.includes('sqs.')) return f.deadLetterQueue !== undefined; // the encrypted dead-letter queue
    return f.invokedBy === 'sqs' && action === 'kms:Decrypt' && condition === null; // reading the encrypted event-source queue
  }
  return false;
}

describe('least privilege: every role is exactly its access declaration plus the platform', () => {
  it('covers every function (routes and the others)', () => {
    expect(fns.length).toBeGreaterThan(routeList.length);
    for (const route of routeList)
      expect(
        fns.some((f) => f.node.id === `Api${route.name}`),
        route.name,
      ).toBe(true);
  });

  it('grants nothing beyond accessStatements(access) and the platform, and all of it', () => {
    for (const f of fns) {
      const actual = new Set(tuples(roleStatements(f)));
      const expected = new Set(tuples(accessStatements(f.access, f.accessTargets).map((s) => stack.resolve(s.toStatementJson()))));
      const extra = [...actual].filter((t) => !expected.has(t) && !isPlatform(f, parse(t)));
      const missing = [...expected].filter((t) => !actual.has(t));
      expect(extra, `${f.node.id}: grants beyond its declaration`).toEqual([]);
      expect(missing, `${f.node.id}: declared but not granted`).toEqual([]);
      // Every function writes its own logs.
      expect(
        [...actual].some((t) => parse(t)[1] === 'logs:PutLogEvents'),
        `${f.node.id}: logs`,
      ).toBe(true);
    }
  });

  it('names resources on every data-plane action (only X-Ray is on "*", which has no resource-level permissions)', () => {
    for (const f of fns) {
      for (const t of tuples(roleStatements(f)).map(parse)) {
        const [, action, resource] = t;
        if (action.startsWith('xray:')) continue;
        // Wildcards only inside a named resource: objects under a bucket (or its uploads/ prefix), the
        // executions of one named state machine.
        expect(resource, `${f.node.id}: ${action}`).not.toBe('*');
        expect(JSON.stringify(resource), `${f.node.id}: ${action}`).not.toMatch(/table\/\*|stateMachine:\*|identity\/\*|key\/\*|:::\*|execution:\*/);
        // No index/* on the state table, no whole-bucket object wildcard on the upload bucket.
        expect(JSON.stringify(resource), `${f.node.id}: ${action}`).not.toContain('/index/*');
      }
    }
  });

  it('never grants Scan, DescribeTable, deletes, listing of buckets or object-lock changes', () => {
    const forbidden =
      /^(dynamodb:(Scan|DescribeTable|DeleteTable|UpdateTable|\*)|s3:(Delete.*|ListBucket.*|PutObjectRetention|PutObjectLegalHold|BypassGovernanceRetention|\*)|states:\*|kms:\*|ses:\*)$/;
    for (const f of fns) for (const [, action] of tuples(roleStatements(f)).map(parse)) expect(action, f.node.id).not.toMatch(forbidden);
  });

  it('keeps the customer key to the data services (kms:ViaService) except reading the event-source queue', () => {
    for (const f of fns) {
      for (const [, action, , condition] of tuples(roleStatements(f)).map(parse)) {
        if (!action.startsWith('kms:')) continue;
        if (condition === null) expect(f.invokedBy === 'sqs' && action === 'kms:Decrypt', `${f.node.id}: ${action} without kms:ViaService`).toBe(true);
      }
    }
  });
});
