/**
 * Code lists (danh mục) of the entry templates. Lists seen in the Ministry template (domain.md §3)
 * are copied as published; lists marked DECISION are ours until the Ministry's own are found, and
 * live here only, so replacing one touches nothing else.
 */
import type { CodeList } from './columns.js';

const list = (id: string, title: string, entries: [string, string][], aliases?: Record<string, string>): CodeList => ({
  id,
  title,
  entries: entries.map(([code, label]) => ({ code, label })),
  ...(aliases ? { aliases } : {}),
});

/** Birth registration kind (Ministry). */
export const loaiDangKyKS = list('loaiDangKyKS', 'Loại đăng ký khai sinh', [
  ['1', 'Đăng ký đúng hạn'],
  ['2', 'Đăng ký lại'],
  ['3', 'Ghi vào sổ việc khai sinh đã đăng ký ở nước ngoài'],
  ['4', 'Đăng ký quá hạn'],
  ['5', 'Cấp bản chính giấy khai sinh'],
  ['6', 'Không xác định'],
]);

/** Marriage registration kind (Ministry). */
export const loaiDangKyKH = list('loaiDangKyKH', 'Loại đăng ký kết hôn', [
  ['1', 'Đăng ký kết hôn'],
  ['2', 'Đăng ký lại kết hôn'],
]);

/** DECISION: death registration kind (the Ministry list was not found). */
export const loaiDangKyKT = list('loaiDangKyKT', 'Loại đăng ký khai tử', [
  ['1', 'Đăng ký khai tử'],
  ['2', 'Đăng ký lại khai tử'],
  ['3', 'Ghi vào sổ việc khai tử đã đăng ký ở nước ngoài'],
]);

/** DECISION: recognition of parent/child registration kind. */
export const loaiDangKyCMC = list('loaiDangKyCMC', 'Loại đăng ký nhận cha, mẹ, con', [
  ['1', 'Đăng ký nhận cha, mẹ, con'],
  ['2', 'Ghi vào sổ việc nhận cha, mẹ, con đã đăng ký ở nước ngoài'],
]);

/** DECISION: adoption registration kind. */
export const loaiDangKyNCN = list('loaiDangKyNCN', 'Loại đăng ký nuôi con nuôi', [
  ['1', 'Đăng ký nuôi con nuôi'],
  ['2', 'Đăng ký lại việc nuôi con nuôi'],
  ['3', 'Ghi vào sổ việc nuôi con nuôi đã đăng ký ở nước ngoài'],
]);

/** DECISION: guardianship registration kind. */
export const loaiDangKyGH = list('loaiDangKyGH', 'Loại đăng ký giám hộ', [
  ['1', 'Đăng ký giám hộ'],
  ['2', 'Đăng ký thay đổi giám hộ'],
  ['3', 'Đăng ký chấm dứt giám hộ'],
]);

/** DECISION: change / correction / ethnicity re-determination kind. */
export const loaiDangKyTDCC = list('loaiDangKyTDCC', 'Loại thay đổi, cải chính', [
  ['1', 'Thay đổi hộ tịch'],
  ['2', 'Cải chính hộ tịch'],
  ['3', 'Xác định lại dân tộc'],
  ['4', 'Bổ sung thông tin hộ tịch'],
]);

/** Sex (Ministry). */
export const gioiTinh = list(
  'GioiTinh',
  'Giới tính',
  [
    ['1', 'Nam'],
    ['2', 'Nữ'],
    ['3', 'Không xác định'],
  ],
  { nam: '1', nữ: '2', nu: '2' },
);

/** Identity-document type (Ministry). */
export const loaiGiayToTuyThan = list(
  'LoaiGiayToTuyThan',
  'Loại giấy tờ tùy thân',
  [
    ['1', 'Chứng minh nhân dân (CMND)'],
    ['2', 'Hộ chiếu'],
    ['3', 'Thẻ thường trú'],
    ['4', 'Căn cước công dân (CCCD)'],
    ['5', 'Chứng minh quân đội'],
    ['6', 'Chứng minh sĩ quan'],
    ['7', 'Chứng minh công an nhân dân'],
    ['8', 'Giấy tờ khác'],
  ],
  { cmnd: '1', 'hộ chiếu': '2', 'thẻ thường trú': '3', cccd: '4', 'căn cước công dân': '4', 'căn cước': '4' },
);

/** Birth type (Ministry). */
export const nksLoaiKhaiSinh = list('nksLoaiKhaiSinh', 'Loại khai sinh', [
  ['1', 'Xác định được cả cha và mẹ'],
  ['2', 'Chưa xác định được mẹ'],
  ['3', 'Chưa xác định được cha'],
  ['4', 'Chưa xác định được cả cha và mẹ'],
  ['5', 'Trẻ bị bỏ rơi'],
]);

/** Residence type (Ministry). */
export const loaiCuTru = list('LoaiCuTru', 'Loại cư trú', [
  ['0', 'Thường trú'],
  ['1', 'Tạm trú'],
  ['2', 'Khác'],
]);

/**
 * Death notice type, codes 0–7 as in the Ministry template. DECISION: the labels follow the kinds of
 * document that replace a death notice (Nghị định 123/2015, Điều 4); the Ministry's wording was not found.
 */
export const gbtLoai = list('gbtLoai', 'Loại giấy báo tử', [
  ['0', 'Không có giấy báo tử'],
  ['1', 'Giấy báo tử của cơ sở y tế'],
  ['2', 'Giấy xác nhận của Hội đồng thi hành án tử hình'],
  ['3', 'Bản án, quyết định tuyên bố một người đã chết của Tòa án'],
  ['4', 'Biên bản xác nhận việc chết (trên phương tiện giao thông)'],
  ['5', 'Giấy báo tử của cơ quan quân đội'],
  ['6', 'Giấy xác nhận của Công an xã'],
  ['7', 'Giấy tờ khác'],
]);

/** DECISION: kind of recognition (CMC `loaiXacNhan`). */
export const loaiXacNhan = list('loaiXacNhan', 'Loại xác nhận', [
  ['1', 'Nhận cha'],
  ['2', 'Nhận mẹ'],
  ['3', 'Nhận con'],
]);

/**
 * The 54 ethnic groups. DECISION: the cell holds the group's **name** (as the Ministry's documents
 * list them); the official number (01–54, TCTK order) is the label and is accepted on input, as are
 * spellings without diacritics, hyphens or spaces, and a few common variants (aliases).
 */
const ethnicNames = [
  'Kinh',
  'Tày',
  'Thái',
  'Hoa',
  'Khơ-me',
  'Mường',
  'Nùng',
  'Mông',
  'Dao',
  'Gia-rai',
  'Ngái',
  'Ê-đê',
  'Ba Na',
  'Xơ-đăng',
  'Sán Chay',
  'Cơ-ho',
  'Chăm',
  'Sán Dìu',
  'Hrê',
  'Mnông',
  'Ra-glai',
  'Xtiêng',
  'Bru-Vân Kiều',
  'Thổ',
  'Giáy',
  'Cơ-tu',
  'Gié-Triêng',
  'Mạ',
  'Khơ-mú',
  'Co',
  'Ta-ôi',
  'Chơ-ro',
  'Kháng',
  'Xinh-mun',
  'Hà Nhì',
  'Chu-ru',
  'Lào',
  'La Chí',
  'La Ha',
  'Phù Lá',
  'La Hủ',
  'Lự',
  'Lô Lô',
  'Chứt',
  'Mảng',
  'Pà Thẻn',
  'Cờ Lao',
  'Cống',
  'Bố Y',
  'Si La',
  'Pu Péo',
  'Brâu',
  'Ơ Đu',
  'Rơ-măm',
] as const;

export const danToc = list(
  'DanToc',
  'Dân tộc',
  ethnicNames.map((n, i) => [n, `Mã số ${String(i + 1).padStart(2, '0')}`]),
  {
    ...Object.fromEntries(ethnicNames.flatMap((n, i) => [[String(i + 1).padStart(2, '0'), n] as const, [String(i + 1), n] as const])),
    hmông: 'Mông',
    "h'mông": 'Mông',
    mèo: 'Mông',
    khmer: 'Khơ-me',
    việt: 'Kinh',
    'kinh (việt)': 'Kinh',
  },
);

/** Every list, for the instructions sheet and the DanhMuc sheet. */
export const codeLists: readonly CodeList[] = [
  loaiDangKyKS,
  loaiDangKyKH,
  loaiDangKyKT,
  loaiDangKyCMC,
  loaiDangKyNCN,
  loaiDangKyGH,
  loaiDangKyTDCC,
  gioiTinh,
  loaiGiayToTuyThan,
  nksLoaiKhaiSinh,
  loaiCuTru,
  gbtLoai,
  loaiXacNhan,
  danToc,
];

/** Lower-case, NFC, whitespace collapsed: how users' spellings are compared. */
export function looseKey(s: string): string {
  return s.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** `looseKey` without diacritics, đ, spaces, hyphens or apostrophes: "Ba-na" = "ba na" = "Bana". */
export function foldKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

interface CodeIndex {
  codes: Set<string>;
  byKey: Map<string, string>;
  byFold: Map<string, string>;
}
const indexes = new WeakMap<CodeList, CodeIndex>();

function indexOf(l: CodeList): CodeIndex {
  let ix = indexes.get(l);
  if (ix) return ix;
  const codes = new Set(l.entries.map((e) => e.code));
  const byKey = new Map<string, string>();
  for (const c of codes) byKey.set(looseKey(c), c);
  for (const [alias, code] of Object.entries(l.aliases ?? {})) byKey.set(looseKey(alias), code);
  // Folded spellings only where they stay unambiguous (a fold shared by two codes is dropped).
  const byFold = new Map<string, string>();
  const clash = new Set<string>();
  for (const [k, code] of byKey) {
    const f = foldKey(k);
    if (!f) continue;
    const seen = byFold.get(f);
    if (seen !== undefined && seen !== code) clash.add(f);
    else byFold.set(f, code);
  }
  for (const f of clash) byFold.delete(f);
  ix = { codes, byKey, byFold };
  indexes.set(l, ix);
  return ix;
}

/** Whether `value` is one of the list's codes, exactly. */
export function isCode(l: CodeList, value: string): boolean {
  return indexOf(l).codes.has(value);
}

/**
 * The list's code for what a user typed ("01" → "1" for numeric lists, "nam" → "1", "Ba-na" → "Ba Na"),
 * or `undefined` when nothing matches unambiguously.
 */
export function canonicalCode(l: CodeList, raw: string): string | undefined {
  const ix = indexOf(l);
  if (ix.codes.has(raw)) return raw;
  const key = looseKey(raw);
  const hit = ix.byKey.get(key);
  if (hit !== undefined) return hit;
  // Numeric codes typed with leading zeros or as "1.0" (a number cell formatted with decimals).
  if (/^\d+(\.0+)?$/.test(key)) {
    const n = String(Number.parseInt(key, 10));
    if (ix.codes.has(n)) return n;
  }
  return ix.byFold.get(foldKey(key));
}

/** "1–6" for contiguous numeric lists, else the codes joined. Used in messages. */
export function describeCodes(l: CodeList): string {
  const codes = l.entries.map((e) => e.code);
  const nums = codes.map(Number);
  const contiguous = nums.every((n, i) => Number.isInteger(n) && (i === 0 || n === nums[i - 1]! + 1));
  if (contiguous && codes.length > 2) return `${codes[0]}–${codes[codes.length - 1]}`;
  if (codes.length > 8) return `${codes.slice(0, 5).join(', ')}, … (${codes.length} giá trị, xem trang Hướng dẫn)`;
  return codes.join(', ');
}
