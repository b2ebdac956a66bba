/**
 * Every reason code of the Scan stage in one table, with the Vietnamese text shown to contractors and
 * officers (acceptance report, API answers). A code never changes meaning once shipped: reports and
 * stored outcomes refer to it.
 *
 * `level` says where a code can appear:
 * - `archive`: the whole upload is refused (`InvalidArchive`), nothing is stored;
 * - `file`: one entry is refused (status `rejected`, `duplicate` or `orphan`), nothing is stored for it;
 * - `record`: a record of the book has no scan (acceptance report, missing list);
 * - `skip`: an entry that is not a scan at all (folders, OS metadata) and is ignored;
 * - `warning`: the file is accepted, but something deserves a look.
 */
import { z } from 'zod';

export const reasonCodes = [
  // archive level
  'NOT_ZIP',
  'CORRUPT_ARCHIVE',
  'TOO_MANY_ENTRIES',
  'UNSUPPORTED_ARCHIVE',
  // entry level: the container
  'PATH_TRAVERSAL',
  'UNSAFE_NAME',
  'SYMLINK',
  'ENCRYPTED_ENTRY',
  'UNSUPPORTED_COMPRESSION',
  'CORRUPT_ENTRY',
  'ZIP_BOMB',
  'TOO_LARGE',
  'ARCHIVE_LIMIT',
  'NESTED_ARCHIVE',
  'WRONG_EXTENSION',
  // entry level: the PDF
  'EMPTY_FILE',
  'NOT_PDF',
  'ENCRYPTED_PDF',
  'CORRUPT_PDF',
  'NO_PAGES',
  // entry level: linking
  'DUPLICATE_NAME',
  'NO_MATCHING_RECORD',
  'UNLINKED_SHARED_COPY',
  'AMBIGUOUS_NAME',
  // record level
  'MISSING_SCAN',
  // skipped entries
  'DIRECTORY',
  'SYSTEM_FILE',
  // warnings
  'LARGE_PAGES',
  'NAME_RECOVERED_UTF8',
  'NAME_LEGACY_ENCODING',
] as const;

export const ReasonCode = z.enum(reasonCodes);
export type ReasonCode = z.infer<typeof ReasonCode>;

export type ReasonLevel = 'archive' | 'file' | 'record' | 'skip' | 'warning';

export const reasons: Record<ReasonCode, { level: ReasonLevel; vi: string }> = {
  NOT_ZIP: { level: 'archive', vi: 'Tệp tải lên không phải tệp nén .zip hợp lệ' },
  CORRUPT_ARCHIVE: { level: 'archive', vi: 'Tệp .zip bị hỏng: không đọc được danh mục tệp bên trong' },
  TOO_MANY_ENTRIES: { level: 'archive', vi: 'Tệp .zip chứa quá nhiều mục so với giới hạn cho một quyển sổ' },
  UNSUPPORTED_ARCHIVE: { level: 'archive', vi: 'Tệp .zip dùng định dạng không hỗ trợ (chia nhiều phần hoặc mã hóa mạnh)' },

  PATH_TRAVERSAL: { level: 'file', vi: 'Tên tệp chứa đường dẫn không an toàn (../, đường dẫn tuyệt đối, ổ đĩa hoặc dấu \\)' },
  UNSAFE_NAME: { level: 'file', vi: 'Tên tệp chứa ký tự điều khiển (kể cả ký tự đảo chiều hiển thị) hoặc rỗng' },
  SYMLINK: { level: 'file', vi: 'Mục trong tệp nén là liên kết tượng trưng hoặc tệp đặc biệt, không phải tệp thường' },
  ENCRYPTED_ENTRY: { level: 'file', vi: 'Tệp trong .zip được đặt mật khẩu' },
  UNSUPPORTED_COMPRESSION: { level: 'file', vi: 'Tệp trong .zip dùng phương thức nén không hỗ trợ (chỉ chấp nhận Store và Deflate)' },
  CORRUPT_ENTRY: { level: 'file', vi: 'Tệp trong .zip bị hỏng (sai mã kiểm tra CRC, sai kích thước hoặc không giải nén được)' },
  ZIP_BOMB: { level: 'file', vi: 'Tỷ lệ nén bất thường (nghi "bom nén"), tệp bị từ chối' },
  TOO_LARGE: { level: 'file', vi: 'Tệp vượt quá dung lượng tối đa cho một tệp PDF' },
  ARCHIVE_LIMIT: { level: 'file', vi: 'Tổng dung lượng giải nén của tệp .zip vượt giới hạn; các tệp còn lại không được xử lý' },
  NESTED_ARCHIVE: { level: 'file', vi: 'Tệp nén lồng trong tệp nén: hãy giải nén và gửi trực tiếp các tệp PDF' },
  WRONG_EXTENSION: { level: 'file', vi: 'Tệp không có đuôi .pdf' },

  EMPTY_FILE: { level: 'file', vi: 'Tệp rỗng (0 byte)' },
  NOT_PDF: { level: 'file', vi: 'Nội dung tệp không phải PDF (có thể là tệp khác bị đổi đuôi thành .pdf)' },
  ENCRYPTED_PDF: { level: 'file', vi: 'Tệp PDF được mã hóa hoặc đặt mật khẩu' },
  CORRUPT_PDF: { level: 'file', vi: 'Tệp PDF bị hỏng hoặc không đầy đủ (không đọc được cấu trúc hoặc bảng tham chiếu chéo)' },
  NO_PAGES: { level: 'file', vi: 'Tệp PDF không có trang nào' },

  DUPLICATE_NAME: { level: 'file', vi: 'Trùng tên tệp (không phân biệt hoa thường hoặc cách mã hóa dấu tiếng Việt); không tệp nào trong nhóm trùng được nhận' },
  NO_MATCHING_RECORD: { level: 'file', vi: 'Không có bản ghi nào của quyển sổ ứng với tên tệp này' },
  UNLINKED_SHARED_COPY: { level: 'file', vi: 'Bản sao trang dùng chung (tên(k).pdf) nhưng không bản ghi nào có TenFile tương ứng' },
  AMBIGUOUS_NAME: { level: 'file', vi: 'Tên tệp ứng với nhiều bản ghi (TenFile trùng nhau); không xác định được bản ghi' },

  MISSING_SCAN: { level: 'record', vi: 'Bản ghi chưa có tệp PDF bản quét hợp lệ' },

  DIRECTORY: { level: 'skip', vi: 'Thư mục, bỏ qua' },
  SYSTEM_FILE: { level: 'skip', vi: 'Tệp hệ thống của hệ điều hành (__MACOSX, .DS_Store, Thumbs.db…), bỏ qua' },

  LARGE_PAGES: { level: 'warning', vi: 'Dung lượng trung bình mỗi trang vượt mức hướng dẫn (khoảng 100 kB/trang khổ A4)' },
  NAME_RECOVERED_UTF8: { level: 'warning', vi: 'Tên tệp được đọc theo UTF-8 dù tệp .zip không đánh dấu UTF-8' },
  NAME_LEGACY_ENCODING: { level: 'warning', vi: 'Tên tệp có ký tự không phải UTF-8, được đọc theo bảng mã CP437 nên có thể sai dấu' },
};

/** Vietnamese description of a code. */
export function describeReason(code: ReasonCode): string {
  return reasons[code].vi;
}

/** Codes that may appear as `warnings` of an accepted file. */
export const WarningCode = z.enum(['LARGE_PAGES', 'NAME_RECOVERED_UTF8', 'NAME_LEGACY_ENCODING']);
export type WarningCode = z.infer<typeof WarningCode>;
