/**
 * Vietnamese titles for the codes the API returns. The backend defines them in `shared/` (TypeScript);
 * the pages have no build step, so they are repeated here and a unit test
 * (`test/browser/labels.test.ts`) fails when the two drift apart.
 */

/** @type {readonly string[]} */
export const stages = ['inventory', 'entry', 'scan', 'review', 'approval', 'reconciliation', 'completed'];

/** shared/workflow/stages.ts `stageTitles` */
/** @type {Record<string, string>} */
export const stageTitles = {
  inventory: 'Kiểm kê',
  entry: 'Nhập liệu',
  scan: 'Scan',
  review: 'Kiểm tra, đối chiếu',
  approval: 'Phê duyệt',
  reconciliation: 'Đối chiếu CSDLQGVDC',
  completed: 'Hoàn thành',
};

/** shared/workflow/stages.ts `transitions[action].title` and `.needsReason` */
/** @type {Record<string, { title: string, needsReason: boolean }>} */
export const actions = {
  startDigitisation: { title: 'Bắt đầu số hóa', needsReason: false },
  completeEntry: { title: 'Nhập liệu hợp lệ (tự động khi tệp Excel đạt kiểm tra)', needsReason: false },
  completeScan: { title: 'Đủ bản scan (tự động khi bộ bản scan đầy đủ)', needsReason: false },
  passReview: { title: 'Đạt kiểm tra', needsReason: false },
  returnToEntry: { title: 'Trả về nhập liệu', needsReason: true },
  returnToScan: { title: 'Trả về scan', needsReason: true },
  approve: { title: 'Phê duyệt', needsReason: false },
  reject: { title: 'Từ chối phê duyệt', needsReason: true },
  completeReconciliation: { title: 'Đối chiếu xong (tự động khi mọi người đã khớp hoặc đã xử lý)', needsReason: false },
};

/** shared/users/user.ts `roleTitles` */
/** @type {Record<string, string>} */
export const roleTitles = {
  entry_clerk: 'Cán bộ nhập liệu (Tổ số hóa)',
  scan_contractor: 'Đơn vị scan (nhà thầu)',
  commune_officer: 'Công chức Tư pháp – Hộ tịch',
  commune_police: 'Công an xã',
  district_viewer: 'Phòng Tư pháp cấp huyện',
  province_viewer: 'Sở Tư pháp',
  ops: 'Vận hành hệ thống',
  admin: 'Quản trị',
};

/** shared/books/register-type.ts `registerTypeTitles` */
/** @type {Record<string, string>} */
export const registerTypeTitles = {
  KS: 'Khai sinh',
  KH: 'Kết hôn',
  KT: 'Khai tử',
  CMC: 'Nhận cha, mẹ, con',
  NCN: 'Nuôi con nuôi',
  GH: 'Giám hộ',
  TDCC: 'Thay đổi, cải chính, xác định lại dân tộc',
};

/** shared/books/book.ts `PhysicalCondition` (the titles are the pages' own). */
/** @type {Record<string, string>} */
export const physicalConditionTitles = {
  good: 'Tốt',
  worn: 'Cũ, sờn',
  damaged: 'Hư hỏng',
  partly_illegible: 'Mờ, khó đọc một phần',
};

/** shared/review/reasons.ts `correctionReasonTitles` */
/** @type {Record<string, string>} */
export const correctionReasonTitles = {
  TYPO: 'Lỗi đánh máy, chính tả (họ tên, địa danh)',
  WRONG_DATE: 'Sai ngày tháng (ngày đăng ký, ngày sinh, ngày chết…)',
  WRONG_CODE: 'Sai mã danh mục (giới tính, loại đăng ký, dân tộc…)',
  MISSING_FIELD: 'Bỏ sót thông tin có trong sổ',
  EXTRA_FIELD: 'Nhập thông tin không có trong sổ',
  WRONG_PERSON_FIELD: 'Nhập nhầm người (thông tin cha/mẹ/người yêu cầu lẫn nhau)',
  ILLEGIBLE_SOURCE: 'Sổ gốc mờ, rách: đã xác minh lại theo hồ sơ lưu',
  SCAN_MISMATCH: 'Dữ liệu không khớp bản scan',
  OTHER: 'Khác (ghi rõ trong ghi chú)',
};

/** shared/scans/reasons.ts `reasons[code].vi` */
/** @type {Record<string, string>} */
export const scanReasonTitles = {
  NOT_ZIP: 'Tệp tải lên không phải tệp nén .zip hợp lệ',
  CORRUPT_ARCHIVE: 'Tệp .zip bị hỏng: không đọc được danh mục tệp bên trong',
  TOO_MANY_ENTRIES: 'Tệp .zip chứa quá nhiều mục so với giới hạn cho một quyển sổ',
  UNSUPPORTED_ARCHIVE: 'Tệp .zip dùng định dạng không hỗ trợ (chia nhiều phần hoặc mã hóa mạnh)',
  PATH_TRAVERSAL: 'Tên tệp chứa đường dẫn không an toàn (../, đường dẫn tuyệt đối, ổ đĩa hoặc dấu \\)',
  UNSAFE_NAME: 'Tên tệp chứa ký tự điều khiển (kể cả ký tự đảo chiều hiển thị) hoặc rỗng',
  SYMLINK: 'Mục trong tệp nén là liên kết tượng trưng hoặc tệp đặc biệt, không phải tệp thường',
  ENCRYPTED_ENTRY: 'Tệp trong .zip được đặt mật khẩu',
  UNSUPPORTED_COMPRESSION: 'Tệp trong .zip dùng phương thức nén không hỗ trợ (chỉ chấp nhận Store và Deflate)',
  CORRUPT_ENTRY: 'Tệp trong .zip bị hỏng (sai mã kiểm tra CRC, sai kích thước hoặc không giải nén được)',
  ZIP_BOMB: 'Tỷ lệ nén bất thường (nghi "bom nén"), tệp bị từ chối',
  TOO_LARGE: 'Tệp vượt quá dung lượng tối đa cho một tệp PDF',
  ARCHIVE_LIMIT: 'Tổng dung lượng giải nén của tệp .zip vượt giới hạn; các tệp còn lại không được xử lý',
  NESTED_ARCHIVE: 'Tệp nén lồng trong tệp nén: hãy giải nén và gửi trực tiếp các tệp PDF',
  WRONG_EXTENSION: 'Tệp không có đuôi .pdf',
  EMPTY_FILE: 'Tệp rỗng (0 byte)',
  NOT_PDF: 'Nội dung tệp không phải PDF (có thể là tệp khác bị đổi đuôi thành .pdf)',
  ENCRYPTED_PDF: 'Tệp PDF được mã hóa hoặc đặt mật khẩu',
  CORRUPT_PDF: 'Tệp PDF bị hỏng hoặc không đầy đủ (không đọc được cấu trúc hoặc bảng tham chiếu chéo)',
  NO_PAGES: 'Tệp PDF không có trang nào',
  DUPLICATE_NAME: 'Trùng tên tệp (không phân biệt hoa thường hoặc cách mã hóa dấu tiếng Việt); không tệp nào trong nhóm trùng được nhận',
  NO_MATCHING_RECORD: 'Không có bản ghi nào của quyển sổ ứng với tên tệp này',
  UNLINKED_SHARED_COPY: 'Bản sao trang dùng chung (tên(k).pdf) nhưng không bản ghi nào có TenFile tương ứng',
  AMBIGUOUS_NAME: 'Tên tệp ứng với nhiều bản ghi (TenFile trùng nhau); không xác định được bản ghi',
  MISSING_SCAN: 'Bản ghi chưa có tệp PDF bản quét hợp lệ',
  DIRECTORY: 'Thư mục, bỏ qua',
  SYSTEM_FILE: 'Tệp hệ thống của hệ điều hành (__MACOSX, .DS_Store, Thumbs.db…), bỏ qua',
  LARGE_PAGES: 'Dung lượng trung bình mỗi trang vượt mức hướng dẫn (khoảng 100 kB/trang khổ A4)',
  NAME_RECOVERED_UTF8: 'Tên tệp được đọc theo UTF-8 dù tệp .zip không đánh dấu UTF-8',
  NAME_LEGACY_ENCODING: 'Tên tệp có ký tự không phải UTF-8, được đọc theo bảng mã CP437 nên có thể sai dấu',
};

/** Status of one file of a scan delivery (shared/scans/scan-outcome.ts `FileStatus`). */
/** @type {Record<string, string>} */
export const scanFileStatusTitles = {
  accepted: 'Đã nhận',
  rejected: 'Bị từ chối',
  duplicate: 'Trùng tên',
  orphan: 'Không khớp bản ghi',
  unchanged: 'Không đổi (đã có)',
  replaced: 'Thay bản cũ',
};

/** Counters of a scan acceptance report (shared/scans/completeness.ts `CompletenessCounts`). */
/** @type {Record<string, string>} */
export const scanCountTitles = {
  expected: 'Bản ghi cần bản scan',
  covered: 'Đã có bản scan',
  carriedOver: 'Có từ đợt giao trước',
  missing: 'Còn thiếu',
  accepted: 'Nhận mới',
  unchanged: 'Không đổi',
  replaced: 'Thay thế',
  rejected: 'Bị từ chối',
  duplicate: 'Trùng tên',
  orphan: 'Không khớp bản ghi',
};

/** Step Functions execution statuses. */
/** @type {Record<string, string>} */
export const executionStatusTitles = {
  RUNNING: 'Đang chạy',
  SUCCEEDED: 'Thành công',
  FAILED: 'Lỗi',
  TIMED_OUT: 'Quá thời gian',
  ABORTED: 'Đã dừng',
  PENDING_REDRIVE: 'Chờ chạy lại',
};

/** Upload kinds (shared/uploads/upload.ts `UploadKind`) and what each accepts. */
export const uploadKinds = {
  entry: { title: 'Tệp Excel nhập liệu', extensions: ['.xlsx'], accept: '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  scans: { title: 'Bản scan (.zip hoặc .pdf)', extensions: ['.zip', '.pdf'], accept: '.zip,.pdf,application/zip,application/pdf' },
};

/** Content type to declare for a file, from its extension (browsers leave `File.type` empty or vary). */
/** @type {Record<string, string>} */
export const contentTypes = {
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.zip': 'application/zip',
  '.pdf': 'application/pdf',
};

/** Audit actions, for the book's history. Unknown ones are shown by their code. */
/** @type {Record<string, string>} */
export const auditActionTitles = {
  'book.inventoried': 'Kiểm kê sổ',
  'stage.entered': 'Chuyển giai đoạn',
  'stage.stalled': 'Quá hạn giai đoạn',
  'workflow.failed': 'Lượt xử lý lỗi',
  'workflow.resumed': 'Chạy lại lượt xử lý',
  'upload.requested': 'Yêu cầu tải lên',
  'upload.received': 'Đã nhận tệp',
  'upload.completed': 'Ghép xong tệp nhiều phần',
  'entry.accepted': 'Tệp nhập liệu hợp lệ',
  'entry.rejected': 'Tệp nhập liệu có lỗi',
  'scan.complete': 'Đủ bản scan',
  'scan.incomplete': 'Đợt giao bản scan chưa đủ',
  'scan.rejected': 'Đợt giao bản scan bị từ chối',
  'scan.replaced': 'Thay bản scan',
  'review.claimed': 'Nhận sổ để kiểm tra',
  'review.released': 'Trả sổ đang kiểm tra',
  'record.reviewed': 'Đánh dấu bản ghi đúng',
  'record.corrected': 'Sửa bản ghi',
  'export.built': 'Lập gói dữ liệu xuất',
  'reconciliation.matched': 'Đối chiếu với CSDLQGVDC',
  'reconciliation.resolved': 'Xử lý kết quả đối chiếu',
  'reconciliation.idsAssigned': 'Ghi nhận số định danh cá nhân',
};

/**
 * @param {string} action
 * @returns {string}
 */
export function auditActionTitle(action) {
  if (auditActionTitles[action]) return auditActionTitles[action];
  if (action.startsWith('action.')) return actions[action.slice(7)]?.title ?? action;
  return action;
}
