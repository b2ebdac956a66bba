/**
 * Adoption register (nuôi con nuôi). The Ministry's list was not found: DECISION, our shape —
 * register block + subject (the adopted child, `cn…`) + counterpart (the adoptive parent, `nnn…`)
 * + basis document (`canCu…`). See docs/entry-template.md.
 */

import { loaiDangKyNCN } from '../codes.js';
import type { TemplateDef } from '../columns.js';
import { basisBlock, personBlock, registerBlock, technicalColumns } from './blocks.js';

export const ncnTemplate: TemplateDef = {
  registerType: 'NCN',
  source: 'ours',
  columns: [
    ...registerBlock(loaiDangKyNCN),
    ...personBlock('cn', 'con nuôi', ['HoTen', 'GioiTinh', 'NgaySinh', 'DanToc', 'QuocTich', 'NoiCuTru', 'LoaiGiayToTuyThan', 'SoGiayToTuyThan'], ['HoTen']),
    ...personBlock(
      'nnn',
      'người nhận nuôi',
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
    ...basisBlock('văn bản làm căn cứ (ý kiến đồng ý, quyết định)'),
    ...technicalColumns(),
  ],
};
