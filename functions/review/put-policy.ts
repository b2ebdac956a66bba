// Primary adapter: PUT /units/{unitCode}/review-policy → full review or adaptive sampling for a commune.
import { setPolicy } from '../../shared/use-cases/review.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('PutReviewPolicy', async (req, ctx) => ({ body: await setPolicy(req.params.unitCode, req.body, ctx) }));
