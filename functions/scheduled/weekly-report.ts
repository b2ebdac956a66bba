// Primary adapter: EventBridge Scheduler, Friday 11:00 Asia/Ho_Chi_Minh → starts the week's report run once.
import { z } from 'zod';
import { InvalidInput } from '../../shared/errors.js';
import { startScheduledWeeklyRun } from '../../shared/use-cases/weekly-report.js';

/** The target input: the schedule's fire time (`<aws.scheduler.scheduled-time>`; the local scheduler passes the same). */
const ScheduledEvent = z.object({ time: z.iso.datetime() });

export const handler = async (event: unknown) => {
  const parsed = ScheduledEvent.safeParse(event);
  if (!parsed.success) throw new InvalidInput('Scheduled weekly run without a valid fire time', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  return startScheduledWeeklyRun(parsed.data);
};
