// Primary adapter: GET /books/{bookId}/history → stage changes and the audit trail.
import { bookHistory } from '../../shared/use-cases/read-books.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('BookHistory', async (req, ctx) => ({
  body: await bookHistory(req.params.bookId, ctx),
}));
