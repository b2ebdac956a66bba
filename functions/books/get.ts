// Primary adapter: GET /books/{bookId} → the book, its stage, counts and the caller's allowed actions.
import { getBookForCaller } from '../../shared/use-cases/read-books.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('GetBook', async (req, ctx) => ({
  body: await getBookForCaller(req.params.bookId, ctx),
}));
