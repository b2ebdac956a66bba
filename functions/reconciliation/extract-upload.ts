// Primary adapter: POST /units/{unitCode}/extracts → presigned POST for the police's register extract.
import { requestExtractUpload } from '../../shared/use-cases/uploads.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ExtractUpload', async (req, ctx) => ({ status: 201, body: await requestExtractUpload(req.params.unitCode, req.body, ctx) }));
