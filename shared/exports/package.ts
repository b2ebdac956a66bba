/**
 * The export package of an approved book: what the Ministry's import tool takes (one Excel in the
 * Ministry template + one .zip of the PDFs, each named as the Excel references it), plus a manifest
 * with the checksums that tie them to the approval. Pure: names, keys and schemas; I/O lives in
 * `shared/use-cases/export-package.ts`.
 *
 *   exports/<unit>/<bookId>/<approval time, ":" removed>/<bookId>.xlsx | <bookId>.zip | manifest.json
 */
import { z } from 'zod';
import type { Book } from '../books/book.js';
import { RegisterType } from '../books/register-type.js';
import type { BookRecord } from '../records/record.js';
import { expectedFileName } from '../scans/linking.js';
import { Principal } from '../users/user.js';

export const MANIFEST_FORMAT = 'ho-tich-export/1';
export const MANIFEST_NAME = 'manifest.json';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const FileEntry = z.object({ name: z.string(), sha256: Sha256, size: z.number().int().min(0) });

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  book: z.object({
    bookId: z.string(),
    unitCode: z.string(),
    registerType: RegisterType,
    quyenSo: z.string(),
    yearOpened: z.number().int(),
    pageCount: z.number().int(),
    closingTotal: z.number().int().nullable(),
  }),
  /** The approve decision: who (the officer's principal, without e-mail) and when. */
  approval: z.object({ by: Principal.omit({ email: true }), at: z.string() }),
  /** When the package was written (the workflow state's entry time). */
  builtAt: z.string(),
  counts: z.object({ records: z.number().int(), pdfs: z.number().int(), pages: z.number().int() }),
  files: z.object({ excel: FileEntry, zip: FileEntry }),
  /** Every PDF of the zip, in registration order: the record it belongs to and its name in the zip. */
  pdfs: z.array(FileEntry.extend({ so: z.string(), pages: z.number().int() })),
});
export type Manifest = z.infer<typeof Manifest>;

export const ExportFileKind = z.enum(['excel', 'zip', 'manifest']);
export const ExportFileView = z.object({ name: z.string(), kind: ExportFileKind, url: z.string(), sha256: Sha256, size: z.number().int() });

/** GET /books/{bookId}/export. */
export const ExportPackageView = z.object({
  bookId: z.string(),
  approval: z.object({ by: Principal, at: z.string(), packageKey: z.string(), checksum: Sha256 }),
  counts: Manifest.shape.counts,
  /** Presigned GET links, valid `expiresIn` seconds. */
  expiresIn: z.number().int(),
  files: z.array(ExportFileView),
});
export type ExportPackageView = z.infer<typeof ExportPackageView>;

/** The folder of one approval's package (the approval time keeps packages of successive approvals apart). */
export function packagePrefix(book: Pick<Book, 'unitCode' | 'bookId'>, approvedAt: string): string {
  return `exports/${book.unitCode}/${book.bookId}/${approvedAt.replaceAll(':', '')}/`;
}

export function packageFileNames(bookId: string) {
  return { excel: `${bookId}.xlsx`, zip: `${bookId}.zip`, manifest: MANIFEST_NAME };
}

/** The key of a sibling file of the manifest (`approval.packageKey` is the manifest's key). */
export function siblingKey(manifestKey: string, name: string): string {
  return manifestKey.slice(0, manifestKey.lastIndexOf('/') + 1) + name;
}

/**
 * The PDF's name in the zip: exactly what the Excel's `TenFile` references (as the Scan stage matched
 * it: trimmed, folder dropped, ".pdf" added when missing), else the default `{so with / → -}.pdf`.
 */
export function pdfNameOf(record: Pick<BookRecord, 'so' | 'fields'>): string {
  return expectedFileName({ so: record.so, tenFile: record.fields.TenFile ?? null });
}
