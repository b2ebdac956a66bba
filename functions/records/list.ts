// Primary adapter: GET /books/{bookId}/records → the book's stored records, a page at a time.
import { listRecordsForCaller } from '../../shared/use-cases/read-records.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ListRecords', async (req, ctx) => ({ body: await listRecordsForCaller(req.params.bookId, req.query, ctx) }));
