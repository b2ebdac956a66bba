import { CfnResource, Validations } from 'aws-cdk-lib';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Acknowledges one cdk-nag finding on the narrowest construct, always with the reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Wildcards we accept in IAM policies, each with its reason. Anything else stays a finding, so a
 * new broad grant fails `npm test` until someone reasons about it here.
 */
const acceptedWildcards: { pattern: RegExp; reason: string }[] = [
  { pattern: /^Action::kms:(GenerateDataKey|ReEncrypt)\*$/, reason: 'KMS grant on our own data key: GenerateDataKey* and ReEncrypt* are the grant helpers’ minimal action families.' },
  { pattern: /^Resource::arn:aws:dynamodb:[^:]+:.+:table\/hotich-[a-z0-9-]+-state\/index\/\*$/, reason: 'Queries on the GSIs of our own state table.' },
  { pattern: /^Resource::arn:aws:s3:::hotich-[a-z0-9-]+-uploads-[^/]+\/(uploads\/)?\*$/, reason: 'Objects of our own upload bucket; keys are bound per upload by presigned-POST conditions.' },
  { pattern: /^Resource::arn:aws:s3:::hotich-[a-z0-9-]+-archive-[^/]+\/\*$/, reason: 'Objects of our own archive bucket (scans, reports, exports), written only under a book’s prefix by our code.' },
  { pattern: /^Action::s3:(GetObject|GetBucket|List|PutObject|Abort|DeleteObject)\*$/, reason: 'S3 grant helpers on our own bucket only.' },
  { pattern: /^Resource::\*$/, reason: 'X-Ray PutTraceSegments/PutTelemetryRecords and CloudWatch Logs delivery APIs accept only Resource::*.' },
  { pattern: /^Resource::arn:aws:states:[^:]+:.+:execution:hotich-[a-z0-9-]+-book-workflow:\*$/, reason: 'Executions of our own state machine (names are per book).' },
  { pattern: /^Resource::<[A-Za-z0-9]+\.Arn>:\*$/, reason: 'Invocation of our own Lambda function and its versions/aliases (<fn>:*).' },
  { pattern: /^Resource::<WebBucket[A-Za-z0-9]+\.Arn>\/\*$/, reason: 'Objects of the pages’ own bucket, replaced as a whole by each deployment of web/.' },
  { pattern: /^Resource::arn:aws:s3:::cdk-[a-z0-9]+-assets-(<AWS::AccountId>|\d{12})-[a-z0-9-]+\/\*$/, reason: 'The CDK bootstrap assets bucket, from which the pages’ deployment reads the zipped web/ (asset keys are content hashes).' },
];

/** Acknowledges, finding by finding, the accepted IAM wildcards below `scope`. Call once all constructs exist. */
export function acknowledgeAcceptedWildcards(scope: IConstruct): void {
  for (const node of scope.node.findAll()) {
    if (!(node instanceof CfnResource)) continue;
    const findings = rules.iam.IAMNoWildcardPermissions(node);
    if (!Array.isArray(findings)) continue;
    for (const finding of findings) {
      const accepted = acceptedWildcards.find((w) => w.pattern.test(finding));
      if (accepted) acknowledge(node, `AwsSolutions-IAM5[${finding}]`, accepted.reason);
    }
  }
}
