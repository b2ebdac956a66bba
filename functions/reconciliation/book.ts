// Primary adapter: GET /books/{bookId}/reconciliation → outcomes, tracking list, not-found list (with its Excel).
import { reconciliationOf } from '../../shared/use-cases/reconciliation.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('BookReconciliation', async (req, ctx) => ({ body: await reconciliationOf(req.params.bookId, ctx) }));
