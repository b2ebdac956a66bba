// Primary adapter: POST /books → inventory a book.
import { createBook } from '../../shared/use-cases/create-book.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('CreateBook', async (req, ctx) => ({
  status: 201,
  body: await createBook(req.body, ctx),
}));
