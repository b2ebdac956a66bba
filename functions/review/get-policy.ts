// Primary adapter: GET /units/{unitCode}/review-policy.
import { getPolicyForCaller } from '../../shared/use-cases/review.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('GetReviewPolicy', async (req, ctx) => ({ body: await getPolicyForCaller(req.params.unitCode, ctx) }));
