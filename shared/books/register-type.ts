import { z } from 'zod';

/** Register types (one book holds one type of event). Priority order for entry: KS, KH, NCN, KT, rest. */
export const RegisterType = z.enum(['KS', 'KH', 'KT', 'CMC', 'NCN', 'GH', 'TDCC']);
export type RegisterType = z.infer<typeof RegisterType>;

export const registerTypeTitles: Record<RegisterType, string> = {
  KS: 'Khai sinh',
  KH: 'Kết hôn',
  KT: 'Khai tử',
  CMC: 'Nhận cha, mẹ, con',
  NCN: 'Nuôi con nuôi',
  GH: 'Giám hộ',
  TDCC: 'Thay đổi, cải chính, xác định lại dân tộc',
};
