// Primary adapter: GET /books/{bookId}/records/{so} → one record and a short-lived link to its PDF.
import { getRecordForCaller } from '../../shared/use-cases/review.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('GetRecord', async (req, ctx) => ({ body: await getRecordForCaller(req.params.bookId, req.params.so, ctx) }));
