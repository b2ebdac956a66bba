// Primary adapter: GET /quality/error-rates?unit= → entry error rates per clerk, reason and unit.
import { errorRates } from '../../shared/use-cases/review.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ErrorRates', async (req, ctx) => ({ body: await errorRates(req.query, ctx) }));
