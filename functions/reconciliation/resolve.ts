// Primary adapter: POST /books/{bookId}/records/{so}/resolution → police/officer resolve a tracked mismatch.
import { resolveSubject } from '../../shared/use-cases/reconciliation.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ResolveMismatch', async (req, ctx) => ({ body: await resolveSubject(req.params.bookId, req.params.so, req.body, ctx) }));
