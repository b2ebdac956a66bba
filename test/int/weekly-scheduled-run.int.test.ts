/**
 * The scheduled weekly run, through the function the schedules invoke (`functions/scheduled/weekly-report.ts`),
 * in-process against the local stack's Step Functions, DynamoDB and SES: the run is named from the fire
 * time, so deliveries of one fire time (EventBridge Scheduler delivers at least once) start one execution;
 * the 13:00 retry fire starts its own run, which sends nothing that the 11:00 run sent.
 * A past week of its own (2024-W14, pre-2025 structure: by district), so no other test's figures or emails are
 * touched, and the figures are final (the run is after the report time).
 */
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { stackUrls, waitFor } from '../support/api-client.js';
import { useLocalStackEnv } from '../support/handler-env.js';

const { env } = useLocalStackEnv();
const { handler } = await import('../../functions/scheduled/weekly-report.js');
const { listAudit } = await import('../../shared/audit/audit.js');
const { findSentReport } = await import('../../shared/reports/report-repo.js');

const WEEK = '2024-W14';
const ELEVEN = '2024-04-05T04:00:00Z'; // Friday 5/4/2024 11:00 Asia/Ho_Chi_Minh, as the scheduler writes it
const THIRTEEN = '2024-04-05T06:00:00Z';
const sfn = new SFNClient({ region: env.AWS_REGION });

async function finished(executionArn: string) {
  return waitFor(
    async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    },
    executionArn,
    120_000,
  );
}

async function weekMails() {
  const all = ((await (await fetch(`${stackUrls().api}/dev/mail`)).json()) as { emails: { subject: string; destination: { to: string[] } }[] }).emails;
  return all.filter((m) => m.subject.startsWith(`Báo cáo tiến độ số hóa sổ hộ tịch tuần ${WEEK} `));
}

describe('scheduled weekly run', () => {
  it('refuses an event without a valid fire time, starting nothing', async () => {
    for (const bad of [{}, { time: 'friday' }, { time: 42 }, null]) await expect(handler(bad)).rejects.toMatchObject({ name: 'InvalidInput' });
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: env.REPORT_STATE_MACHINE_ARN, maxResults: 1000 }));
    expect((listed.executions ?? []).filter((e) => e.name?.startsWith(`weekly-${WEEK}-`))).toEqual([]);
  });

  it('three deliveries of the 11:00 fire start one execution, audited once; the 13:00 fire sends nothing already sent', async () => {
    const starts = await Promise.all([1, 2, 3].map(() => handler({ time: ELEVEN })));
    expect(new Set(starts.map((s) => s.executionArn)).size).toBe(1);
    expect(starts[0]).toMatchObject({ week: WEEK, executionArn: expect.stringMatching(new RegExp(`:weekly-${WEEK}-all-at-1100$`)) });
    const first = await finished(starts[0]!.executionArn);
    expect(first.status).toBe('SUCCEEDED');

    const audit = (await listAudit('report', `${WEEK}#all`)).filter((e) => e.action === 'report.scheduledRun');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ at: ELEVEN, actor: { username: 'system' }, after: { executionName: `weekly-${WEEK}-all-at-1100` } });

    const sent = await findSentReport(WEEK, '901');
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, snapshotAt: expect.any(String) });
    const mailsAfterFirst = await weekMails();
    expect(mailsAfterFirst.filter((m) => m.destination.to.includes('phongtuphap.binhminh@demo.hotich.vn'))).toHaveLength(1);

    // The retry fire: a run of its own, same frozen figures, no second email to anyone.
    const retry = await handler({ time: THIRTEEN });
    expect(retry.executionArn).toMatch(new RegExp(`:weekly-${WEEK}-all-at-1300$`));
    expect((await finished(retry.executionArn)).status).toBe('SUCCEEDED');
    expect((await weekMails()).length).toBe(mailsAfterFirst.length);
    expect(await findSentReport(WEEK, '901')).toMatchObject({ status: 'sent', attempts: 1, messageId: sent!.messageId, snapshotAt: sent!.snapshotAt });

    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: env.REPORT_STATE_MACHINE_ARN, maxResults: 1000 }));
    expect(
      (listed.executions ?? [])
        .filter((e) => e.name?.startsWith(`weekly-${WEEK}-`))
        .map((e) => e.name)
        .sort(),
    ).toEqual([`weekly-${WEEK}-all-at-1100`, `weekly-${WEEK}-all-at-1300`]);
  });
});
