// Primary adapter: POST /books/{bookId}/assigned-ids → IDs assigned to people entered as new attach to their records.
import { attachAssignedIds } from '../../shared/use-cases/reconciliation.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('AssignedIds', async (req, ctx) => ({ body: await attachAssignedIds(req.params.bookId, req.body, ctx) }));
