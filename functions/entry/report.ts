// Primary adapter: GET /books/{bookId}/entry-report → the last entry upload's errors and the error workbook link.
import { entryReportForCaller } from '../../shared/use-cases/read-entry-report.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('EntryReport', async (req, ctx) => ({ body: await entryReportForCaller(req.params.bookId, ctx) }));
