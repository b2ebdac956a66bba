import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  type ActionName,
  actionsFrom,
  type Stage,
  transitions,
  type WaitingStage,
  waitingStages,
  waitStateName,
} from '../../shared/workflow/stages.js';

export interface BookWorkflowProps {
  stateMachineName: string;
  stageTimeout: Duration;
  functions: {
    validateInventory: lambda.IFunction;
    enterStage: lambda.IFunction;
    escalate: lambda.IFunction;
    recordFailure: lambda.IFunction;
    complete: lambda.IFunction;
    buildExport: lambda.IFunction;
  };
}

/** Errors worth retrying inside a Task (throttling and lost optimistic locks), beyond Lambda service errors. */
const TRANSIENT = ['Conflict', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'Lambda.TooManyRequestsException'];

/**
 * One execution per book run (JSONPath only; the local runtime executes this very definition).
 *
 *   ValidateInventory → ResumeOrStart ─┬→ WaitEntry ⇄ EscalateEntry (on timeout)
 *                                  ├→ WaitScan …          each Wait<Stage> is lambda:invoke.waitForTaskToken;
 *                                  └→ …                    After<Stage> routes the decision per the transition table
 *   → Complete → Completed;   any failure → RecordFailure → Failed
 */
export class BookWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: BookWorkflowProps) {
    super(scope, id);
    const { functions: fn } = props;
    const common = {
      'bookId.$': '$.bookId',
      'executionArn.$': '$$.Execution.Id',
      'enteredAt.$': '$$.State.EnteredTime',
    };
    const invoke = (name: string, f: lambda.IFunction, payload: Record<string, unknown>) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: f,
        payload: sfn.TaskInput.fromObject({ ...common, ...payload }),
        payloadResponseOnly: true,
        resultPath: sfn.JsonPath.DISCARD,
        retryOnServiceExceptions: true,
      }).addRetry({ errors: TRANSIENT, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });

    const failed = new sfn.Fail(this, 'Failed', { error: 'BookWorkflowFailed', cause: 'Xem lỗi được ghi trên sổ (trang của sổ, mục Lịch sử)' });
    const recordFailure = invoke('RecordFailure', fn.recordFailure, { 'error.$': '$.error' });
    recordFailure.addCatch(failed, { resultPath: '$.recordError' }).next(failed);
    const onError = { errors: ['States.ALL'], resultPath: '$.error' };

    const complete = invoke('Complete', fn.complete, {}).addCatch(recordFailure, onError);
    complete.next(new sfn.Succeed(this, 'Completed'));

    // One wait state per waiting stage, then a Choice over the decisions allowed out of it.
    const waits = {} as Record<WaitingStage, tasks.LambdaInvoke>;
    for (const stage of waitingStages) {
      waits[stage] = new tasks.LambdaInvoke(this, waitStateName(stage), {
        lambdaFunction: fn.enterStage,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ ...common, stage, taskToken: sfn.JsonPath.taskToken }),
        resultPath: '$.decision',
        taskTimeout: sfn.Timeout.duration(props.stageTimeout),
        retryOnServiceExceptions: true,
      });
      waits[stage].addRetry({ errors: TRANSIENT, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });
    }
    const target = (to: Stage): sfn.IChainable => (to === 'completed' ? complete : waits[to as WaitingStage]);
    // Tasks run when a stage is entered by one particular decision, in order, before its wait: only on
    // that path (resuming at the stage goes straight to its wait). Each catches into RecordFailure.
    const onDecision: Partial<Record<ActionName, { state: string; fn: lambda.IFunction }[]>> = {
      approve: [{ state: 'BuildExportPackage', fn: fn.buildExport }],
    };
    const route = (action: ActionName): sfn.IChainable => {
      const steps = (onDecision[action] ?? []).map((s) => invoke(s.state, s.fn, {}).addCatch(recordFailure, onError));
      for (const [i, s] of steps.entries()) s.next(steps[i + 1] ?? target(transitions[action].to));
      return steps[0] ?? target(transitions[action].to);
    };
    for (const stage of waitingStages) {
      const escalate = invoke(`Escalate${waitStateName(stage).slice(4)}`, fn.escalate, { stage });
      escalate.addCatch(recordFailure, onError).next(waits[stage]);
      const unknown = new sfn.Pass(this, `UnknownDecision${waitStateName(stage).slice(4)}`, {
        result: sfn.Result.fromObject({ Error: 'UnknownDecision', Cause: `No transition out of ${stage} for this decision` }),
        resultPath: '$.error',
      }).next(recordFailure);
      const choice = new sfn.Choice(this, `After${waitStateName(stage).slice(4)}`);
      for (const action of actionsFrom(stage) as ActionName[]) {
        choice.when(sfn.Condition.stringEquals('$.decision.action', action), route(action));
      }
      choice.otherwise(unknown);
      waits[stage]
        .addCatch(escalate, { errors: ['States.Timeout'], resultPath: '$.timeout' })
        .addCatch(recordFailure, onError)
        .next(choice);
    }

    const startAt = new sfn.Choice(this, 'ResumeOrStart');
    for (const stage of waitingStages) {
      startAt.when(
        sfn.Condition.and(sfn.Condition.isPresent('$.resumeAt'), sfn.Condition.stringEquals('$.resumeAt', stage)),
        waits[stage],
      );
    }
    startAt.otherwise(waits.entry);
    const validate = invoke('ValidateInventory', fn.validateInventory, {}).addCatch(recordFailure, onError);
    validate.next(startAt);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.SIX_MONTHS });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(validate),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      // Execution data holds only book ids and decisions, never personal data; kept out of logs anyway.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }
}
