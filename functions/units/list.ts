// Primary adapter: GET /units → administrative units in the caller's scope.
import { listUnitsForCaller } from '../../shared/use-cases/read-units.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ListUnits', async (_req, ctx) => ({ body: await listUnitsForCaller(ctx) }));
