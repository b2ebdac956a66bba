/**
 * Guardianship register (giám hộ). The Ministry's list was not found: DECISION, our shape —
 * register block + subject (the ward, `ndgh…`) + counterpart (the guardian, `ngh…`) + basis document.
 */

import { loaiDangKyGH } from '../codes.js';
import type { TemplateDef } from '../columns.js';
import { basisBlock, personBlock, registerBlock, technicalColumns } from './blocks.js';

export const ghTemplate: TemplateDef = {
  registerType: 'GH',
  source: 'ours',
  columns: [
    ...registerBlock(loaiDangKyGH),
    ...personBlock(
      'ndgh',
      'người được giám hộ',
      ['HoTen', 'GioiTinh', 'NgaySinh', 'DanToc', 'QuocTich', 'NoiCuTru', 'LoaiGiayToTuyThan', 'SoGiayToTuyThan'],
      ['HoTen'],
    ),
    ...personBlock(
      'ngh',
      'người giám hộ',
      [
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
      ],
      ['HoTen'],
    ),
    ...basisBlock('văn bản làm căn cứ (văn bản cử, thỏa thuận giám hộ)'),
    ...technicalColumns(),
  ],
};
