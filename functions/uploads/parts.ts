// Primary adapter: GET /books/{bookId}/uploads/{uploadId}/parts → resume a multipart upload.
import { uploadParts } from '../../shared/use-cases/uploads.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('UploadParts', async (req, ctx) => ({ body: await uploadParts(req.params.bookId, req.params.uploadId, ctx) }));
