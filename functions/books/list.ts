// Primary adapter: GET /books?unit=&stage= → books in a unit the caller can see.
import { listBooks } from '../../shared/use-cases/read-books.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ListBooks', async (req, ctx) => ({
  body: await listBooks(req.query, ctx),
}));
