// Primary adapter: POST /books/{bookId}/actions → take an action; 202 because the workflow applies it.
import { submitAction } from '../../shared/use-cases/submit-action.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('BookAction', async (req, ctx) => ({
  status: 202,
  body: await submitAction(req.params.bookId, req.body, ctx),
}));
