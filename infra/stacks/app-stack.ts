import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { routeList } from '../../functions/routes.js';
import { corsOrigins, type DeployConfig, reportStateMachineName, resourceNames, stateMachineName } from '../config.js';
import { AppFunction } from '../constructs/app-function.js';
import { BookWorkflow } from '../constructs/book-workflow.js';
import { ReportWorkflow } from '../constructs/report-workflow.js';
import { WebHosting } from '../constructs/web-hosting.js';
import { acknowledge } from '../nag.js';
import type { StatefulStack } from './stateful-stack.js';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

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
    const table = dynamodb.Table.fromTableAttributes(this, 'StateTable', { tableName: names.table, encryptionKey: stateful.key, globalIndexes: ['GSI1', 'GSI2'] });
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
      keyArn: undefined,
    });
    const reportSmArn = this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: reportStateMachineName(config.stage), arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const sesIdentity = this.formatArn({ service: 'ses', resource: 'identity', resourceName: config.mailDomain });
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

    this.asyncDlq = new sqs.Queue(this, 'AsyncDlq', { encryption: sqs.QueueEncryption.KMS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(this.asyncDlq, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of asynchronous invocations.');
    acknowledge(this.asyncDlq, 'Serverless-SQSRedrivePolicy', 'This queue is itself the dead-letter queue of asynchronous invocations and schedules; its messages are examined and re-driven by hand (alarm AsyncDlqNotEmpty).');

    const make = (id: string, entry: string, invokedBy: AppFunction['invokedBy'], extra: Partial<ConstructorParameters<typeof AppFunction>[2]> = {}) => {
      const f = new AppFunction(this, id, { entry, environment, invokedBy, ...extra }).bindTable(table).bindAuditTable(auditTable);
      this.functions.push(f);
      return f;
    };
    const grantWorkflowControl = (f: AppFunction) =>
      f.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:StartExecution', 'states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          resources: [smArn],
        }),
      );

    // Workflow task functions.
    const stepFns = {
      validateInventory: make('WfValidateInventory', 'workflow/validate-inventory.ts', 'workflow'),
      enterStage: make('WfEnterStage', 'workflow/enter-stage.ts', 'workflow'),
      escalate: make('WfEscalate', 'workflow/escalate.ts', 'workflow'),
      recordFailure: make('WfRecordFailure', 'workflow/record-failure.ts', 'workflow'),
      complete: make('WfComplete', 'workflow/complete.ts', 'workflow'),
      buildExport: make('WfBuildExport', 'workflow/build-export.ts', 'workflow', { timeout: Duration.minutes(15), memorySize: 1024 }),
    };
    grantWorkflowControl(stepFns.enterStage);
    archiveBucket.grantRead(stepFns.enterStage);
    archiveBucket.grantReadWrite(stepFns.buildExport);
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
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
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
      format: JSON.stringify({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status', ip: '$context.identity.sourceIp', latency: '$context.responseLatency', sub: '$context.authorizer.claims.sub' }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };

    for (const route of routeList) {
      const f = make(`Api${route.name}`, route.entry, 'api', { description: `${route.method} ${route.path}` });
      if (['BookAction', 'ResumeBook', 'ListExecutions', 'ExecutionHistory', 'ResolveMismatch', 'AssignedIds'].includes(route.name)) grantWorkflowControl(f);
      if (route.name === 'BookReconciliation') archiveBucket.grantReadWrite(f);
      if (['ResolveMismatch', 'AssignedIds'].includes(route.name)) archiveBucket.grantRead(f);
      if (['ListExecutions', 'ExecutionHistory', 'ResumeBook'].includes(route.name)) {
        f.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['states:ListExecutions', 'states:DescribeExecution', 'states:GetExecutionHistory'],
            resources: [smArn, smArn.replace(':stateMachine:', ':execution:') + ':*'],
          }),
        );
      }
      if (route.name === 'RunWeeklyReport') {
        f.addEnvironment('REPORT_STATE_MACHINE_ARN', reportSmArn);
        f.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [reportSmArn] }));
      }
      if (['CreateUpload', 'UploadParts', 'CompleteUpload', 'ExtractUpload'].includes(route.name)) {
        uploadBucket.grantPut(f);
        f.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], resources: [uploadBucket.arnForObjects('uploads/*')] }));
      }
      if (['GetRecord', 'ScanReport', 'EntryReport'].includes(route.name)) archiveBucket.grantRead(f);
      if (route.name === 'ExportPackage') archiveBucket.grantRead(f);
      this.api.addRoutes({
        path: route.path,
        methods: [route.method as apigw.HttpMethod],
        integration: new HttpLambdaIntegration(`${route.name}Integration`, f),
      });
    }

    // S3 object-created notifications arrive through the stateful stack's queue.
    const uploadReceived = make('UploadReceived', 's3/upload-received.ts', 'sqs', { timeout: Duration.minutes(15), memorySize: 1024 });
    uploadReceived.addEventSource(new SqsEventSource(uploadEvents, { batchSize: 5, reportBatchItemFailures: true }));
    for (const mapping of uploadReceived.node.findAll().filter((c) => c instanceof lambda.CfnEventSourceMapping)) {
      acknowledge(mapping, 'Serverless-LambdaEventSourceMappingDestination', 'On-failure destinations are not supported for SQS event sources; the upload-events queue’s redrive policy (5 receives) sends failed messages to its dead-letter queue, which is alarmed.');
    }
    uploadBucket.grantRead(uploadReceived);
    archiveBucket.grantReadWrite(uploadReceived);
    uploadReceived.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [this.formatArn({ service: 'ses', resource: 'identity', resourceName: config.mailDomain })] }),
    );

    // Scheduled functions (EventBridge Scheduler, Vietnam time).
    const sweeper = make('SweepPending', 'scheduled/sweep-pending.ts', 'async', { deadLetterQueue: this.asyncDlq });
    grantWorkflowControl(sweeper);
    new scheduler.Schedule(this, 'SweepPendingSchedule', {
      description: 'Re-deliver decisions the workflow has not taken up',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
      target: new targets.LambdaInvoke(sweeper, { deadLetterQueue: this.asyncDlq, retryAttempts: 3 }),
    });

    // Weekly reports: Friday 11:00 Vietnam time, one workflow run fanning out per reporting unit.
    const reportFns = {
      plan: make('ReportPlan', 'reports/plan.ts', 'workflow', { timeout: Duration.minutes(5), memorySize: 1024 }),
      prepare: make('ReportPrepare', 'reports/prepare.ts', 'workflow'),
      unit: make('ReportUnit', 'reports/unit.ts', 'workflow', { timeout: Duration.minutes(5), memorySize: 1024 }),
      province: make('ReportProvince', 'reports/province.ts', 'workflow', { timeout: Duration.minutes(10), memorySize: 1536 }),
      national: make('ReportNational', 'reports/national.ts', 'workflow', { timeout: Duration.minutes(15), memorySize: 2048 }),
    };
    for (const f of [reportFns.unit, reportFns.province, reportFns.national]) {
      archiveBucket.grantReadWrite(f);
      f.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [sesIdentity] }));
    }
    this.reports = new ReportWorkflow(this, 'ReportWorkflow', { stateMachineName: reportStateMachineName(config.stage), functions: reportFns, maxConcurrency: { provinces: 4, unitsPerProvince: 4 } });
    new scheduler.Schedule(this, 'WeeklyReportSchedule', {
      description: 'Weekly progress reports to every reporting unit, Friday 11:00 Asia/Ho_Chi_Minh',
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '11', weekDay: 'FRI', timeZone: TimeZone.ASIA_HO_CHI_MINH }),
      target: new targets.StepFunctionsStartExecution(this.reports.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ week: null, unit: null, resend: false, source: 'schedule' }),
        deadLetterQueue: this.asyncDlq,
        retryAttempts: 3,
      }),
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

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'WebUrl', { value: this.web.url });
    new CfnOutput(this, 'HostedUiUrl', { value: stateful.hostedUi.baseUrl() });
    new CfnOutput(this, 'WebClientId', { value: this.web.client.userPoolClientId });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
  }
}
