// Primary adapter: POST /books/{bookId}/uploads → a presigned POST bound to the book's prefix, size and type.
import { requestUpload } from '../../shared/use-cases/uploads.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('CreateUpload', async (req, ctx) => ({
  status: 201,
  body: await requestUpload(req.params.bookId, req.body, ctx),
}));
