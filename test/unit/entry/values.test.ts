import { describe, expect, it } from 'vitest';
import { ZipSniffer } from '../../../shared/entry/file-check.js';
import { columnLetter, headerKeyCandidates } from '../../../shared/entry/header-key.js';
import { checkDate, cleanText, decodeOoxmlEscapes, encodeOoxmlEscapes, normaliseDateText, parseSoDangKy, todayKey } from '../../../shared/entry/values.js';
import { rng, storedZip } from './entry-fixtures.js';

describe('cell text', () => {
  it('is NFC, trimmed, single-spaced, without invisible characters; controls are removed and reported', () => {
    expect(cleanText('  Nguye\u0302\u0303n   Va\u0306n\u00A0A  ')).toEqual({ text: 'Nguyễn Văn A', controls: [] });
    expect(cleanText('a\u200Bb\uFEFF')).toEqual({ text: 'ab', controls: [] });
    expect(cleanText('Lê_x0007_ Thị\u0001')).toEqual({ text: 'Lê Thị', controls: ['U+0007', 'U+0001'] });
    expect(cleanText('Họ\r\ntên')).toEqual({ text: 'Họ tên', controls: [] });
    expect(cleanText('Dòng 1 \r\n  Dòng 2', true)).toEqual({ text: 'Dòng 1\nDòng 2', controls: [] });
    expect(cleanText('   ')).toEqual({ text: null, controls: [] });
  });

  it('OOXML escapes round-trip, including a literal escape sequence', () => {
    for (const s of ['_x0041_', 'a_x005F_b', 'plain', '_x00']) expect(decodeOoxmlEscapes(encodeOoxmlEscapes(s))).toBe(s);
    expect(decodeOoxmlEscapes('_x000D__x000A_')).toBe('\r\n');
  });

  it('dates: d.m.yyyy is the Ministry form; other separators are normalised and reported', () => {
    expect(normaliseDateText('5.3.2008')).toEqual({ value: '05.03.2008', changed: false });
    expect(normaliseDateText('05/03/2008')).toEqual({ value: '05.03.2008', changed: true });
    expect(normaliseDateText('2008-03-05')).toEqual({ value: '05.03.2008', changed: true });
    expect(normaliseDateText('03/05/2008', 'mm/dd/yyyy')).toEqual({ value: '05.03.2008', changed: false });
    expect(normaliseDateText('năm 2008')).toEqual({ value: 'năm 2008', changed: false });
    expect(checkDate('29.02.2008', false)).toMatchObject({ ok: true, key: 20080229 });
    expect(checkDate('29.02.2007', false)).toEqual({ ok: false, problem: 'invalid' });
    expect(checkDate('31.04.2008', false)).toEqual({ ok: false, problem: 'invalid' });
    expect(checkDate('2008', false)).toEqual({ ok: false, problem: 'format' });
    expect(checkDate('2008', true)).toMatchObject({ ok: true, yearOnly: true });
    expect(parseSoDangKy('015/2008')).toEqual({ n: 15, year: 2008 });
    expect(parseSoDangKy('15/08')).toBeUndefined();
    // 20:00 UTC on 31 Dec is already 1 January in Vietnam.
    expect(todayKey(new Date('2024-12-31T20:00:00Z'))).toBe(20250101);
  });

  it('header keys tolerate hints, spaces, case, line breaks and required markers', () => {
    expect(headerKeyCandidates('loaiDangKy i=[1,2,3,4,5,6]')).toContain('loaidangky');
    expect(headerKeyCandidates(' nks HoTen ')).toContain('nkshoten');
    expect(headerKeyCandidates('nksHoTen\n(Họ tên)')).toContain('nkshoten');
    expect(headerKeyCandidates('so (*)')).toContain('so');
    expect(headerKeyCandidates('SO*')[0]).toBe('so');
    expect([1, 26, 27, 70, 703].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'BR', 'AAA']);
  });
});

describe('the zip sniffer', () => {
  it('finds part names and the end record whatever the chunking', () => {
    const zip = storedZip([
      { name: 'xl/workbook.xml', data: '<workbook/>' },
      { name: 'xl/vbaProject.bin', data: Buffer.alloc(300, 1) },
    ]);
    const r = rng(9);
    for (let round = 0; round < 50; round++) {
      const s = new ZipSniffer();
      for (let i = 0; i < zip.length; ) {
        const n = 1 + Math.floor(r() * 40);
        s.observe(zip.subarray(i, i + n));
        i += n;
      }
      expect([s.sawWorkbook, s.kind, s.complete]).toEqual([true, 'MACRO_ENABLED', true]);
    }
    const cut = new ZipSniffer();
    cut.observe(zip.subarray(0, zip.length - 5));
    expect(cut.complete).toBe(false);
  });
});
