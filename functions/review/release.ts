// Primary adapter: POST /books/{bookId}/review/release → give the book back to the queue.
import { releaseReview } from '../../shared/use-cases/review.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ReleaseReview', async (req, ctx) => ({ body: await releaseReview(req.params.bookId, ctx) }));
