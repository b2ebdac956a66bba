/** Real PDFs and zips for e2e tests (pdf-lib, yazl), and the presigned POST a browser would do. */
import { PDFDocument } from 'pdf-lib';
import { ZipFile } from 'yazl';

export async function pdfFor(label: string, pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(label);
  for (let i = 0; i < pages; i++) doc.addPage([595, 842]).drawText(label, { x: 50, y: 780, size: 12 });
  return Buffer.from(await doc.save());
}

export async function zipOf(entries: { name: string; data: Buffer }[]): Promise<Buffer> {
  const z = new ZipFile();
  for (const e of entries) z.addBuffer(e.data, e.name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function postForm(presigned: { url: string; fields: Record<string, string> }, bytes: Uint8Array, fileName: string, contentType: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(presigned.fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: contentType }), fileName);
  return fetch(presigned.url, { method: 'POST', body: form });
}
