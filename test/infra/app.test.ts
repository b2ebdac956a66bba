import { App, type CfnResource, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.js';
import { buildApp } from '../../infra/app.js';
import { cdkContext } from '../../infra/config.js';
import { actionsFrom, transitions, waitingStages, waitStateName } from '../../shared/workflow/stages.js';

let built: ReturnType<typeof buildApp>;
let app: Template;
let stateful: Template;
let definition: { StartAt: string; States: Record<string, any> };

beforeAll(() => {
  // Bundling is skipped here (template assertions only); the local stack and `cdk synth` bundle for real.
  built = buildApp(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } }));
  app = Template.fromStack(built.appStack);
  stateful = Template.fromStack(built.stateful);
  const sm = Object.values(app.findResources('AWS::StepFunctions::StateMachine'))[0]!;
  const joined = sm.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  definition = JSON.parse(joined.map((p) => (typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Partition"}' ? 'aws' : 'arn:fn')).join(''));
}, 120_000); // building the app takes seconds on a shared 2-core machine

describe('book workflow (synthesised definition)', () => {
  it('has a task-token wait for each of the five waiting stages, with a timeout that escalates', () => {
    for (const stage of waitingStages) {
      const s = definition.States[waitStateName(stage)];
      expect(s.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(s.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
      expect(s.Parameters.Payload.stage).toBe(stage);
      expect(s.TimeoutSeconds).toBe(Number(cdkContext.stageTimeoutDays) * 86400);
      expect(s.Catch[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: expect.stringMatching(/^Escalate/) });
      expect(definition.States[s.Catch[0].Next].Next).toBe(waitStateName(stage));
      expect(s.Catch[1]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' });
    }
  });

  it('routes every decision exactly as the transition table says', () => {
    for (const stage of waitingStages) {
      const choice = definition.States[definition.States[waitStateName(stage)].Next];
      // Tasks a decision runs on its way (BuildExportPackage after approve) are followed to the stage's wait.
      const through = (name: string): string => (name === 'BuildExportPackage' ? through(definition.States[name].Next) : name);
      const routed = Object.fromEntries(choice.Choices.map((c: any) => [c.StringEquals, through(c.Next)]));
      const expected = Object.fromEntries(
        actionsFrom(stage).map((a) => {
          const to = transitions[a].to;
          return [a, to === 'completed' ? 'Complete' : waitStateName(to as never)];
        }),
      );
      expect(routed).toEqual(expected);
    }
  });

  it('builds the export package between the approve decision and Reconciliation, only on that path', () => {
    const afterApproval = definition.States[definition.States.WaitApproval.Next];
    const routed = Object.fromEntries(afterApproval.Choices.map((c: any) => [c.StringEquals, c.Next]));
    expect(routed).toEqual({ approve: 'BuildExportPackage', reject: 'WaitReview' });
    const build = definition.States.BuildExportPackage;
    expect(build).toMatchObject({ Type: 'Task', Next: 'WaitReconciliation', ResultPath: null });
    expect(build.Parameters).toMatchObject({ 'bookId.$': '$.bookId', 'executionArn.$': '$$.Execution.Id', 'enteredAt.$': '$$.State.EnteredTime' });
    expect(build.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]);
    expect(build.Retry.some((r: any) => r.ErrorEquals.includes('Conflict') && r.ErrorEquals.includes('ThrottlingException'))).toBe(true);
    // Resuming at Reconciliation goes straight to its wait; nothing else leads to the build.
    const resume = definition.States[definition.States.ValidateInventory.Next];
    expect(resume.Choices.find((c: any) => JSON.stringify(c).includes('"reconciliation"')).Next).toBe('WaitReconciliation');
    const into = Object.entries(definition.States).filter(([, st]) => st.Next === 'BuildExportPackage' || st.Choices?.some((c: any) => c.Next === 'BuildExportPackage'));
    expect(into.map(([name]) => name)).toEqual(['AfterApproval']);
  });

  it('starts by validating the inventory and can resume at any waiting stage', () => {
    expect(definition.StartAt).toBe('ValidateInventory');
    const resume = definition.States[definition.States.ValidateInventory.Next];
    expect(resume.Type).toBe('Choice');
    expect(resume.Default).toBe('WaitEntry');
    expect(resume.Choices.map((c: any) => c.Next).sort()).toEqual(waitingStages.map(waitStateName).sort());
  });

  it('records every failure on the book before failing', () => {
    expect(definition.States.RecordFailure.Next).toBe('Failed');
    expect(definition.States.Failed.Type).toBe('Fail');
    for (const [name, s] of Object.entries(definition.States)) {
      if (s.Type === 'Task' && name !== 'RecordFailure') expect(s.Catch?.some((c: any) => c.Next === 'RecordFailure'), name).toBe(true);
    }
  });

  it('uses JSONPath only (the local interpreter ignores JSONata and variables)', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/"QueryLanguage"|"Assign"|"Arguments"|"Output"|\{%/);
  });

  it('logs all events without execution data, with X-Ray tracing', () => {
    app.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });
});

describe('API and functions', () => {
  it('creates one JWT-authorised route per entry of the route table', () => {
    const routes = app.findResources('AWS::ApiGatewayV2::Route');
    const keys = Object.values(routes).map((r) => r.Properties.RouteKey).sort();
    expect(keys).toEqual(routeList.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of Object.values(routes)) expect(r.Properties.AuthorizationType).toBe('JWT');
  });

  it('runs every function of ours on Node 24 arm64 with tracing', () => {
    // Ours = every AppFunction; the only other function is CDK's BucketDeployment handler for the pages.
    const ours = new Set(built.appStack.functions.map((f) => built.appStack.getLogicalId(f.node.defaultChild as CfnResource)));
    const all = app.findResources('AWS::Lambda::Function');
    const others = Object.keys(all).filter((id) => !ours.has(id));
    expect(others).toEqual([expect.stringMatching(/^CustomCDKBucketDeployment/)]);
    const fns = Object.entries(all).filter(([id]) => ours.has(id)).map(([, f]) => f);
    expect(fns.length).toBeGreaterThan(routeList.length);
    for (const f of fns) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('never lets a function update or delete audit items', () => {
    const policies = Object.values(app.findResources('AWS::IAM::Policy'));
    const auditStatements = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as any[])
      .filter((s) => JSON.stringify(s.Resource).includes('hotich-local-audit'));
    expect(auditStatements.length).toBeGreaterThan(0);
    for (const s of auditStatements) {
      const actions = [s.Action].flat() as string[];
      expect(actions.every((a) => ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DescribeTable'].includes(a)), JSON.stringify(actions)).toBe(true);
    }
  });
});

describe('stateful resources', () => {
  it('encrypts with a rotating customer key, keeps backups and blocks public access', () => {
    stateful.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    stateful.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.anyValue(),
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('delivers upload notifications through a queue with a dead-letter queue', () => {
    stateful.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'hotich-local-upload-events', RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
  });
});

describe('monitoring', () => {
  it('alarms on failed, timed-out and aborted executions, every function, and both DLQs', () => {
    const alarms = Object.values(Template.fromStack(built.monitoring).findResources('AWS::CloudWatch::Alarm'));
    const metrics = alarms.map((a) => a.Properties.MetricName);
    expect(metrics).toEqual(expect.arrayContaining(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted', 'Errors', 'ApproximateNumberOfMessagesVisible']));
    // Both workflows: the report state machine's failures too.
    const failedOn = alarms.filter((a) => a.Properties.MetricName === 'ExecutionsFailed').map((a) => JSON.stringify(a.Properties.Dimensions));
    expect(failedOn).toHaveLength(2);
    expect(failedOn.some((d) => d.includes('ReportWorkflow'))).toBe(true);
    const backlog = alarms.find((a) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage')!;
    expect(backlog.Properties).toMatchObject({ Threshold: 900, Statistic: 'Maximum', Namespace: 'AWS/SQS' });
    expect(metrics.filter((m) => m === 'Errors')).toHaveLength(built.appStack.functions.length);
    expect(metrics.filter((m) => m === 'ApproximateNumberOfMessagesVisible')).toHaveLength(2);
  });
});

describe('cdk-nag AwsSolutions and Serverless', () => {
  it('has zero unacknowledged findings in either pack, and every acknowledgement has a reason', () => {
    for (const stack of [built.stateful, built.appStack, built.monitoring] as Stack[]) {
      for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
        const report = pack.validateScope(stack);
        const open = report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
        expect(open, `${pack.readPackName}: ${open.join('\n')}`).toEqual([]);
      }
    }
    const acks = built.app.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'));
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) for (const reason of Object.values(a.data as Record<string, string>)) expect(reason.length).toBeGreaterThan(20);
  });
});

/** Logical id a `{ "Fn::GetAtt": [id, …] }` or `{ Ref: id }` points at. */
const refId = (v: any): string | undefined => v?.['Fn::GetAtt']?.[0] ?? v?.Ref;

describe('dead-letter queues and their alarms (issue 9)', () => {
  it('gives every asynchronously invoked function a dead-letter queue, and only SQS-fed or synchronous ones go without', () => {
    const fns = app.findResources('AWS::Lambda::Function');
    // Invoked asynchronously: schedule targets and functions with an invoke permission for S3, SNS or EventBridge.
    const asyncInvoked = new Set<string>();
    for (const s of Object.values(app.findResources('AWS::Scheduler::Schedule'))) {
      const target = refId(s.Properties.Target.Arn);
      if (target && fns[target]) asyncInvoked.add(target);
    }
    for (const p of Object.values(app.findResources('AWS::Lambda::Permission'))) {
      if (/s3\.amazonaws|sns\.amazonaws|events\.amazonaws/.test(JSON.stringify(p.Properties.Principal))) asyncInvoked.add(refId(p.Properties.FunctionName)!);
    }
    expect(asyncInvoked.size).toBeGreaterThan(0);
    for (const id of asyncInvoked) expect(refId(fns[id]!.Properties.DeadLetterConfig?.TargetArn), id).toBeDefined();
    // What the code declares (AppFunction.invokedBy) matches how the template invokes it.
    const declaredAsync = built.appStack.functions.filter((f) => f.invokedBy === 'async').map((f) => built.appStack.getLogicalId(f.node.defaultChild as CfnResource));
    expect(declaredAsync.sort()).toEqual([...asyncInvoked].sort());

    // SQS-fed functions: the source queue redrives to a dead-letter queue.
    const mappings = Object.values(app.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.length).toBeGreaterThan(0);
    const queues = Object.values(stateful.findResources('AWS::SQS::Queue'));
    for (const m of mappings) {
      const source = JSON.stringify(m.Properties.EventSourceArn);
      const queue = queues.find((q) => q.Properties.QueueName && source.includes(q.Properties.QueueName));
      expect(queue?.Properties.RedrivePolicy?.deadLetterTargetArn, source).toBeDefined();
      expect(built.appStack.functions.find((f) => built.appStack.getLogicalId(f.node.defaultChild as CfnResource) === refId(m.Properties.FunctionName))?.invokedBy).toBe('sqs');
    }
    // Schedules have their own dead-letter queue for targets that cannot be invoked at all.
    for (const s of Object.values(app.findResources('AWS::Scheduler::Schedule'))) expect(refId(s.Properties.Target.DeadLetterConfig?.Arn)).toBeDefined();
  });

  it('alarms on the depth of every dead-letter queue', () => {
    const dlqs = new Set<string>();
    for (const f of Object.values(app.findResources('AWS::Lambda::Function'))) if (f.Properties.DeadLetterConfig) dlqs.add(refId(f.Properties.DeadLetterConfig.TargetArn)!);
    for (const s of Object.values(app.findResources('AWS::Scheduler::Schedule'))) dlqs.add(refId(s.Properties.Target.DeadLetterConfig.Arn)!);
    for (const q of Object.values(stateful.findResources('AWS::SQS::Queue'))) if (q.Properties.RedrivePolicy) dlqs.add(refId(q.Properties.RedrivePolicy.deadLetterTargetArn)!);
    expect(dlqs.size).toBe(2);
    const depthAlarms = Object.values(Template.fromStack(built.monitoring).findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Properties.Namespace === 'AWS/SQS',
    );
    for (const id of dlqs) {
      // The alarm's QueueName dimension is imported from the queue's stack: the export names the queue's logical id.
      const alarm = depthAlarms.find((a) => JSON.stringify(a.Properties.Dimensions).includes(id));
      expect(alarm, `no alarm on ${id}`).toBeDefined();
      expect(alarm!.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [expect.anything()] });
    }
  });
});

describe('infrastructure controls of issue 9', () => {
  const prod = () => buildApp(new App({ context: { ...cdkContext, stage: 'prod', 'aws:cdk:bundling-stacks': [] } }));

  it('encrypts tables and data buckets with the rotating customer key', () => {
    const keys = Object.keys(stateful.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } }));
    expect(keys).toHaveLength(1);
    for (const t of Object.values(stateful.findResources('AWS::DynamoDB::Table'))) {
      expect(refId(t.Properties.SSESpecification.KMSMasterKeyId)).toBe(keys[0]);
    }
    const data = Object.values(stateful.findResources('AWS::S3::Bucket')).filter((b) => b.Properties.BucketName);
    expect(data).toHaveLength(2);
    for (const b of data) {
      const enc = b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
      expect(enc.SSEAlgorithm).toBe('aws:kms');
      expect(refId(enc.KMSMasterKeyID)).toBe(keys[0]);
    }
  });

  it('makes every bucket of every stack private, versioned and SSL-only', () => {
    for (const stack of [built.stateful, built.appStack]) {
      const t = Template.fromStack(stack);
      const buckets = t.findResources('AWS::S3::Bucket');
      expect(Object.keys(buckets).length).toBeGreaterThan(0);
      const policies = Object.values(t.findResources('AWS::S3::BucketPolicy'));
      for (const [id, b] of Object.entries(buckets)) {
        expect(b.Properties.PublicAccessBlockConfiguration, id).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
        expect(b.Properties.VersioningConfiguration, id).toEqual({ Status: 'Enabled' });
        const policy = policies.find((p) => refId(p.Properties.Bucket) === id);
        const denyInsecure = policy?.Properties.PolicyDocument.Statement.find((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
        expect(denyInsecure, `${id} has no SSL-only policy`).toBeDefined();
        expect(denyInsecure.Principal).toEqual({ AWS: '*' });
      }
    }
  });

  it('locks archived objects (scans, reports, exports) for ten years', () => {
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('hotich-local-archive')])]) }),
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 3650 } } },
    });
  });

  it('keeps point-in-time recovery everywhere and deletion protection outside the local stage', () => {
    const prodStateful = Template.fromStack(prod().stateful);
    const tables = Object.values(prodStateful.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(2);
    for (const t of tables) {
      expect(t.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(t.Properties.DeletionProtectionEnabled).toBe(true);
      expect(t.DeletionPolicy).toBe('Retain');
    }
  });

  it('throttles the API by default on every route', () => {
    app.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});
