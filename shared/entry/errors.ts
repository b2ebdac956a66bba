/** The one error of the Entry stage that rejects a file before any row is checked. */
import { InvalidInput } from '../errors.js';

export type InvalidWorkbookCode =
  | 'EMPTY_FILE'
  | 'NOT_XLSX'
  | 'LEGACY_XLS'
  | 'PASSWORD_PROTECTED'
  | 'CSV_OR_TEXT'
  | 'HTML_OR_XML'
  | 'MACRO_ENABLED'
  | 'XLSB'
  | 'ODS'
  | 'CORRUPT_ZIP'
  | 'FILE_TOO_LARGE';

const messages: Record<InvalidWorkbookCode, string> = {
  EMPTY_FILE: 'Tệp rỗng (0 byte). Hãy chọn lại tệp Excel đã nhập liệu.',
  NOT_XLSX: 'Tệp không phải bảng tính Excel (.xlsx). Hãy dùng mẫu nhập liệu và lưu dưới dạng Excel Workbook (.xlsx).',
  LEGACY_XLS: 'Tệp có định dạng Excel 97–2003 (.xls). Hãy mở bằng Excel và lưu lại dưới dạng Excel Workbook (.xlsx).',
  PASSWORD_PROTECTED: 'Tệp có mật khẩu (đã mã hóa) nên không đọc được. Hãy bỏ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc) rồi tải lên lại.',
  CSV_OR_TEXT: 'Tệp là tệp văn bản/CSV, không phải bảng tính .xlsx. Hãy mở bằng Excel và lưu dưới dạng Excel Workbook (.xlsx).',
  HTML_OR_XML:
    'Tệp là trang HTML/XML (thường do phần mềm khác xuất ra với đuôi .xls), không phải bảng tính .xlsx. Hãy mở bằng Excel và lưu dưới dạng Excel Workbook (.xlsx).',
  MACRO_ENABLED: 'Tệp có macro (.xlsm) nên không được nhận. Hãy lưu lại dưới dạng Excel Workbook (.xlsx), không có macro.',
  XLSB: 'Tệp có định dạng Excel nhị phân (.xlsb). Hãy lưu lại dưới dạng Excel Workbook (.xlsx).',
  ODS: 'Tệp có định dạng OpenDocument (.ods). Hãy lưu lại dưới dạng Excel Workbook (.xlsx).',
  CORRUPT_ZIP: 'Tệp .xlsx bị hỏng hoặc chưa tải lên hết (không giải nén được). Hãy mở thử bằng Excel, lưu lại và tải lên lại.',
  FILE_TOO_LARGE: 'Tệp quá lớn.',
};

/**
 * 400: the uploaded file cannot be read as an entry workbook. `code` says why (e.g. `LEGACY_XLS`),
 * the message says what to do, in Vietnamese. The error name (`InvalidWorkbook`) is what Step
 * Functions matches; the specific code also travels in `details.code`.
 */
export class InvalidWorkbook extends InvalidInput {
  readonly reason: InvalidWorkbookCode;
  constructor(reason: InvalidWorkbookCode, options?: { message?: string; details?: Record<string, unknown>; cause?: unknown }) {
    super(options?.message ?? messages[reason], { code: reason, ...options?.details }, { cause: options?.cause });
    this.reason = reason;
  }
  override get code(): string {
    return this.reason;
  }
}

/** The default Vietnamese message of a code (documentation and tests). */
export function invalidWorkbookMessage(code: InvalidWorkbookCode): string {
  return messages[code];
}
