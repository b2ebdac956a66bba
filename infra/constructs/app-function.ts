import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * What a function may do with the system's resources, declared once next to its definition (the route
 * table `functions/routes.ts` for API functions, `AppStack` for the others). `AppFunction` grants exactly
 * this (`accessStatements`), the template tests compare every role with it, and the local IAM check
 * (`infra/local/iam/`) refuses any call outside it. Absent = no access at all.
 *
 * - `state` (single-table state, items and the GSI1/GSI2 indexes): `read` = GetItem, BatchGetItem, Query;
 *   `write` = read + PutItem, UpdateItem, DeleteItem, BatchWriteItem. Never Scan, never DescribeTable.
 * - `audit` (append-only trail): `append` = PutItem only; `read` = Query only. IAM has no condition that
 *   stops a PutItem from replacing an item: append-only rests on PutItem-only plus the code's
 *   `attribute_not_exists(PK)` (docs/security.md).
 * - `archive` (scans, reports, exports; object lock): `read` = GetObject, GetObjectVersion (a scan is read
 *   at its recorded version); `write` = read + PutObject + AbortMultipartUpload (a streamed write that
 *   fails is abandoned). Never DeleteObject*, never ListBucket, never retention or legal-hold changes.
 * - `uploads` (objects under `uploads/` of the upload bucket): `read` = GetObject; `put` = PutObject (also
 *   what presigned POSTs and presigned part URLs are signed for); `multipart` = put + ListMultipartUploadParts
 *   + AbortMultipartUpload.
 * - `workflow` (the book state machine): `start` = StartExecution; `decide` = SendTaskSuccess (hand a
 *   decision to the parked task); `list` = ListExecutions; `describe` = DescribeExecution; `history` =
 *   GetExecutionHistory (the last two on the machine's executions).
 * - `reports` (the weekly-report state machine): `start` = StartExecution; `describe` = DescribeExecution on
 *   its executions. `'start'` alone is short for `['start']`.
 * - `mail: true`: ses:SendEmail and ses:SendRawEmail (SES v2 SendEmail with raw MIME content is authorised as
 *   both) from the configured mail domain's identity.
 *
 * Each data grant brings the customer key's use through that service only (kms:ViaService): Decrypt for
 * reads, Decrypt + GenerateDataKey for writes.
 */
export interface FunctionAccess {
  state?: 'read' | 'write';
  audit?: 'append' | 'read';
  archive?: 'read' | 'write';
  uploads?: 'read' | 'put' | 'multipart';
  workflow?: readonly ('start' | 'decide' | 'list' | 'describe' | 'history')[];
  reports?: 'start' | readonly ('start' | 'describe')[];
  mail?: true;
}

/** The resources an access declaration refers to, as the stack knows them. */
export interface AccessTargets {
  table: dynamodb.ITable;
  /** The state table's GSIs (grants name them; no `index/*`). */
  tableIndexes: readonly string[];
  auditTable: dynamodb.ITable;
  uploadBucket: s3.IBucket;
  archiveBucket: s3.IBucket;
  /** The customer key of tables, buckets, queues and logs. */
  key: kms.IKey;
  bookWorkflowArn: string;
  reportWorkflowArn: string;
  /** The SES identity mail is sent from (the mail domain). */
  mailIdentityArn: string;
}

const STATE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const STATE_WRITE = [...STATE_READ, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const OBJECT_READ = ['s3:GetObject', 's3:GetObjectVersion'];
const WORKFLOW_ACTIONS = {
  start: 'states:StartExecution',
  decide: 'states:SendTaskSuccess',
  list: 'states:ListExecutions',
  describe: 'states:DescribeExecution',
  history: 'states:GetExecutionHistory',
} as const;

/**
 * The IAM statements an access declaration stands for (data-plane grants only; the platform's own —
 * logs, X-Ray, event source, dead-letter queue — are added by AppFunction beside them).
 */
export function accessStatements(access: FunctionAccess, t: AccessTargets): iam.PolicyStatement[] {
  const out: iam.PolicyStatement[] = [];
  const allow = (actions: string[], resources: string[]) => out.push(new iam.PolicyStatement({ actions, resources }));
  let dynamoKey: 'read' | 'write' | undefined;
  let s3Key: 'read' | 'write' | undefined;
  const needKey = (current: 'read' | 'write' | undefined, level: 'read' | 'write') => (current === 'write' || level === 'write' ? 'write' : 'read');

  if (access.state) {
    allow(access.state === 'write' ? STATE_WRITE : STATE_READ, [t.table.tableArn, ...t.tableIndexes.map((i) => `${t.table.tableArn}/index/${i}`)]);
    dynamoKey = needKey(dynamoKey, access.state);
  }
  if (access.audit) {
    allow([access.audit === 'append' ? 'dynamodb:PutItem' : 'dynamodb:Query'], [t.auditTable.tableArn]);
    dynamoKey = needKey(dynamoKey, access.audit === 'append' ? 'write' : 'read');
  }
  if (access.archive) {
    allow(access.archive === 'write' ? [...OBJECT_READ, 's3:PutObject', 's3:AbortMultipartUpload'] : OBJECT_READ, [t.archiveBucket.arnForObjects('*')]);
    s3Key = needKey(s3Key, access.archive);
  }
  if (access.uploads) {
    const actions = { read: ['s3:GetObject'], put: ['s3:PutObject'], multipart: ['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'] }[
      access.uploads
    ];
    allow(actions, [t.uploadBucket.arnForObjects('uploads/*')]);
    s3Key = needKey(s3Key, access.uploads === 'read' ? 'read' : 'write');
  }
  const wf = access.workflow ?? [];
  const onMachine = wf.filter((w) => w === 'start' || w === 'decide' || w === 'list').map((w) => WORKFLOW_ACTIONS[w]);
  if (onMachine.length) allow(onMachine, [t.bookWorkflowArn]);
  const onExecutions = wf.filter((w) => w === 'describe' || w === 'history').map((w) => WORKFLOW_ACTIONS[w]);
  if (onExecutions.length) allow(onExecutions, [`${t.bookWorkflowArn.replace(':stateMachine:', ':execution:')}:*`]);
  const reports = access.reports === undefined ? [] : typeof access.reports === 'string' ? [access.reports] : access.reports;
  if (reports.includes('start')) allow(['states:StartExecution'], [t.reportWorkflowArn]);
  if (reports.includes('describe')) allow(['states:DescribeExecution'], [`${t.reportWorkflowArn.replace(':stateMachine:', ':execution:')}:*`]);
  if (access.mail) allow(['ses:SendEmail', 'ses:SendRawEmail'], [t.mailIdentityArn]);

  // The customer key, only as DynamoDB or S3 use it on the function's behalf.
  const region = Stack.of(t.table).region;
  const via = [...(dynamoKey ? [`dynamodb.${region}.amazonaws.com`] : []), ...(s3Key ? [`s3.${region}.amazonaws.com`] : [])];
  if (via.length) {
    const write = dynamoKey === 'write' || s3Key === 'write';
    out.push(
      new iam.PolicyStatement({
        actions: write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [t.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': via.length === 1 ? via[0] : via } },
      }),
    );
  }
  return out;
}

export interface AppFunctionProps {
  /** Handler file relative to functions/. */
  entry: string;
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  description?: string;
  /**
   * Who invokes the function, which decides where a failed event goes: `api` (API Gateway, synchronous:
   * the caller gets the error), `workflow` (Step Functions, synchronous: the state machine retries and
   * catches), `sqs` (an event-source mapping: the queue's redrive policy is the dead-letter path),
   * `async` (EventBridge Scheduler, S3, SNS…: Lambda retries, then the dead-letter queue, which is required).
   */
  invokedBy: 'api' | 'workflow' | 'sqs' | 'async';
  /** Dead-letter queue of asynchronous invocations (required for `invokedBy: 'async'`). */
  deadLetterQueue?: sqs.IQueue;
  /** What the function may do (see FunctionAccess); granted exactly, nothing else. */
  access: FunctionAccess;
  targets: AccessTargets;
}

const noDlqReason: Record<Exclude<AppFunctionProps['invokedBy'], 'async'>, string> = {
  api: 'Invoked synchronously by API Gateway: a failure is returned to the caller as an error answer; there is no asynchronous event to dead-letter.',
  workflow:
    'Invoked synchronously by Step Functions (RequestResponse): failures are retried and caught by the state machine, which records them on the book or the report run.',
  sqs: 'Invoked by an SQS event-source mapping (synchronous polling): a failed message returns to the queue and after maxReceiveCount goes to that queue’s dead-letter queue, which is alarmed.',
};

/**
 * Every Lambda of the system: Node 24 on arm64, ESM bundle with source maps, X-Ray tracing,
 * JSON logs kept 90 days in a log group encrypted with the customer key, the SDK from the runtime, and
 * exactly the access it declares. The local runtime loads the same bundle and checks its calls against
 * the same role.
 */
export class AppFunction extends nodejs.NodejsFunction {
  readonly invokedBy: AppFunctionProps['invokedBy'];
  readonly access: FunctionAccess;
  /** The resources its access refers to (for the template tests: `accessStatements(access, accessTargets)`). */
  readonly accessTargets: AccessTargets;
  /** The function's own execution role (what the local IAM check evaluates). */
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    if (props.invokedBy === 'async' && !props.deadLetterQueue) throw new Error(`${id}: an asynchronously invoked function needs a dead-letter queue`);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS, encryptionKey: props.targets.key });
    // Own role instead of the AWS-managed basic execution role: logs go to this function's group only.
    const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      role,
      entry: path.join(root, 'functions', props.entry),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      description: props.description,
      deadLetterQueue: props.deadLetterQueue,
      projectRoot: root,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        sourceMap: true,
        minify: true,
        keepNames: true, // error class names are the Step Functions error names
        externalModules: ['@aws-sdk/*'],
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    this.executionRole = role;
    this.invokedBy = props.invokedBy;
    this.access = props.access;
    this.accessTargets = props.targets;
    for (const statement of accessStatements(props.access, props.targets)) role.addToPrincipalPolicy(statement);
    if (props.deadLetterQueue) {
      // Lambda sends failed asynchronous events with this role; the queue is encrypted with the customer key.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.targets.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    if (props.invokedBy !== 'async') acknowledge(this, 'Serverless-LambdaDLQ', noDlqReason[props.invokedBy]);
  }
}
