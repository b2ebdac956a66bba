import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import type { AppStack } from './app-stack.js';
import type { StatefulStack } from './stateful-stack.js';

/**
 * Alarms on what means a book may be stuck, a report missed or data lost: failed/timed-out executions of both
 * workflows, Lambda errors, DLQs, an upload backlog.
 */
export class MonitoringStack extends Stack {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: StackProps & { config: DeployConfig; stateful: StatefulStack; app: AppStack }) {
    super(scope, id, props);
    const topic = new sns.Topic(this, 'Alarms', { enforceSSL: true, masterKey: undefined });
    if (props.config.alarmEmail) topic.addSubscription(new subs.EmailSubscription(props.config.alarmEmail));
    const alarm = (name: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
      const a = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
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
    // The weekly reports: a run that fails or times out means some district got no report this Friday.
    const reports = props.app.reports.stateMachine;
    alarm('ReportRunsFailed', reports.metricFailed({ period }), 'A weekly report run failed: see GET /reports/weekly?week= for what was sent');
    alarm('ReportRunsTimedOut', reports.metricTimedOut({ period }), 'A weekly report run timed out');
    // Uploads waiting: the oldest upload notification older than 15 minutes means processing is stuck or too slow.
    alarm(
      'UploadEventsBacklog',
      props.stateful.uploadEvents.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
      'Upload notifications have waited more than 15 minutes: UploadReceived is failing or throttled',
      900,
    );
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
