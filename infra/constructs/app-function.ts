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

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface AppFunctionProps {
  /** Handler file relative to functions/. */
  entry: string;
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  description?: string;
  /** Asynchronous invocations (S3/SQS/schedules) get a dead-letter queue. */
  deadLetterQueue?: sqs.IQueue;
}

/**
 * Every Lambda of the system: Node 24 on arm64, ESM bundle with source maps, X-Ray tracing,
 * JSON logs kept 90 days, the SDK from the runtime. The local runtime loads the same bundle.
 */
export class AppFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
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
