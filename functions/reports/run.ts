// Primary adapter: POST /reports/weekly/run {week?, unit?, resend?} (ops) → runs a week now.
import { requestWeeklyRun } from '../../shared/use-cases/weekly-report.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('RunWeeklyReport', async (req, ctx) => ({ status: 202, body: await requestWeeklyRun(req.body, ctx) }));
