// Primary adapter: GET /books/{bookId}/scan-report → the latest delivery's acceptance report and a link to its workbook.
import { scanReportForCaller } from '../../shared/use-cases/read-scan-report.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ScanReport', async (req, ctx) => ({ body: await scanReportForCaller(req.params.bookId, ctx) }));
