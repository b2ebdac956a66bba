/** Death register (khai tử): register block + deceased (`nkt…`) + death notice (`gbt…`) + declarant (`nyc…`) (domain.md §5). */

import { gbtLoai, loaiDangKyKT } from '../codes.js';
import type { TemplateDef } from '../columns.js';
import { col, personBlock, registerBlock, technicalColumns } from './blocks.js';

export const ktTemplate: TemplateDef = {
  registerType: 'KT',
  source: 'ministry',
  columns: [
    ...registerBlock(loaiDangKyKT),
    ...personBlock(
      'nkt',
      'người chết',
      [
        'HoTen',
        'GioiTinh',
        'NgaySinh',
        'DanToc',
        'QuocTich',
        'LoaiCuTru',
        'NoiCuTru',
        'LoaiGiayToTuyThan',
        'SoGiayToTuyThan',
        'NgayCapGiayToTuyThan',
        'NoiCapGiayToTuyThan',
        'NgayChet',
        'GioPhutChet',
        'NoiChet',
        'NguyenNhanChet',
      ],
      ['HoTen'],
    ),
    col('gbtLoai', 'Loại giấy báo tử', 'code', { codes: gbtLoai }),
    col('gbtSo', 'Số giấy báo tử', 'text', { maxLength: 100 }),
    col('gbtNgay', 'Ngày cấp giấy báo tử (dd.mm.yyyy)', 'date'),
    col('gbtCoQuanCap', 'Cơ quan cấp giấy báo tử', 'text'),
    ...personBlock('nyc', 'người đi khai tử', ['HoTen', 'QuanHe', 'LoaiGiayToTuyThan', 'SoGiayToTuyThan', 'NgayCapGiayToTuyThan', 'NoiCapGiayToTuyThan']),
    ...technicalColumns(),
  ],
};
