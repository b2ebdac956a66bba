import { presignGet } from '../aws/s3-objects.js';
import { getBook } from '../books/book-repo.js';
import { assertVisible } from '../books/book-rules.js';
import { getConfig } from '../config.js';
import { latestEntryReport } from '../entry/entry-report-repo.js';
import { NotFound } from '../errors.js';
import type { RequestContext } from '../request-context.js';
import { listUnits } from '../units/unit-repo.js';

/** The last entry upload's outcome, with a 5-minute link to its error workbook. @throws NotFound */
export async function entryReportForCaller(bookId: string, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  const report = await latestEntryReport(bookId);
  if (!report) throw new NotFound('Sổ chưa có tệp nhập liệu nào', { bookId });
  const link = report.errorWorkbookKey
    ? await presignGet(getConfig().ARCHIVE_BUCKET, report.errorWorkbookKey, { downloadName: `loi-nhap-lieu-${bookId}.xlsx` })
    : undefined;
  return { ...report, errorWorkbookUrl: link?.url };
}
