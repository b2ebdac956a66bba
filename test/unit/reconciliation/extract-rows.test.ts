import { describe, expect, it } from 'vitest';
import { parseExtractRows } from '../../../shared/reconciliation/extract.js';

const header = ['SoDinhDanh', 'HoTen', 'GioiTinh', 'NamSinhCha'];
const VIETNAMESE = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/i;

describe('police extract rows', () => {
  it('every issue names its row and column, in Vietnamese', () => {
    const { entries, issues } = parseExtractRows([header, ['001200000001', 'Lê Thị B', '9', 'abc'], ['12345', '', '1', '1700'], ['001200000003', 'Trần Văn C', '1', '']]);
    expect(entries).toEqual([]);
    expect(issues.map((i) => `${i.row}:${i.column}`)).toEqual(['2:sex', '2:fatherBirthYear', '3:idNumber', '3:fullName', '3:fatherBirthYear']);
    for (const i of issues) expect(i.message, i.message).toMatch(VIETNAMESE);
  });

  it('control or bidirectional characters and formula-like text are refused; list-style text is not formula-like', () => {
    const { issues } = parseExtractRows([header, ['001200000001', '=HYPERLINK("http://x","y")', '1', ''], ['001200000002', 'Lê \u202EB', '2', ''], ['001200000003', 'Lê Thị\u0007 B', '2', ''], ['001200000004', 'Lê - Thị (B)', '2', '']]);
    expect(issues.map((i) => `${i.row}:${i.column}:${i.message.split(" ").slice(0, 3).join(" ")}`)).toEqual(['2:fullName:Giá trị bắt', '3:fullName:Có ký tự', '4:fullName:Có ký tự']);
  });
});
