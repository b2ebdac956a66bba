/**
 * Change / correction / ethnicity re-determination register (thay đổi, cải chính, xác định lại dân tộc).
 * The Ministry's list was not found: DECISION, our shape — register block + subject (the person whose
 * record changes, `ndk…`) + counterpart (the requester, `nyc…`) + what changed + basis document.
 */

import { loaiDangKyTDCC } from '../codes.js';
import type { TemplateDef } from '../columns.js';
import { basisBlock, col, LEN, personBlock, registerBlock, technicalColumns } from './blocks.js';

export const tdccTemplate: TemplateDef = {
  registerType: 'TDCC',
  source: 'ours',
  columns: [
    ...registerBlock(loaiDangKyTDCC),
    ...personBlock(
      'ndk',
      'người được thay đổi, cải chính',
      ['HoTen', 'GioiTinh', 'NgaySinh', 'DanToc', 'QuocTich', 'NoiCuTru', 'LoaiGiayToTuyThan', 'SoGiayToTuyThan'],
      ['HoTen'],
    ),
    ...personBlock('nyc', 'người yêu cầu', ['HoTen', 'QuanHe', 'LoaiGiayToTuyThan', 'SoGiayToTuyThan', 'NgayCapGiayToTuyThan', 'NoiCapGiayToTuyThan']),
    col('noiDungTruoc', 'Nội dung trước khi thay đổi, cải chính', 'text', { maxLength: LEN.remark, multiline: true }),
    col('noiDungSau', 'Nội dung sau khi thay đổi, cải chính', 'text', { maxLength: LEN.remark, multiline: true }),
    col('lyDo', 'Lý do', 'text', { maxLength: LEN.place }),
    ...basisBlock('giấy tờ làm căn cứ'),
    ...technicalColumns(),
  ],
};
