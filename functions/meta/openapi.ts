// Primary adapter: GET /openapi.json → the API description generated from the route table's zod schemas.
import { httpHandler } from '../http/http-handler.js';
import { buildOpenApi } from '../openapi.js';

export const handler = httpHandler('OpenApi', async () => ({ body: buildOpenApi() }));
