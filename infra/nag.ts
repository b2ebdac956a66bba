import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { rules } from 'cdk-nag';
// The flattening cdk-nag's IAM5 rule applies to a statement's resources (`<Logical.Arn>/*` …).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Acknowledges one cdk-nag finding on the narrowest construct, always with the reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * A wildcard we accept in an IAM policy: the finding (`AwsSolutions-IAM5[<finding>]`), the only actions
 * the statements raising it may carry, and optionally the only policies it may appear in.
 */
export interface AcceptedWildcard {
  /** The IAM5 finding, e.g. `Resource::*` or `Action::s3:List*`. */
  finding: RegExp;
  /** Every action of every statement that raises the finding must match, or the finding stays open. */
  actions: RegExp;
  /** The construct path (below the app) of the policy's owner; absent = any of ours. */
  on?: RegExp;
  reason: string;
}

const LOGS_DELIVERY =
  'logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)';
const XRAY = 'xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)';
/** What CDK's BucketDeployment (the pages' deployment) grants itself on the assets and pages buckets. */
const BUCKET_DEPLOYMENT_S3 =
  /^s3:(GetBucket\*|GetObject\*|List\*|Abort\*|DeleteObject\*|PutObject|PutObjectLegalHold|PutObjectRetention|PutObjectTagging|PutObjectVersionTagging)$/;
const PAGES_DEPLOYMENT = /\/Web\/DeploymentRole\//;

/**
 * Wildcards we accept in IAM policies, each with its reason, bound to the actions the reason is about.
 * Anything else stays a finding, so a new broad grant — or a new action on an accepted wildcard
 * resource — fails `npm test` until someone reasons about it here.
 */
export const acceptedWildcards: AcceptedWildcard[] = [
  {
    finding: /^Resource::\*$/,
    actions: new RegExp(`^(${XRAY}|${LOGS_DELIVERY})$`),
    reason:
      'X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* and the CloudWatch Logs vended-delivery APIs (state machine logging) accept only Resource::*.',
  },
  {
    finding: /^Resource::\*$/,
    actions: /^cloudfront:(CreateInvalidation|GetInvalidation)$/,
    on: PAGES_DEPLOYMENT,
    reason:
      'CDK’s BucketDeployment grants itself the invalidation of the pages’ distribution on *; it runs only at deploy time, on the pages’ own deployment role.',
  },
  {
    finding: /^Resource::arn:aws:s3:::hotich-[a-z0-9-]+-archive-[^/]+\/\*$/,
    actions: /^s3:(GetObject|GetObjectVersion|PutObject|AbortMultipartUpload)$/,
    reason:
      'Objects of our own archive bucket (scans, reports, exports): read, written under a book’s or report’s key by our code; never deleted (object lock).',
  },
  {
    finding: /^Resource::arn:aws:s3:::hotich-[a-z0-9-]+-uploads-[^/]+\/uploads\/\*$/,
    actions: /^s3:(GetObject|PutObject|ListMultipartUploadParts|AbortMultipartUpload)$/,
    reason: 'Objects under uploads/ of our own upload bucket; keys are bound per upload by presigned-POST conditions and the upload record.',
  },
  {
    finding: /^Resource::arn:aws:states:[^:]+:.+:execution:hotich-[a-z0-9-]+-book-workflow:\*$/,
    actions: /^states:(DescribeExecution|GetExecutionHistory)$/,
    reason: 'Executions of our own book state machine (names are per book run): ops inspect them, resume checks the current one.',
  },
  {
    finding: /^Resource::arn:aws:states:[^:]+:.+:execution:hotich-[a-z0-9-]+-weekly-reports:\*$/,
    actions: /^states:DescribeExecution$/,
    reason:
      'Executions of our own weekly-report state machine (names are per week, scope and run): a requested run checks whether the last one is still running.',
  },
  {
    finding: /^Resource::<[A-Za-z0-9]+\.Arn>:\*$/,
    actions: /^lambda:InvokeFunction$/,
    on: /\/(StateMachine\/Role|SchedulerRoleForTarget-[a-z0-9]+)\//,
    reason: 'A state machine or schedule invoking our own Lambda function and its versions/aliases (<fn>:*).',
  },
  {
    finding: /^Action::s3:(GetBucket|GetObject|List|Abort|DeleteObject)\*$/,
    actions: BUCKET_DEPLOYMENT_S3,
    on: PAGES_DEPLOYMENT,
    reason:
      'CDK’s BucketDeployment of the pages: it reads the zipped web/ from the assets bucket and replaces the pages’ bucket as a whole (pruning old files), on its own deployment role only.',
  },
  {
    finding: /^Resource::<WebBucket[A-Za-z0-9]+\.Arn>\/\*$/,
    actions: BUCKET_DEPLOYMENT_S3,
    on: PAGES_DEPLOYMENT,
    reason: 'Objects of the pages’ own bucket, replaced as a whole by each deployment of web/.',
  },
  {
    finding: /^Resource::arn:aws:s3:::cdk-[a-z0-9]+-assets-(<AWS::AccountId>|\d{12})-[a-z0-9-]+\/\*$/,
    actions: /^s3:(GetBucket\*|GetObject\*|List\*)$/,
    on: PAGES_DEPLOYMENT,
    reason: 'The CDK bootstrap assets bucket, from which the pages’ deployment reads the zipped web/ (asset keys are content hashes).',
  },
];

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** The Allow statements of an IAM policy resource (policy, managed policy, or a role's inline policies). */
function statementsOf(node: CfnResource): Statement[] {
  const stack = Stack.of(node);
  const docs: { Statement?: Statement[] }[] = [];
  if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) docs.push(stack.resolve(node.policyDocument));
  if (node instanceof iam.CfnRole) {
    for (const p of (stack.resolve(node.policies) as { policyDocument: unknown }[] | undefined) ?? []) docs.push(stack.resolve(p.policyDocument));
  }
  return docs.flatMap((d) => d?.Statement ?? []).filter((s) => s.Effect === 'Allow');
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The IAM5 findings one statement raises (as cdk-nag's IAMNoWildcardPermissions words them). */
export function findingsOfStatement(s: Statement): string[] {
  return [
    ...list(s.Action)
      .filter((a) => a.includes('*'))
      .map((a) => `Action::${a}`),
    ...list(s.Resource)
      .map(flattenCfnReference)
      .filter((r) => r.includes('*'))
      .map((r) => `Resource::${r}`),
  ];
}

/**
 * The acceptance that covers `finding` on this policy, if every statement raising it carries only the
 * actions the acceptance is about (and the policy is where the acceptance allows it).
 */
export function acceptanceFor(finding: string, statements: Statement[], path: string): AcceptedWildcard | undefined {
  const raising = statements.filter((s) => findingsOfStatement(s).includes(finding));
  return acceptedWildcards.find(
    (w) => w.finding.test(finding) && (!w.on || w.on.test(path)) && raising.length > 0 && raising.every((s) => list(s.Action).every((a) => w.actions.test(a))),
  );
}

/** Acknowledges, finding by finding and policy by policy, the accepted IAM wildcards below `scope`. Call once all constructs exist. */
export function acknowledgeAcceptedWildcards(scope: IConstruct): void {
  for (const node of scope.node.findAll()) {
    if (!(node instanceof CfnResource)) continue;
    const findings = rules.iam.IAMNoWildcardPermissions(node);
    if (!Array.isArray(findings)) continue;
    const statements = statementsOf(node);
    for (const finding of findings) {
      const accepted = acceptanceFor(finding, statements, `/${node.node.path}/`);
      if (accepted) acknowledge(node, `AwsSolutions-IAM5[${finding}]`, accepted.reason);
    }
  }
}
