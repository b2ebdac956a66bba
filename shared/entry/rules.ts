/**
 * Every check of the Entry stage in one table: id, severity, Vietnamese message template. An id
 * starts with `E-` (error: the file is rejected) or `W-` (warning: reported, the file is accepted).
 * Placeholders `{name}` are filled by `issue()`; `{row}` is the row number as Excel shows it
 * (header = row 1) and `{column}` the Ministry column name.
 */
import { z } from 'zod';

export const Severity = z.enum(['error', 'warning']);
export type Severity = z.infer<typeof Severity>;

export const Issue = z.object({
  ruleId: z.string(),
  severity: Severity,
  row: z.number().int().positive().optional(),
  /** Ministry column name; absent for issues about the whole file or a column outside the template. */
  column: z.string().optional(),
  value: z.string().optional(),
  message: z.string(),
});
export type Issue = z.infer<typeof Issue>;

export type RuleScope = 'file' | 'row' | 'book';

interface RuleDef {
  severity: Severity;
  scope: RuleScope;
  /** Short Vietnamese title (documentation, "Mã lỗi" legend). */
  title: string;
  message: string;
}

const rule = (severity: Severity, scope: RuleScope, title: string, message: string): RuleDef => ({ severity, scope, title, message });

export const rules = {
  // --- sheet and header (found while reading) ---
  'E-HEADER-NOT-FOUND': rule(
    'error',
    'file',
    'Không có dòng tiêu đề theo mẫu',
    'Không tìm thấy dòng tiêu đề theo mẫu: dòng 1 của trang tính "{sheet}" phải là tên cột theo mẫu của Bộ Tư pháp (ví dụ so, quyenSo, ngayDangKy); đang có "{value}".',
  ),
  'E-EMPTY-WORKBOOK': rule('error', 'file', 'Tệp không có dữ liệu', 'Tệp không có trang tính nào có dữ liệu.'),
  'E-NO-DATA': rule('error', 'file', 'Chỉ có dòng tiêu đề', 'Trang tính "{sheet}" chỉ có dòng tiêu đề, không có dòng dữ liệu nào.'),
  'E-WRONG-TYPE': rule(
    'error',
    'file',
    'Sai loại sổ',
    'Tệp có các cột của sổ {detectedTitle} ({detected}), nhưng sổ này là sổ {expectedTitle} ({expected}). Hãy dùng mẫu {expected}.',
  ),
  'E-MISSING-COLUMN': rule('error', 'file', 'Thiếu cột', 'Thiếu cột {column} ({label}) ở dòng tiêu đề.'),
  'E-EXTRA-COLUMN': rule('error', 'file', 'Cột không thuộc mẫu', 'Cột {letter} có tiêu đề "{value}" không thuộc mẫu {expected}; hãy xóa cột hoặc sửa tiêu đề.'),
  'E-DUPLICATE-COLUMN': rule('error', 'file', 'Cột lặp lại', 'Cột {column} xuất hiện hai lần (cột {letter} và cột {firstLetter}).'),
  'W-UNMAPPED-COLUMN': rule(
    'warning',
    'file',
    'Cột không có trong bảng ánh xạ',
    'Cột {letter} "{value}" không có trong bảng ánh xạ {source}; dữ liệu cột này bị bỏ qua.',
  ),
  'E-UNNAMED-COLUMN': rule('error', 'file', 'Cột không có tiêu đề', 'Cột {letter} không có tiêu đề nhưng có dữ liệu (từ dòng {row}).'),
  'E-HIDDEN-DATA-SHEET': rule(
    'error',
    'file',
    'Trang tính ẩn có dữ liệu',
    'Trang tính ẩn "{sheet}" có dữ liệu theo mẫu. Dữ liệu trong trang ẩn không được đọc: hãy bỏ ẩn và chuyển vào trang dữ liệu chính, hoặc xóa trang đó.',
  ),
  'E-EXTRA-DATA-SHEET': rule(
    'error',
    'file',
    'Nhiều trang tính dữ liệu',
    'Ngoài trang "{dataSheet}", tệp còn trang tính "{sheet}" có dữ liệu theo mẫu. Mỗi tệp chỉ được có một trang dữ liệu.',
  ),
  'E-MERGED-CELL': rule('error', 'row', 'Ô bị gộp', 'Dòng {row}, cột {column}: ô bị gộp ({value}). Không gộp ô; hãy ghi đủ giá trị vào từng dòng.'),
  // --- cells (found while reading) ---
  'E-CONTROL-CHAR': rule(
    'error',
    'row',
    'Ký tự điều khiển',
    'Dòng {row}, cột {column}: có ký tự điều khiển không in được ({codes}); hãy xóa và nhập lại ô này.',
  ),
  'W-FORMULA': rule(
    'warning',
    'row',
    'Ô chứa công thức',
    'Dòng {row}, cột {column}: ô chứa công thức ({formula}); đã dùng giá trị đã tính "{value}". Nên thay công thức bằng giá trị.',
  ),
  'E-FORMULA-NO-RESULT': rule(
    'error',
    'row',
    'Công thức chưa có giá trị',
    'Dòng {row}, cột {column}: ô chứa công thức ({formula}) nhưng không có giá trị đã tính. Hãy mở tệp bằng Excel và lưu lại, hoặc thay công thức bằng giá trị.',
  ),
  'E-CELL-ERROR': rule('error', 'row', 'Ô có lỗi', 'Dòng {row}, cột {column}: ô có lỗi {value}.'),
  'W-ID-NUMERIC': rule(
    'warning',
    'row',
    'Số giấy tờ ở dạng số',
    'Dòng {row}, cột {column}: số "{value}" được lưu ở dạng số; nên định dạng ô là Văn bản (Text) để giữ số 0 ở đầu.',
  ),
  'W-DATE-NORMALISED': rule(
    'warning',
    'row',
    'Ngày đã chuyển định dạng',
    'Dòng {row}, cột {column}: "{value}" đã được chuyển thành {normalised} (dạng dd.mm.yyyy).',
  ),
  // --- row rules ---
  'E-REQUIRED': rule('error', 'row', 'Thiếu dữ liệu bắt buộc', 'Dòng {row}, cột {column} ({label}): không được để trống.'),
  'E-SO-FORMAT': rule('error', 'row', 'Số đăng ký sai dạng', 'Dòng {row}, cột so: "{value}" không đúng dạng n/yyyy (ví dụ 15/2008).'),
  'E-QUYENSO-FORMAT': rule('error', 'row', 'Quyển số sai dạng', 'Dòng {row}, cột quyenSo: "{value}" không đúng dạng n/yyyy (ví dụ 02/2018).'),
  'E-QUYENSO-MISMATCH': rule('error', 'row', 'Quyển số khác sổ', 'Dòng {row}, cột quyenSo: "{value}" khác quyển số của sổ ({expected}).'),
  'E-SO-YEAR': rule(
    'error',
    'row',
    'Năm của số đăng ký khác năm đăng ký',
    'Dòng {row}, cột so: năm trong số "{value}" khác năm đăng ký {year} (cột ngayDangKy).',
  ),
  'E-DATE-FORMAT': rule('error', 'row', 'Ngày sai dạng', 'Dòng {row}, cột {column} ({label}): "{value}" không đúng dạng {format}.'),
  'E-DATE-INVALID': rule('error', 'row', 'Ngày không có thật', 'Dòng {row}, cột {column}: ngày "{value}" không có thật.'),
  'E-DATE-FUTURE': rule('error', 'row', 'Ngày ở tương lai', 'Dòng {row}, cột {column}: ngày "{value}" ở tương lai.'),
  'E-DATE-YEAR': rule('error', 'row', 'Năm không hợp lý', 'Dòng {row}, cột {column}: năm {year} không hợp lý (phải từ {min} đến {max}).'),
  'E-CODE': rule('error', 'row', 'Mã không có trong danh mục', 'Dòng {row}, cột {column}: "{value}" không có trong danh mục {list} ({allowed}).'),
  'E-INTEGER': rule('error', 'row', 'Không phải số', 'Dòng {row}, cột {column} ({label}): "{value}" không phải số nguyên.'),
  'E-ID-FORMAT': rule('error', 'row', 'Số giấy tờ sai dạng', 'Dòng {row}, cột {column}: "{value}" không hợp lệ: {expectation}.'),
  'E-ID-LEADING-ZERO': rule(
    'error',
    'row',
    'Mất số 0 ở đầu',
    'Dòng {row}, cột {column}: ô ở dạng số nên đã mất số 0 ở đầu ("{value}", {length} chữ số; {expectation}). Hãy định dạng cột là Văn bản (Text) và nhập lại.',
  ),
  'E-FORMULA-TEXT': rule(
    'error',
    'row',
    'Văn bản có dạng công thức',
    'Dòng {row}, cột {column}: "{value}" bắt đầu như một công thức Excel (=, +, -, @); dữ liệu hộ tịch không được chứa công thức vì có thể bị thực thi khi mở tệp xuất ra. Hãy xóa ký tự đầu hoặc nhập lại đúng nội dung.',
  ),
  'E-CELL-TOO-LONG': rule('error', 'row', 'Ô quá dài', 'Dòng {row}, cột {column}: dài {length} ký tự, vượt giới hạn {limit} ký tự.'),
  'E-NAMMOSO-MISMATCH': rule('error', 'row', 'Năm mở sổ khác sổ', 'Dòng {row}, cột NamMoSo: {value} khác năm mở sổ ({expected}).'),
  // --- book rules ---
  'E-SO-DUPLICATE': rule('error', 'book', 'Trùng số đăng ký', 'Dòng {row}, cột so: số {value} trùng với dòng {firstRow}.'),
  'E-SO-GAP': rule('error', 'book', 'Thiếu số đăng ký', 'Năm {year}: thiếu số {missing} (giữa dòng {rowBefore} và dòng {rowAfter}).'),
  'E-COUNT-MISMATCH': rule(
    'error',
    'book',
    'Số dòng khác tổng khi khóa sổ',
    'Số dòng dữ liệu ({rows}) khác tổng số sự kiện ghi khi khóa sổ ({closingTotal}). Nếu có trang hỏng, mất, hãy ghi nhận thành khoảng trống có lý do.',
  ),
  'E-TOO-MANY-ROWS': rule(
    'error',
    'book',
    'Quá nhiều dòng',
    'Tệp có hơn {limit} dòng dữ liệu; đã dừng đọc ở dòng {row}. Hãy kiểm tra các dòng thừa hoặc tách tệp.',
  ),
} as const satisfies Record<string, RuleDef>;

export type RuleId = keyof typeof rules;

/** Fills `{name}` placeholders; a missing parameter is left visible rather than silently emptied. */
export function render(template: string, params: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = params[k];
    return v === undefined ? m : String(v);
  });
}

/**
 * Builds an issue: `row`, `column` and `value` are both fields and message parameters; anything else
 * the template needs goes in `params`.
 */
export function issue(
  ruleId: RuleId,
  at: { row?: number; column?: string; value?: string } = {},
  params: Record<string, string | number | undefined> = {},
): Issue {
  const r = rules[ruleId];
  const out: Issue = { ruleId, severity: r.severity, message: render(r.message, { ...params, ...at }) };
  if (at.row !== undefined) out.row = at.row;
  if (at.column !== undefined) out.column = at.column;
  if (at.value !== undefined) out.value = at.value;
  return out;
}
