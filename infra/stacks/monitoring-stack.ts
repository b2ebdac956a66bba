import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import type { AppStack } from './app-stack.js';
import type { StatefulStack } from './stateful-stack.js';

/** Alarms on what means a book may be stuck or data may be lost: failed/timed-out executions, Lambda errors, DLQs. */
export class MonitoringStack extends Stack {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: StackProps & { config: DeployConfig; stateful: StatefulStack; app: AppStack }) {
    super(scope, id, props);
    const topic = new sns.Topic(this, 'Alarms', { enforceSSL: true, masterKey: undefined });
    if (props.config.alarmEmail) topic.addSubscription(new subs.EmailSubscription(props.config.alarmEmail));
    const alarm = (name: string, metric: cloudwatch.IMetric, description: string) => {
      const a = new cloudwatch.Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new actions.SnsAction(topic));
      this.alarms.push(a);
    };
    const sm = props.app.workflow.stateMachine;
    const period = Duration.minutes(5);
    alarm('ExecutionsFailed', sm.metricFailed({ period }), 'A book workflow execution failed: see GET /ops/executions?status=FAILED');
    alarm('ExecutionsTimedOut', sm.metricTimedOut({ period }), 'A book workflow execution timed out');
    alarm('ExecutionsAborted', sm.metricAborted({ period }), 'A book workflow execution was aborted');
    for (const f of props.app.functions) {
      alarm(`${f.node.id}Errors`, f.metricErrors({ period }), `Errors in ${f.node.id}`);
    }
    for (const [name, q] of [
      ['UploadEventsDlq', props.stateful.uploadEventsDlq],
      ['AsyncDlq', props.app.asyncDlq],
    ] as const) {
      alarm(`${name}NotEmpty`, q.metricApproximateNumberOfMessagesVisible({ period }), `Messages in ${name}: an event could not be processed`);
    }
  }
}
