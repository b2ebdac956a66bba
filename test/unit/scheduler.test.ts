import { describe, expect, it } from 'vitest';
import { LocalScheduler, nextFireTime, targetInput } from '../../infra/local/scheduler.js';

describe('local scheduler', () => {
  it('fires the weekly report at 11:00 Friday, Asia/Ho_Chi_Minh (04:00 UTC)', () => {
    const thursday = new Date('2026-11-26T10:00:00+07:00');
    expect(nextFireTime('cron(0 11 ? * FRI *)', 'Asia/Ho_Chi_Minh', thursday).toISOString()).toBe('2026-11-27T04:00:00.000Z');
    const fridayAfter = new Date('2026-11-27T11:00:01+07:00');
    expect(nextFireTime('cron(0 11 ? * FRI *)', 'Asia/Ho_Chi_Minh', fridayAfter).toISOString()).toBe('2026-12-04T04:00:00.000Z');
  });

  it('reads AWS day-of-week numbers (1 = Sunday)', () => {
    const monday = new Date('2026-11-23T00:00:00Z');
    expect(nextFireTime('cron(0 9 ? * 6 *)', 'UTC', monday).toISOString()).toBe('2026-11-27T09:00:00.000Z');
  });

  it('rate expressions fire on period boundaries', () => {
    expect(nextFireTime('rate(5 minutes)', 'UTC', new Date('2026-11-23T10:03:10Z')).toISOString()).toBe('2026-11-23T10:05:00.000Z');
  });

  it('with a fake clock: nothing before the time, one firing at it, none again until next week', async () => {
    let now = new Date('2026-11-27T10:59:00+07:00');
    const fired: string[] = [];
    const s = new LocalScheduler({
      schedules: [{ name: 'Weekly', expression: 'cron(0 11 ? * FRI *)', timeZone: 'Asia/Ho_Chi_Minh', targetArn: 'fn', input: '{}' }],
      fire: async (_s, at) => void fired.push(at.toISOString()),
      now: () => now,
    });
    expect(await s.tick(now)).toEqual([]);
    now = new Date('2026-11-27T11:00:00+07:00');
    expect(await s.tick(now)).toEqual(['Weekly']);
    now = new Date('2026-11-27T11:30:00+07:00');
    expect(await s.tick(now)).toEqual([]);
    expect(fired).toEqual(['2026-11-27T04:00:00.000Z']);
    expect(s.nextFire('Weekly')?.toISOString()).toBe('2026-12-04T04:00:00.000Z');
  });
});

describe('schedule target input (context attributes)', () => {
  const ctx = {
    scheduledTime: new Date('2026-12-11T04:00:00.000Z'),
    scheduleArn: 'arn:aws:scheduler:ap-southeast-1:000000000000:schedule/default/Weekly',
    executionId: 'e-1',
  };
  it('substitutes the fire time as AWS writes it (no milliseconds) and the other attributes', () => {
    const input = JSON.stringify({
      time: '<aws.scheduler.scheduled-time>',
      arn: '<aws.scheduler.schedule-arn>',
      id: '<aws.scheduler.execution-id>',
      n: '<aws.scheduler.attempt-number>',
    });
    expect(JSON.parse(targetInput(input, ctx))).toEqual({ time: '2026-12-11T04:00:00Z', arn: ctx.scheduleArn, id: 'e-1', n: '1' });
  });
  it('delivers an input without attributes as it is, and leaves unknown placeholders alone', () => {
    expect(targetInput('{}', ctx)).toBe('{}');
    expect(targetInput('{"x":"<aws.scheduler.unknown>"}', ctx)).toBe('{"x":"<aws.scheduler.unknown>"}');
  });
});
