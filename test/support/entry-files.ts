/** Entry workbooks for e2e tests: a clean book from the entry fixtures, written in the Ministry template. */
import type { RegisterType } from '../../shared/books/register-type.js';
import { writeEntryWorkbook } from '../../shared/entry/workbook-writer.js';
import { cleanBook } from '../unit/entry/entry-fixtures.js';

export async function entryWorkbook(
  book: { registerType?: RegisterType; quyenSo: string; yearOpened: number },
  rows: number,
  fieldsOf: (i: number) => Record<string, string> = () => ({}),
): Promise<{ bytes: Buffer; records: Record<string, string | null>[] }> {
  const type = book.registerType ?? 'KS';
  const records = cleanBook(type, { rows, year: book.yearOpened, quyenSo: book.quyenSo, seed: rows * 7 + book.yearOpened }).map((r, i) => ({
    ...r,
    ...fieldsOf(i),
  }));
  return { bytes: await writeEntryWorkbook(type, records), records };
}

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
