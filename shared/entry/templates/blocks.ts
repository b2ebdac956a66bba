/**
 * Building blocks shared by the templates: the register block every book has, person blocks
 * (a prefix such as `chong`, `nkt`, `nyc` + field suffixes), the basis-document block of our own
 * templates, and the contractor technical columns.
 */

import { danToc, gioiTinh, loaiCuTru, loaiGiayToTuyThan } from '../codes.js';
import type { CodeList, ColumnDef, ColumnType } from '../columns.js';

/** Typical limits: long enough for real entries, short enough to catch a pasted paragraph. */
export const LEN = { name: 150, place: 500, text: 300, remark: 2000, id: 20, short: 50 } as const;

interface ColOpts {
  required?: boolean;
  maxLength?: number;
  codes?: CodeList;
  multiline?: boolean;
}

/** One column. `idNumber` columns get their kind from the name (see `idKindOf`). */
export function col(name: string, label: string, type: ColumnType, o: ColOpts = {}): ColumnDef {
  const def: ColumnDef = { name, label, type, required: o.required ?? false };
  if (o.codes) def.codes = o.codes;
  const maxLength = o.maxLength ?? defaultMaxLength(type);
  if (maxLength !== undefined) def.maxLength = maxLength;
  if (o.multiline) def.multiline = true;
  if (type === 'idNumber') {
    const kind = idKindOf(name);
    def.idKind = kind.idKind;
    if (kind.docTypeColumn) def.docTypeColumn = kind.docTypeColumn;
  }
  return def;
}

function defaultMaxLength(type: ColumnType): number | undefined {
  switch (type) {
    case 'text':
      return LEN.text;
    case 'idNumber':
      return LEN.id;
    case 'integer':
    case 'soDangKy':
    case 'date':
    case 'dateOrYear':
      return LEN.short;
    default:
      return undefined;
  }
}

/** `…SoDinhDanh…` is a 12-digit personal ID; `xSoGiayToTuyThan` is checked against `xLoaiGiayToTuyThan`. */
function idKindOf(name: string): Pick<ColumnDef, 'idKind' | 'docTypeColumn'> {
  if (/SoDinhDanh/.test(name)) return { idKind: 'personalId' };
  if (name.endsWith('SoGiayToTuyThan')) return { idKind: 'document', docTypeColumn: name.replace(/SoGiayToTuyThan$/, 'LoaiGiayToTuyThan') };
  return { idKind: 'other' };
}

/** The register block, in the Ministry's order: so … ghiChu. */
export function registerBlock(loaiDangKy: CodeList): ColumnDef[] {
  return [
    col('so', 'Số đăng ký (n/yyyy)', 'soDangKy', { required: true }),
    col('quyenSo', 'Quyển số (n/yyyy)', 'soDangKy', { required: true }),
    col('trangSo', 'Trang số', 'integer'),
    col('ngayDangKy', 'Ngày đăng ký (dd.mm.yyyy)', 'date', { required: true }),
    col('loaiDangKy', 'Loại đăng ký', 'code', { codes: loaiDangKy }),
    col('noiDangKy', 'Nơi đăng ký', 'text', { maxLength: LEN.place }),
    col('nguoiKy', 'Người ký', 'text', { maxLength: LEN.name }),
    col('chucVuNguoiKy', 'Chức vụ người ký', 'text'),
    col('nguoiThucHien', 'Người thực hiện', 'text', { maxLength: LEN.name }),
    col('ghiChu', 'Ghi chú (ghi chú thay đổi, cải chính…)', 'text', { maxLength: LEN.remark, multiline: true }),
  ];
}

type FieldSpec = [label: string, type: ColumnType, opts?: ColOpts];

/** Person-block suffixes as they appear in the Ministry template, with their label and type. */
export const personFields = {
  HoTen: ['Họ, chữ đệm và tên', 'text', { maxLength: LEN.name }],
  GioiTinh: ['Giới tính', 'code', { codes: gioiTinh }],
  NgaySinh: ['Ngày sinh (dd.mm.yyyy hoặc yyyy)', 'dateOrYear'],
  DanToc: ['Dân tộc', 'code', { codes: danToc }],
  QuocTich: ['Quốc tịch', 'text', { maxLength: 100 }],
  QueQuan: ['Quê quán', 'text', { maxLength: LEN.place }],
  LoaiCuTru: ['Loại cư trú', 'code', { codes: loaiCuTru }],
  NoiCuTru: ['Nơi cư trú', 'text', { maxLength: LEN.place }],
  LoaiGiayToTuyThan: ['Loại giấy tờ tùy thân', 'code', { codes: loaiGiayToTuyThan }],
  SoGiayToTuyThan: ['Số giấy tờ tùy thân', 'idNumber'],
  NgayCapGiayToTuyThan: ['Ngày cấp giấy tờ tùy thân (dd.mm.yyyy)', 'date'],
  NoiCapGiayToTuyThan: ['Nơi cấp giấy tờ tùy thân', 'text'],
  NgayChet: ['Ngày chết (dd.mm.yyyy hoặc yyyy)', 'dateOrYear'],
  GioPhutChet: ['Giờ, phút chết', 'text', { maxLength: LEN.short }],
  NoiChet: ['Nơi chết', 'text', { maxLength: LEN.place }],
  NguyenNhanChet: ['Nguyên nhân chết', 'text', { maxLength: LEN.place }],
  QuanHe: ['Quan hệ với người được đăng ký', 'text', { maxLength: 100 }],
  QHNguoiDuocNhan: ['Quan hệ với người được nhận', 'text', { maxLength: 100 }],
} satisfies Record<string, FieldSpec>;
export type PersonField = keyof typeof personFields;

/** A person block: `prefix + suffix` for each suffix, labelled "<field> (<role>)". */
export function personBlock(prefix: string, role: string, fields: readonly PersonField[], required: readonly PersonField[] = []): ColumnDef[] {
  return fields.map((f) => {
    const [label, type, opts] = personFields[f] as FieldSpec;
    return col(`${prefix}${f}`, `${label} (${role})`, type, { ...opts, required: required.includes(f) });
  });
}

/** The document a registration is based on (our templates): number, date, issuing body. */
export function basisBlock(what: string): ColumnDef[] {
  return [
    col('canCuSo', `Số ${what}`, 'text', { maxLength: 100 }),
    col('canCuNgay', `Ngày ${what} (dd.mm.yyyy)`, 'date'),
    col('canCuCoQuan', `Cơ quan ban hành ${what}`, 'text'),
  ];
}

/** Contractor columns, accepted at the end of every template, never required to be present. */
export function technicalColumns(): ColumnDef[] {
  return [
    { ...col('TenFile', 'Tên tệp PDF bản quét của sự kiện (kỹ thuật)', 'text', { maxLength: 255 }), technical: true },
    { ...col('NamMoSo', 'Năm mở sổ (kỹ thuật)', 'integer'), technical: true },
  ];
}
