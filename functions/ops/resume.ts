// Primary adapter: POST /ops/books/{bookId}/resume → a fresh execution at the book's recorded stage.
import { resumeBook } from '../../shared/use-cases/operate-workflow.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ResumeBook', async (req, ctx) => ({
  status: 202,
  body: await resumeBook(req.params.bookId, ctx),
}));
