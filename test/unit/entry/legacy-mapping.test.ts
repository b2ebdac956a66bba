import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseLegacyMapping } from '../../../shared/entry/legacy/mapping.js';
import { readEntryRows } from '../../../shared/entry/reader.js';
import { InvalidInput } from '../../../shared/errors.js';
import { bookFor, type CellValue, cleanBook, excelLikeWorkbook, readAll, triples, validateBuffer } from './entry-fixtures.js';

const example = JSON.parse(readFileSync(new URL('../../../shared/entry/legacy/misa-ks.example.json', import.meta.url), 'utf8'));

/** Ministry value → how the legacy tool wrote it (dates dd/mm/yyyy). */
const legacyDate = (v: string | null) => (v && /^\d{2}\.\d{2}\.\d{4}$/.test(v) ? v.replace(/\./g, '/') : v);

describe('legacy (MISA-era) exports through a column mapping', () => {
  it('the example mapping is valid', () => {
    const m = parseLegacyMapping(example);
    expect(m.source).toBe('MISA');
    expect(m.registerType).toBe('KS');
    expect(m.columns['Số đăng ký']).toBe('so');
    expect(m.dateFormat).toBe('dd/mm/yyyy');
  });

  it('a wrong mapping is refused with every problem listed', () => {
    try {
      parseLegacyMapping({ source: 'MISA', registerType: 'KS', columns: { 'Số ĐK': 'so', 'Số đăng ký': 'so', 'Tên ': 'hoTenCon', tên: 'quyenSo' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInput);
      const messages = ((err as InvalidInput).details!.issues as { message: string }[]).map((i) => i.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          'cột so đã được ánh xạ từ "Số ĐK"',
          '"hoTenCon" không phải cột của mẫu KS',
          'tiêu đề trùng với "Tên"',
          'thiếu ánh xạ cho cột bắt buộc ngayDangKy',
          'thiếu ánh xạ cho cột bắt buộc nksHoTen',
        ]),
      );
    }
  });

  it('a legacy file is read and validated like a Ministry one', async () => {
    const mapping = parseLegacyMapping(example);
    const legacyHeaders = Object.keys(mapping.columns);
    const records = cleanBook('KS', { rows: 40, seed: 5 });
    // Real exports: NFD text from a Mac, a trailing space, and a column nobody mapped.
    const header: CellValue[] = [...legacyHeaders.map((h, i) => (i === 1 ? `${h} ` : i === 11 ? h.normalize('NFD') : h)), 'Mã hồ sơ'];
    const rows: CellValue[][] = [header, ...records.map((r, k) => [...legacyHeaders.map((h) => legacyDate(r[mapping.columns[h]!] ?? null)), `HS-${k}`])];
    const buf = await excelLikeWorkbook([{ name: 'Danh sach khai sinh', rows }]);

    const { rows: read, source } = await readAll(buf, { registerType: 'KS', mapping });
    expect(source.header?.mode).toBe('legacy');
    expect(read).toHaveLength(40);
    const mapped = new Set(Object.values(mapping.columns));
    for (const [k, r] of read.entries()) {
      for (const [name, v] of Object.entries(r.values)) expect(v, name).toBe(mapped.has(name) ? (records[k]![name] ?? null) : null);
      expect(r.cellIssues).toEqual([]);
    }
    const { issues } = await validateBuffer(buf, bookFor('KS', 40), {}, mapping);
    expect(triples(issues)).toEqual([['W-UNMAPPED-COLUMN', 1, null]]);
    expect(issues[0]!.message).toBe('Cột AG "Mã hồ sơ" không có trong bảng ánh xạ MISA; dữ liệu cột này bị bỏ qua.');

    // Without the mapping the file is not recognised as an entry file.
    const plain = await validateBuffer(buf, bookFor('KS', 40));
    expect(triples(plain.issues)).toEqual([['E-HEADER-NOT-FOUND', null, null]]);
  });

  it('a mapping for another register type is a caller error', () => {
    const mapping = parseLegacyMapping(example);
    expect(() => readEntryRows(Readable.from([]), { registerType: 'KH', mapping })).toThrow(/legacy mapping is for KS/);
  });
});
