// Primary adapter: POST /books/{bookId}/review/claim → a lease on the book for one reviewer.
import { claimReview } from '../../shared/use-cases/review.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ClaimReview', async (req, ctx) => ({ body: await claimReview(req.params.bookId, ctx) }));
