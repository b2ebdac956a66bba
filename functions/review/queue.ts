// Primary adapter: GET /review/queue?unit= → books waiting for review, oldest first, with who holds them.
import { reviewQueue } from '../../shared/use-cases/review.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ReviewQueue', async (req, ctx) => ({ body: await reviewQueue(req.query, ctx) }));
