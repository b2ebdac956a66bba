import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface ReportWorkflowProps {
  stateMachineName: string;
  functions: { plan: lambda.IFunction; prepare: lambda.IFunction; unit: lambda.IFunction; province: lambda.IFunction; national: lambda.IFunction };
  /** Provinces processed in parallel, and reporting units in parallel within each (I/O on DynamoDB, S3 and SES). */
  maxConcurrency: { provinces: number; unitsPerProvince: number };
}

/**
 * The weekly report run (JSONPath only): Plan → a Map over provinces, each Prepare → a Map over its
 * reporting units (district / group / province office) → the province rollup → the national rollup.
 * Plan freezes the structure once; each unit's task gets its slice of the plan in its input, so no
 * task reads the unit table again and each task's cost is one unit's books. A unit or province whose
 * report keeps failing is recorded as failed and the run goes on. The input always carries `week`,
 * `unit` (null = current week, all units) and `resend`.
 */
export class ReportWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ReportWorkflowProps) {
    super(scope, id);
    const f = props.functions;
    const task = (name: string, fn: lambda.IFunction, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions: true,
      }).addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 2 });
    const recordFailure = (name: string) => new sfn.Pass(this, name, { resultPath: sfn.JsonPath.DISCARD });

    const plan = task('Plan', f.plan, { 'week.$': '$.week', 'unit.$': '$.unit', 'resend.$': '$.resend', 'time.$': '$$.Execution.StartTime' }, '$.plan');

    const unitTask = task('UnitReport', f.unit, { 'week.$': '$.week', 'run.$': '$$.Execution.Name', 'unit.$': '$.unit', 'resend.$': '$.resend' }, '$.result');
    unitTask.addCatch(recordFailure('UnitReportFailed'), { resultPath: '$.error' });
    const units = new sfn.Map(this, 'EachReportingUnit', {
      itemsPath: '$.prepared.units',
      maxConcurrency: props.maxConcurrency.unitsPerProvince,
      itemSelector: { 'week.$': '$.week', 'resend.$': '$.resend', 'unit.$': '$$.Map.Item.Value' },
      resultSelector: { 'count.$': 'States.ArrayLength($)' },
      resultPath: '$.units',
    });
    units.itemProcessor(unitTask);

    const prepare = task('PrepareProvince', f.prepare, { 'week.$': '$.week', 'scope.$': '$.scope', 'province.$': '$.province' }, '$.prepared');
    const provinceTask = task('ProvinceReport', f.province, { 'week.$': '$.week', 'run.$': '$$.Execution.Name', 'scope.$': '$.scope', 'province.$': '$.province', 'resend.$': '$.resend' }, '$.result');
    const provinceFailed = recordFailure('ProvinceReportFailed');
    prepare.addCatch(provinceFailed, { resultPath: '$.error' });
    provinceTask.addCatch(provinceFailed, { resultPath: '$.error' });
    const provinces = new sfn.Map(this, 'EachProvince', {
      itemsPath: '$.plan.provinces',
      maxConcurrency: props.maxConcurrency.provinces,
      itemSelector: { 'week.$': '$.plan.week', 'scope.$': '$.plan.scope', 'resend.$': '$.plan.resend', 'province.$': '$$.Map.Item.Value' },
      resultSelector: { 'count.$': 'States.ArrayLength($)' },
      resultPath: '$.provinces',
    });
    provinces.itemProcessor(prepare.next(units).next(provinceTask));

    const national = task('NationalReport', f.national, { 'week.$': '$.plan.week', 'run.$': '$$.Execution.Name', 'resend.$': '$.plan.resend' }, '$.national');
    national.addCatch(recordFailure('NationalReportFailed'), { resultPath: '$.error' });
    const done = new sfn.Succeed(this, 'Done');
    const wantNational = new sfn.Choice(this, 'National?').when(sfn.Condition.booleanEquals('$.plan.national', true), national.next(done)).otherwise(done);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.SIX_MONTHS });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(plan.next(provinces).next(wantNational)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      timeout: Duration.hours(2),
    });
  }
}
