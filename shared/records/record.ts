import { z } from 'zod';
import { RegisterType } from '../books/register-type.js';

/** Registration number as written in the book: "n/yyyy" (numbers restart at 1 each year). */
export const SoDangKy = z.string().regex(/^\d{1,6}\/\d{4}$/);

/**
 * One registered event of a book, as keyed from the Ministry template. `fields` holds every template
 * column by its Ministry name, normalised as text (dates dd.mm.yyyy or yyyy, codes as digits, ID
 * numbers with their leading zeros). The column set per register type lives in `shared/entry/templates`.
 */
export const BookRecord = z.object({
  bookId: z.string(),
  so: SoDangKy,
  registerType: RegisterType,
  /** Excel row the record came from (header = row 1). */
  rowNumber: z.number().int().min(2),
  fields: z.record(z.string(), z.string().nullable()),
  /** The upload whose content this is: a re-upload replaces every record of the previous one. */
  entryVersion: z.string(),
  version: z.number().int().min(1),
  updatedAt: z.string(),
});
export type BookRecord = z.infer<typeof BookRecord>;

/** Sort key part for a registration number: year first, then the number, zero-padded. */
export function soSortKey(so: string): string {
  const [n, y] = so.split('/');
  return `${y}#${n!.padStart(6, '0')}`;
}
