// Primary adapter: POST /books/{bookId}/uploads/{uploadId}/complete → S3 assembles the parts (its event starts processing).
import { completeUpload } from '../../shared/use-cases/uploads.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('CompleteUpload', async (req, ctx) => ({ status: 202, body: await completeUpload(req.params.bookId, req.params.uploadId, ctx) }));
