// Primary adapter: GET /reports/weekly?week=&unit= → what was produced and sent.
import { listWeeklyReports } from '../../shared/use-cases/weekly-report.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ListWeeklyReports', async (req, ctx) => ({ body: await listWeeklyReports(req.query, ctx) }));
