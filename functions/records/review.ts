// Primary adapter: PATCH /books/{bookId}/records/{so} → mark OK or correct fields (with the record's version).
import { reviewRecord } from '../../shared/use-cases/review.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ReviewRecord', async (req, ctx) => ({ body: await reviewRecord(req.params.bookId, req.params.so, req.body, ctx) }));
