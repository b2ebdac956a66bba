import { presignGet } from '../aws/s3-objects.js';
import { getBook } from '../books/book-repo.js';
import { assertVisible } from '../books/book-rules.js';
import { getConfig } from '../config.js';
import { NotFound } from '../errors.js';
import type { RequestContext } from '../request-context.js';
import { latestScanReport } from '../scans/scan-report-repo.js';
import { listUnits } from '../units/unit-repo.js';

/** The latest scan delivery's result, with a 5-minute link to the acceptance report workbook. @throws NotFound */
export async function scanReportForCaller(bookId: string, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  const report = await latestScanReport(bookId);
  if (!report) throw new NotFound('Sổ chưa có đợt giao bản scan nào', { bookId });
  const link = report.reportKey
    ? await presignGet(getConfig().ARCHIVE_BUCKET, report.reportKey, { downloadName: `bien-ban-nghiem-thu-${bookId}.xlsx` })
    : undefined;
  return { ...report, reportUrl: link?.url };
}
