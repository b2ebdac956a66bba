// Primary adapter: GET /reconciliation/monthly?unit=&month= → counts by outcome, resolved and pending.
import { monthlyReconciliation } from '../../shared/use-cases/reconciliation.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('MonthlyReconciliation', async (req, ctx) => ({ body: await monthlyReconciliation(req.query, ctx) }));
