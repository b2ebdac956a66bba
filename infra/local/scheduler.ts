/**
 * Local EventBridge Scheduler: fires the schedules declared in the CDK app at the same wall time
 * (cron in its time zone, or rate). `tick(now)` is the whole engine, so tests drive it with a fake clock.
 */
import { CronExpressionParser } from 'cron-parser';
import type { LocalSchedule } from './cdk-model.js';

/**
 * The target input as EventBridge Scheduler delivers it: its context attributes substituted
 * (`<aws.scheduler.scheduled-time>` in ISO 8601 without milliseconds, as AWS writes it; the schedule's
 * ARN; an execution id; the attempt number). An input without attributes is delivered as it is.
 */
export function targetInput(input: string, ctx: { scheduledTime: Date; scheduleArn: string; executionId: string; attempt?: number }): string {
  const values: Record<string, string> = {
    'aws.scheduler.scheduled-time': ctx.scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws.scheduler.schedule-arn': ctx.scheduleArn,
    'aws.scheduler.execution-id': ctx.executionId,
    'aws.scheduler.attempt-number': String(ctx.attempt ?? 1),
  };
  return input.replace(/<(aws\.scheduler\.[a-z-]+)>/g, (whole, name: string) => values[name] ?? whole);
}

/** Next fire time strictly after `after` for an EventBridge Scheduler expression. */
export function nextFireTime(expression: string, timeZone: string, after: Date): Date {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const unit = rate[2]!.startsWith('minute') ? 60_000 : rate[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
    const every = Number(rate[1]) * unit;
    return new Date((Math.floor(after.getTime() / every) + 1) * every);
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new Error(`Unsupported schedule expression: ${expression}`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`AWS cron needs 6 fields: ${expression}`);
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  // AWS numbers days of week 1-7 from Sunday; cron-parser 0-6.
  const dowStd = dow.replace(/\d/g, (d) => String((Number(d) + 6) % 7)).replace(/\?/g, '*');
  const expr = [0, min, hour, dom.replace('?', '*'), month, dowStd].join(' ');
  const it = CronExpressionParser.parse(expr, { currentDate: after, tz: timeZone });
  return it.next().toDate();
}

export interface SchedulerOptions {
  schedules: LocalSchedule[];
  fire: (schedule: LocalSchedule, scheduledTime: Date) => Promise<void>;
  now?: () => Date;
}

export class LocalScheduler {
  private readonly next = new Map<string, Date>();
  private timer?: NodeJS.Timeout;
  readonly fired: { name: string; at: string }[] = [];

  constructor(private readonly opts: SchedulerOptions) {
    const now = (opts.now ?? (() => new Date()))();
    for (const s of opts.schedules) this.next.set(s.name, nextFireTime(s.expression, s.timeZone, now));
  }

  /** Fires every schedule due at `now` (once, even if several periods were missed) and plans the next. */
  async tick(now: Date): Promise<string[]> {
    const due = this.opts.schedules.filter((s) => this.next.get(s.name)!.getTime() <= now.getTime());
    for (const s of due) {
      const at = this.next.get(s.name)!;
      this.next.set(s.name, nextFireTime(s.expression, s.timeZone, now));
      this.fired.push({ name: s.name, at: at.toISOString() });
      await this.opts.fire(s, at).catch((err) => console.error(`[scheduler] ${s.name} failed: ${(err as Error).message}`));
    }
    return due.map((s) => s.name);
  }

  nextFire(name: string): Date | undefined {
    return this.next.get(name);
  }

  start(intervalMs = 1000): void {
    const now = this.opts.now ?? (() => new Date());
    this.timer = setInterval(() => void this.tick(now()), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
