// Primary adapter: GET /books/{bookId}/export → the approved book's package (Excel, zip of PDFs, manifest) as short-lived links.
import { exportPackageForCaller } from '../../shared/use-cases/export-package.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ExportPackage', async (req, ctx) => ({
  body: await exportPackageForCaller(req.params.bookId, ctx),
}));
