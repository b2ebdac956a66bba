import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { cdkContext } from '../../infra/config.js';
import { type LocalModel, readCloudAssembly } from '../../infra/local/cdk-model.js';
import { LocalScheduler } from '../../infra/local/scheduler.js';

let outdir: string;
let template: Template;
let model: LocalModel;

beforeAll(() => {
  // Synthesised as `cdk synth` does (bundling skipped), then read as the local runtime reads cdk.out.
  outdir = mkdtempSync(path.join(tmpdir(), 'weekly-schedule-'));
  const app = new App({ outdir, context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp(app);
  template = Template.fromStack(built.appStack);
  app.synth();
  model = readCloudAssembly(outdir, 'ap-southeast-1', '000000000000');
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const weeklySchedules = () => model.schedules.filter((s) => s.name.startsWith('WeeklyReport'));

describe('weekly report schedule (synthesised template)', () => {
  it('fires Friday 11:00 in Asia/Ho_Chi_Minh, with retries of sending at 13:00 and 16:00, into the scheduled-run function with the fire time', () => {
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    const byExpression = Object.fromEntries(Object.values(schedules).map((s) => [s.Properties.ScheduleExpression, s.Properties]));
    for (const expression of ['cron(0 11 ? * FRI *)', 'cron(0 13,16 ? * FRI *)']) {
      const p = byExpression[expression];
      expect(p, expression).toBeDefined();
      expect(p.ScheduleExpressionTimezone).toBe('Asia/Ho_Chi_Minh');
      expect(p.State).not.toBe('DISABLED');
      const target = p.Target.Arn['Fn::GetAtt'][0] as string;
      expect(target).toMatch(/^ScheduledWeeklyReport/);
      // The target input is the scheduler's own fire time: the run is named from it, so a redelivery is the same run.
      expect(JSON.parse(p.Target.Input)).toEqual({ time: '<aws.scheduler.scheduled-time>' });
      expect(p.Target.RetryPolicy.MaximumRetryAttempts).toBe(3);
    }
    const fn = template.findResources('AWS::Lambda::Function');
    const scheduled = Object.entries(fn).find(([id]) => id.startsWith('ScheduledWeeklyReport'))![1];
    expect(scheduled.Properties.Environment.Variables.REPORT_STATE_MACHINE_ARN).toBeDefined();
  });

  it('the local scheduler, on a fake clock over the synthesised schedules, fires at 04:00, 06:00 and 09:00 UTC on Friday only, once each', async () => {
    expect(weeklySchedules()).toHaveLength(2);
    let now = new Date('2026-12-10T00:00:00+07:00'); // Thursday
    const fired: { name: string; at: string; input: unknown; target: string }[] = [];
    const scheduler = new LocalScheduler({
      schedules: weeklySchedules(),
      fire: async (s, at) => void fired.push({ name: s.name, at: at.toISOString(), input: JSON.parse(s.input), target: s.targetArn }),
      now: () => now,
    });
    // Minute by minute from Thursday 00:00 to Saturday 00:00, Vietnam time.
    const end = new Date('2026-12-12T00:00:00+07:00').getTime();
    while (now.getTime() < end) {
      await scheduler.tick(now);
      now = new Date(now.getTime() + 60_000);
    }
    expect(fired.map((f) => f.at).sort()).toEqual(['2026-12-11T04:00:00.000Z', '2026-12-11T06:00:00.000Z', '2026-12-11T09:00:00.000Z']);
    const fn = model.functions.find((f) => f.logicalId.startsWith('ScheduledWeeklyReport'))!;
    for (const f of fired) {
      expect(f.target).toBe(fn.arn);
      expect(f.input).toEqual({ time: '<aws.scheduler.scheduled-time>' });
    }
    // Next: the following Friday 11:00 Vietnam time.
    const main = weeklySchedules().find((s) => s.expression === 'cron(0 11 ? * FRI *)')!;
    expect(scheduler.nextFire(main.name)?.toISOString()).toBe('2026-12-18T04:00:00.000Z');
  });
});
