import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

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
}

const noDlqReason: Record<Exclude<AppFunctionProps['invokedBy'], 'async'>, string> = {
  api: 'Invoked synchronously by API Gateway: a failure is returned to the caller as an error answer; there is no asynchronous event to dead-letter.',
  workflow: 'Invoked synchronously by Step Functions (RequestResponse): failures are retried and caught by the state machine, which records them on the book or the report run.',
  sqs: 'Invoked by an SQS event-source mapping (synchronous polling): a failed message returns to the queue and after maxReceiveCount goes to that queue’s dead-letter queue, which is alarmed.',
};

/**
 * Every Lambda of the system: Node 24 on arm64, ESM bundle with source maps, X-Ray tracing,
 * JSON logs kept 90 days, the SDK from the runtime. The local runtime loads the same bundle.
 */
export class AppFunction extends nodejs.NodejsFunction {
  readonly invokedBy: AppFunctionProps['invokedBy'];

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    if (props.invokedBy === 'async' && !props.deadLetterQueue) throw new Error(`${id}: an asynchronously invoked function needs a dead-letter queue`);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS });
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
    this.invokedBy = props.invokedBy;
    if (props.invokedBy !== 'async') acknowledge(this, 'Serverless-LambdaDLQ', noDlqReason[props.invokedBy]);
  }

  /** Read/write on the state table (items and indexes). */
  bindTable(table: dynamodb.ITable): this {
    table.grantReadWriteData(this);
    return this;
  }

  /** Append-only access to the audit table: PutItem and Query, never Update or Delete. */
  bindAuditTable(table: dynamodb.ITable): this {
    table.grant(this, 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DescribeTable');
    table.encryptionKey?.grantEncryptDecrypt(this);
    return this;
  }

}
