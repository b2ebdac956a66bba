/**
 * Recognition of parent/child register (nhận cha, mẹ, con): register block + `quyetDinhSo, loaiXacNhan`
 * + parent (`cm…`) and child (`nc…`) blocks + declarant (`nyc…`) (domain.md §5). The declarant block
 * is published as "HoTen, QHNguoiDuocNhan, …": the rest follows the death register's declarant block.
 */

import { loaiDangKyCMC, loaiXacNhan } from '../codes.js';
import type { TemplateDef } from '../columns.js';
import { col, type PersonField, personBlock, registerBlock, technicalColumns } from './blocks.js';

const party: PersonField[] = [
  'HoTen',
  'NgaySinh',
  'DanToc',
  'QuocTich',
  'QueQuan',
  'LoaiCuTru',
  'NoiCuTru',
  'LoaiGiayToTuyThan',
  'SoGiayToTuyThan',
  'NgayCapGiayToTuyThan',
  'NoiCapGiayToTuyThan',
];

export const cmcTemplate: TemplateDef = {
  registerType: 'CMC',
  source: 'ministry',
  columns: [
    ...registerBlock(loaiDangKyCMC),
    col('quyetDinhSo', 'Số quyết định', 'text', { maxLength: 100 }),
    col('loaiXacNhan', 'Loại xác nhận', 'code', { codes: loaiXacNhan }),
    ...personBlock('cm', 'cha, mẹ', party, ['HoTen']),
    ...personBlock('nc', 'người con', party, ['HoTen']),
    ...personBlock('nyc', 'người yêu cầu', ['HoTen', 'QHNguoiDuocNhan', 'LoaiGiayToTuyThan', 'SoGiayToTuyThan', 'NgayCapGiayToTuyThan', 'NoiCapGiayToTuyThan']),
    ...technicalColumns(),
  ],
};
