import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { routeList } from '../../functions/routes.js';
import { corsOrigins, type DeployConfig, reportStateMachineName, resourceNames, stateMachineName } from '../config.js';
import { type AccessTargets, AppFunction, type AppFunctionProps, type FunctionAccess } from '../constructs/app-function.js';
import { BookWorkflow } from '../constructs/book-workflow.js';
import { ReportWorkflow } from '../constructs/report-workflow.js';
import { WebHosting } from '../constructs/web-hosting.js';
import { acknowledge } from '../nag.js';
import type { StatefulStack } from './stateful-stack.js';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
/** The state table's global secondary indexes (named in grants; see docs/data-model.md). */
const STATE_INDEXES = ['GSI1', 'GSI2'] as const;

/**
 * Stateless part: the book workflow and its task functions, the HTTP API (one function per route),
 * the S3-notification consumer, the scheduled functions, and the pages (S3 + CloudFront + their
 * Cognito app client). Safe to destroy and redeploy.
 */
export class AppStack extends Stack {
  readonly functions: AppFunction[] = [];
  readonly workflow: BookWorkflow;
  readonly api: apigw.HttpApi;
  readonly asyncDlq: sqs.Queue;
  readonly reports: ReportWorkflow;
  readonly web: WebHosting;

  constructor(scope: Construct, id: string, props: StackProps & { config: DeployConfig; stateful: StatefulStack }) {
    super(scope, id, props);
    const { config, stateful } = props;
    const smName = stateMachineName(config.stage);
    const smArn = this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: smName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // Stateful resources by name (see resourceNames); only the key and the user pool come by reference.
    const names = resourceNames(config.stage);
    const table = dynamodb.Table.fromTableAttributes(this, 'StateTable', {
      tableName: names.table,
      encryptionKey: stateful.key,
      globalIndexes: [...STATE_INDEXES],
    });
    const auditTable = dynamodb.Table.fromTableAttributes(this, 'AuditTable', { tableName: names.auditTable, encryptionKey: stateful.key });
    const uploadBucket = s3.Bucket.fromBucketAttributes(this, 'UploadBucket', {
      bucketName: `${names.uploadBucketPrefix}-${this.account}-${this.region}`,
      encryptionKey: stateful.key,
    });
    const archiveBucket = s3.Bucket.fromBucketAttributes(this, 'ArchiveBucket', {
      bucketName: `${names.archiveBucketPrefix}-${this.account}-${this.region}`,
      encryptionKey: stateful.key,
    });
    const uploadEvents = sqs.Queue.fromQueueAttributes(this, 'UploadEvents', {
      queueArn: this.formatArn({ service: 'sqs', resource: names.uploadEventsQueue }),
      // Encrypted with the customer key: the consumer's grant includes kms:Decrypt on it.
      keyArn: stateful.key.keyArn,
    });
    const reportSmArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: reportStateMachineName(config.stage),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const accessTargets: AccessTargets = {
      table,
      tableIndexes: STATE_INDEXES,
      auditTable,
      uploadBucket,
      archiveBucket,
      key: stateful.key,
      bookWorkflowArn: smArn,
      reportWorkflowArn: reportSmArn,
      mailIdentityArn: this.formatArn({ service: 'ses', resource: 'identity', resourceName: config.mailDomain }),
    };
    const environment = {
      STAGE: config.stage,
      TABLE_NAME: names.table,
      AUDIT_TABLE_NAME: names.auditTable,
      UPLOAD_BUCKET: uploadBucket.bucketName,
      ARCHIVE_BUCKET: archiveBucket.bucketName,
      STATE_MACHINE_ARN: smArn,
      POWERTOOLS_SERVICE_NAME: 'ho-tich',
      MAIL_FROM: `so-hoa-ho-tich@${config.mailDomain}`,
      CAMPAIGN: JSON.stringify(config.campaign),
    };

    // Failed asynchronous invocations and undeliverable schedules; messages carry event payloads, so the
    // queue is encrypted with the customer key like the data it points at.
    this.asyncDlq = new sqs.Queue(this, 'AsyncDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: stateful.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.asyncDlq, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of asynchronous invocations.');
    acknowledge(
      this.asyncDlq,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself the dead-letter queue of asynchronous invocations and schedules; its messages are examined and re-driven by hand (alarm AsyncDlqNotEmpty).',
    );

    /** Every function with what it may do, declared here (non-route functions) or in the route table. */
    const make = (id: string, entry: string, invokedBy: AppFunction['invokedBy'], access: FunctionAccess, extra: Partial<AppFunctionProps> = {}) => {
      const f = new AppFunction(this, id, { entry, environment, invokedBy, access, targets: accessTargets, ...extra });
      this.functions.push(f);
      return f;
    };

    // Workflow task functions.
    const stepFns = {
      // Reads the book; the failure is recorded by RecordFailure.
      validateInventory: make('WfValidateInventory', 'workflow/validate-inventory.ts', 'workflow', { state: 'read' }),
      // Parks the token; hands over a decision taken meanwhile; Reconciliation matches against the unit's extract
      // (and writes the not-found list's workbook).
      enterStage: make('WfEnterStage', 'workflow/enter-stage.ts', 'workflow', { state: 'write', audit: 'append', archive: 'write', workflow: ['decide'] }),
      escalate: make('WfEscalate', 'workflow/escalate.ts', 'workflow', { state: 'write', audit: 'append' }),
      recordFailure: make('WfRecordFailure', 'workflow/record-failure.ts', 'workflow', { state: 'write', audit: 'append' }),
      complete: make('WfComplete', 'workflow/complete.ts', 'workflow', { state: 'write', audit: 'append' }),
      // Reads each scan at its recorded version, streams the package (Excel, zip, manifest) into the archive.
      buildExport: make(
        'WfBuildExport',
        'workflow/build-export.ts',
        'workflow',
        { state: 'write', audit: 'append', archive: 'write' },
        { timeout: Duration.minutes(15), memorySize: 1024 },
      ),
    };
    this.workflow = new BookWorkflow(this, 'BookWorkflow', {
      stateMachineName: smName,
      stageTimeout: Duration.days(config.stageTimeoutDays),
      functions: stepFns,
    });

    // HTTP API: Cognito-issued JWTs, verified by API Gateway before any function runs. The audience is
    // the tools' SRP client and the pages' client (created with the pages below, hence lazily).
    // CORS: the pages' configured origins, or `*` when none are configured: the CloudFront URL cannot be
    // named here, since the pages' CSP names the API (a cycle). Tokens travel in the Authorization header,
    // never in cookies, so `*` lends no credentials to other origins.
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: stateful.key });
    let web: WebHosting | undefined;
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Số hóa sổ hộ tịch',
      corsPreflight: {
        allowOrigins: corsOrigins(config),
        allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.PUT, apigw.CorsHttpMethod.PATCH],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
      defaultAuthorizer: new HttpJwtAuthorizer('Jwt', `https://cognito-idp.${this.region}.amazonaws.com/${stateful.userPool.userPoolId}`, {
        jwtAudience: [stateful.userPoolClient.userPoolClientId, Lazy.string({ produce: () => web?.client.userPoolClientId })],
      }),
    });
    const stage = this.api.defaultStage!.node.defaultChild as apigw.CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        ip: '$context.identity.sourceIp',
        latency: '$context.responseLatency',
        sub: '$context.authorizer.claims.sub',
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };

    // One function per route, with the access its route declares (functions/routes.ts).
    for (const route of routeList) {
      const f = make(`Api${route.name}`, route.entry, 'api', route.access, { description: `${route.method} ${route.path}` });
      if (route.access.reports) f.addEnvironment('REPORT_STATE_MACHINE_ARN', reportSmArn);
      this.api.addRoutes({
        path: route.path,
        methods: [route.method as apigw.HttpMethod],
        integration: new HttpLambdaIntegration(`${route.name}Integration`, f),
      });
    }

    // S3 object-created notifications arrive through the stateful stack's queue. Each upload is processed
    // by its kind: an entry workbook (records, error workbook), a scans delivery (PDFs into the archive,
    // acceptance report, the contractor's email), a register extract (stored, then books reconciled); a
    // complete stage is handed to the workflow.
    const uploadReceived = make(
      'UploadReceived',
      's3/upload-received.ts',
      'sqs',
      { state: 'write', audit: 'append', uploads: 'read', archive: 'write', workflow: ['decide'], mail: true },
      { timeout: Duration.minutes(15), memorySize: 1024 },
    );
    uploadReceived.addEventSource(new SqsEventSource(uploadEvents, { batchSize: 5, reportBatchItemFailures: true }));
    for (const mapping of uploadReceived.node.findAll().filter((c) => c instanceof lambda.CfnEventSourceMapping)) {
      acknowledge(
        mapping,
        'Serverless-LambdaEventSourceMappingDestination',
        'On-failure destinations are not supported for SQS event sources; the upload-events queue’s redrive policy (5 receives) sends failed messages to its dead-letter queue, which is alarmed.',
      );
    }

    // Scheduled functions (EventBridge Scheduler, Vietnam time). The sweeper only reads pending books and
    // hands their decisions over again (a first action starts the execution).
    const sweeper = make(
      'SweepPending',
      'scheduled/sweep-pending.ts',
      'async',
      { state: 'read', workflow: ['start', 'decide'] },
      { deadLetterQueue: this.asyncDlq },
    );
    new scheduler.Schedule(this, 'SweepPendingSchedule', {
      description: 'Re-deliver decisions the workflow has not taken up',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
      target: new targets.LambdaInvoke(sweeper, { deadLetterQueue: this.asyncDlq, retryAttempts: 3 }),
    });

    // Weekly reports: Friday 11:00 Vietnam time, one workflow run fanning out per reporting unit. Plan and
    // the rollups write their items to the state table; each report workbook goes to the archive and by
    // email (with a presigned link when too large to attach); each send is audited (report.sent, …).
    const reportSender: FunctionAccess = { state: 'write', audit: 'append', archive: 'write', mail: true };
    const reportFns = {
      plan: make('ReportPlan', 'reports/plan.ts', 'workflow', { state: 'write' }, { timeout: Duration.minutes(5), memorySize: 1024 }),
      prepare: make('ReportPrepare', 'reports/prepare.ts', 'workflow', { state: 'read' }),
      unit: make('ReportUnit', 'reports/unit.ts', 'workflow', reportSender, { timeout: Duration.minutes(5), memorySize: 1024 }),
      province: make('ReportProvince', 'reports/province.ts', 'workflow', reportSender, { timeout: Duration.minutes(10), memorySize: 1536 }),
      national: make('ReportNational', 'reports/national.ts', 'workflow', reportSender, { timeout: Duration.minutes(15), memorySize: 2048 }),
    };
    this.reports = new ReportWorkflow(this, 'ReportWorkflow', {
      stateMachineName: reportStateMachineName(config.stage),
      functions: reportFns,
      maxConcurrency: { provinces: 4, unitsPerProvince: 4 },
    });
    // The schedule invokes a small function that names the run from its fire time and starts the workflow
    // (a retried delivery of the same fire time is the same execution). Figures are frozen by the first
    // run; the 13:00 and 16:00 runs of the same Friday send only what has not been sent (a failed or
    // refused email, a unit whose workbook failed): the retry of sending (docs/weekly-reports.md §11).
    const scheduledWeekly = make(
      'ScheduledWeeklyReport',
      'scheduled/weekly-report.ts',
      'async',
      { audit: 'append', reports: 'start' },
      { deadLetterQueue: this.asyncDlq },
    );
    scheduledWeekly.addEnvironment('REPORT_STATE_MACHINE_ARN', reportSmArn);
    const weeklyInput = scheduler.ScheduleTargetInput.fromObject({ time: scheduler.ContextAttribute.scheduledTime });
    new scheduler.Schedule(this, 'WeeklyReportSchedule', {
      description: 'Weekly progress reports to every reporting unit, Friday 11:00 Asia/Ho_Chi_Minh',
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '11', weekDay: 'FRI', timeZone: TimeZone.ASIA_HO_CHI_MINH }),
      target: new targets.LambdaInvoke(scheduledWeekly, { input: weeklyInput, deadLetterQueue: this.asyncDlq, retryAttempts: 3 }),
    });
    new scheduler.Schedule(this, 'WeeklyReportRetrySchedule', {
      description: 'Weekly reports: send what the 11:00 run could not, Friday 13:00 and 16:00 Asia/Ho_Chi_Minh',
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '13,16', weekDay: 'FRI', timeZone: TimeZone.ASIA_HO_CHI_MINH }),
      target: new targets.LambdaInvoke(scheduledWeekly, { input: weeklyInput, deadLetterQueue: this.asyncDlq, retryAttempts: 3 }),
    });

    // The pages: S3 + CloudFront, their generated config.js, and their Cognito app client.
    this.web = web = new WebHosting(this, 'Web', {
      webDir,
      apiUrl: this.api.apiEndpoint,
      userPool: stateful.userPool,
      hostedUi: stateful.hostedUi,
      uploadBucketName: uploadBucket.bucketName,
      archiveBucketName: archiveBucket.bucketName,
      extraUrls: config.webUrls,
      removalPolicy: config.stage === 'local' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    encryptLogGroupsAndDlqSenders(this, stateful.key);

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'WebUrl', { value: this.web.url });
    new CfnOutput(this, 'HostedUiUrl', { value: stateful.hostedUi.baseUrl() });
    new CfnOutput(this, 'WebClientId', { value: this.web.client.userPoolClientId });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
  }
}

/**
 * Every log group of the stack (functions, state machines, API access logs, the pages' deployment) is
 * encrypted with the customer key (the key policy lets CloudWatch Logs use it for this account's log
 * groups, StatefulStack). Every role that sends to the async dead-letter queue — the schedules' roles,
 * created by the Scheduler targets — gets the key for SQS, as the sweeper's own role does (AppFunction).
 */
function encryptLogGroupsAndDlqSenders(stack: AppStack, key: kms.IKey) {
  for (const c of stack.node.findAll()) {
    if (c instanceof logs.CfnLogGroup && !c.kmsKeyId) c.kmsKeyId = key.keyArn;
  }
  const dlqSend = new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
  });
  for (const c of stack.node.findAll()) {
    if (
      c instanceof iam.Role &&
      c.assumeRolePolicy
        ?.toJSON()
        .Statement?.some((st: { Principal?: { Service?: unknown } }) => JSON.stringify(st.Principal?.Service ?? '').includes('scheduler.amazonaws.com'))
    ) {
      c.addToPrincipalPolicy(dlqSend);
    }
  }
}
