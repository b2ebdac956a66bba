/** Marriage register (kết hôn): register block + husband (`chong…`) and wife (`vo…`) blocks (domain.md §5). */

import { loaiDangKyKH } from '../codes.js';
import type { TemplateDef } from '../columns.js';
import { type PersonField, personBlock, registerBlock, technicalColumns } from './blocks.js';

const spouse: PersonField[] = [
  'HoTen',
  'NgaySinh',
  'DanToc',
  'QuocTich',
  'LoaiCuTru',
  'NoiCuTru',
  'LoaiGiayToTuyThan',
  'SoGiayToTuyThan',
  'NgayCapGiayToTuyThan',
  'NoiCapGiayToTuyThan',
];

export const khTemplate: TemplateDef = {
  registerType: 'KH',
  source: 'ministry',
  columns: [
    ...registerBlock(loaiDangKyKH),
    ...personBlock('chong', 'chồng', spouse, ['HoTen']),
    ...personBlock('vo', 'vợ', spouse, ['HoTen']),
    ...technicalColumns(),
  ],
};
