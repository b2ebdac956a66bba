/**
 * The contractor's acceptance report for one book's scans (báo cáo nghiệm thu bản quét), as an .xlsx:
 * 1. "Tổng hợp": the book, the counts, the rework rate, the date;
 * 2. "Chi tiết tệp": every delivered file with its status, reason code and Vietnamese description;
 * 3. "Bản ghi thiếu": the records still without a valid scan, with what was refused for them.
 */
import ExcelJS from 'exceljs';
import { type RegisterType, registerTypeTitles } from '../books/register-type.js';
import type { CompletenessResult } from './completeness.js';
import { describeReason } from './reasons.js';
import type { FileStatus } from './scan-outcome.js';

export interface ReportBook {
  bookId: string;
  quyenSo: string;
  registerType: RegisterType;
  unitName?: string;
}

export const statusTitles: Record<FileStatus, string> = {
  accepted: 'Đạt',
  unchanged: 'Đạt (không đổi, đã nhận trước đó)',
  replaced: 'Đạt (thay thế bản đã nhận)',
  rejected: 'Không đạt',
  duplicate: 'Trùng tên',
  orphan: 'Không khớp bản ghi',
};

/** dd/mm/yyyy hh:mm in Vietnam time, as officers read dates. */
function formatDate(d: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(d);
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('day')}/${p('month')}/${p('year')} ${p('hour')}:${p('minute')}`;
}

function header(ws: ExcelJS.Worksheet, columns: { header: string; key: string; width: number }[]): void {
  ws.columns = columns;
  const row = ws.getRow(1);
  row.font = { bold: true };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
}

/**
 * Builds the report workbook. Pure apart from reading the clock when `now` is not given.
 * @throws nothing of its own (exceljs errors would be programming errors)
 */
export async function writeAcceptanceReport(book: ReportBook, result: CompletenessResult, now: Date = new Date()): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hệ thống số hóa sổ hộ tịch';
  wb.created = now;
  const c = result.counts;

  const summary = wb.addWorksheet('Tổng hợp');
  summary.columns = [
    { key: 'label', width: 48 },
    { key: 'value', width: 40 },
  ];
  summary.addRow(['BÁO CÁO NGHIỆM THU BẢN QUÉT']).font = { bold: true, size: 14 };
  summary.addRow([]);
  const rows: [string, string | number][] = [
    ['Đơn vị', book.unitName ?? ''],
    ['Mã quyển sổ', book.bookId],
    ['Loại sổ', `${registerTypeTitles[book.registerType]} (${book.registerType})`],
    ['Quyển số', book.quyenSo],
    ['Ngày lập báo cáo', formatDate(now)],
    ['Kết luận', result.complete ? 'ĐỦ: mọi bản ghi đã có tệp PDF hợp lệ' : 'CHƯA ĐỦ: còn bản ghi thiếu bản quét'],
    ['Số bản ghi của quyển sổ', c.expected],
    ['Số bản ghi đã có bản quét hợp lệ', c.covered],
    ['  trong đó nhận từ lần giao trước', c.carriedOver],
    ['Tệp đạt (mới)', c.accepted],
    ['Tệp đạt (không đổi so với lần trước)', c.unchanged],
    ['Tệp đạt (thay thế bản trước)', c.replaced],
    ['Tệp không đạt', c.rejected],
    ['Tệp trùng tên', c.duplicate],
    ['Tệp không khớp bản ghi', c.orphan],
    ['Bản ghi thiếu bản quét', c.missing],
    ['Tỷ lệ phải làm lại ((không đạt + thiếu) / số bản ghi)', result.reworkRate],
  ];
  for (const [label, value] of rows) summary.addRow([label, value]);
  const rateCell = summary.getCell(`B${summary.rowCount}`);
  rateCell.numFmt = '0.0%';
  for (let r = 3; r <= summary.rowCount; r++) summary.getCell(`A${r}`).font = { bold: true };

  const files = wb.addWorksheet('Chi tiết tệp');
  header(files, [
    { header: 'STT', key: 'stt', width: 6 },
    { header: 'Tên tệp', key: 'entryName', width: 40 },
    { header: 'Số đăng ký', key: 'so', width: 12 },
    { header: 'Kết quả', key: 'status', width: 30 },
    { header: 'Mã lý do', key: 'reason', width: 22 },
    { header: 'Mô tả', key: 'description', width: 70 },
    { header: 'Số trang', key: 'pages', width: 9 },
    { header: 'Dung lượng (kB)', key: 'kb', width: 15 },
    { header: 'Cảnh báo', key: 'warnings', width: 60 },
    { header: 'SHA-256', key: 'sha256', width: 66 },
  ]);
  result.files.forEach((f, i) => {
    files.addRow({
      stt: i + 1,
      entryName: f.entryName,
      so: f.so ?? '',
      status: statusTitles[f.status],
      reason: f.reason ?? '',
      description: f.reason ? describeReason(f.reason) : '',
      pages: f.pages ?? '',
      kb: f.size === undefined ? '' : Math.round(f.size / 100) / 10,
      warnings: f.warnings.map((w) => `${w.code}: ${describeReason(w.code)}${w.detail ? ` (${w.detail})` : ''}`).join('; '),
      sha256: f.sha256 ?? '',
    });
  });

  const missing = wb.addWorksheet('Bản ghi thiếu');
  header(missing, [
    { header: 'STT', key: 'stt', width: 6 },
    { header: 'Số đăng ký', key: 'so', width: 12 },
    { header: 'Tên tệp cần nộp', key: 'expectedName', width: 30 },
    { header: 'Mã lý do', key: 'reason', width: 16 },
    { header: 'Mô tả', key: 'description', width: 45 },
    { header: 'Tệp đã nộp nhưng không đạt', key: 'refused', width: 70 },
  ]);
  result.missing.forEach((m, i) => {
    missing.addRow({
      stt: i + 1,
      so: m.so,
      expectedName: m.expectedName,
      reason: m.reason,
      description: describeReason(m.reason),
      refused: m.refused.map((r) => `${r.entryName}: ${r.reason ? `${r.reason} – ${describeReason(r.reason)}` : statusTitles[r.status]}`).join('; '),
    });
  });

  return Buffer.from(await wb.xlsx.writeBuffer());
}
