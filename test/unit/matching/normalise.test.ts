import { describe, expect, it } from 'vitest';
import { analyseName, analyseWord, cleanName, foldDiacritics, nameKey, slipKey, splitName } from '../../../shared/matching/normalise.js';

describe('Vietnamese name normalisation', () => {
  it('one key for a name however it is typed: case, spacing, NFC or NFD, with or without diacritics, đ as d', () => {
    const key = nameKey('Nguyễn Thị Thu Hà');
    expect(key).toBe('nguyen thi thu ha');
    for (const variant of ['NGUYỄN  THỊ THU HÀ', ' nguyen thi thu ha ', 'Nguyễn Thị Thu Hà'.normalize('NFD'), 'Nguyeenx Thij Thu Haf']) {
      expect(nameKey(variant)).toBe(key);
    }
    expect(nameKey('Đặng Văn Đức')).toBe(nameKey('Dang Van Duc'));
    expect(foldDiacritics('Đỗ Thị Ánh')).toBe('do thi anh');
  });

  it('old and new tone placement are the same word; final i/y after a consonant share a key but not an exact form', () => {
    expect(analyseWord('Hoà').exact).toBe(analyseWord('Hòa').exact);
    expect(analyseWord('Thuỷ').exact).toBe(analyseWord('Thủy').exact);
    expect(analyseWord('Mỹ').folded).toBe(analyseWord('Mĩ').folded);
    expect(analyseWord('Mỹ').exact).not.toBe(analyseWord('Mĩ').exact);
    // After a vowel the final y is not interchangeable: Tay and Tai are two words.
    expect(analyseWord('Tay').folded).not.toBe(analyseWord('Tai').folded);
  });

  it('decodes Telex and VNI typed with the Vietnamese keyboard off, and leaves real words alone', () => {
    expect(analyseWord('Nguyeenx')).toMatchObject({ folded: 'nguyen', base: 'nguyên', tone: 4, decoded: true });
    expect(analyseWord('Nguyeexn').exact).toBe(analyseWord('Nguyễn').exact);
    expect(analyseWord('dduwcs').exact).toBe(analyseWord('Đức').exact);
    expect(analyseWord('Traanf').exact).toBe(analyseWord('Trần').exact);
    expect(analyseWord('nguye6n4').exact).toBe(analyseWord('Nguyễn').exact);
    for (const real of ['Xuan', 'Hoang', 'Thanh', 'Long', 'Nguyen']) expect(analyseWord(real).decoded).toBe(false);
  });

  it('marks whether a word carried any mark, so "typed without diacritics" can be told from "other marks"', () => {
    expect(analyseWord('Ha').marked).toBe(false);
    expect(analyseWord('Hà').marked).toBe(true);
    expect(analyseWord('Đan').marked).toBe(true);
    expect(analyseName('Nguyen Thi Ha').unmarked).toBe(true);
    expect(analyseName('Nguyễn Thi Hà').unmarked).toBe(false);
  });

  it('splits surname / middle name(s) / given name, keeping compound surnames together', () => {
    expect(splitName('Nguyễn Thị Thu Hà')).toEqual({ surname: 'Nguyễn', middle: 'Thị Thu', given: 'Hà' });
    expect(splitName('Trần Văn Hùng')).toEqual({ surname: 'Trần', middle: 'Văn', given: 'Hùng' });
    expect(splitName('Tôn Thất Thuyết')).toEqual({ surname: 'Tôn Thất', middle: '', given: 'Thuyết' });
    expect(splitName('Lê Lợi')).toEqual({ surname: 'Lê', middle: '', given: 'Lợi' });
    expect(splitName('Pảo')).toEqual({ surname: '', middle: '', given: 'Pảo' });
    expect(analyseName('Nguyen Thi Thu Ha')).toMatchObject({ surname: 'nguyen', middle: 'thi thu', given: 'ha' });
  });

  it('cleans punctuation, control characters and hyphens without losing letters', () => {
    expect(cleanName("  H'Hen\tNiê ")).toBe('HHen Niê');
    expect(cleanName('Nguyễn-Văn  A.')).toBe('Nguyễn Văn A');
  });

  it('collapses known spelling slips only in the slip key', () => {
    expect(slipKey('thanh')).toBe(slipKey('thang'));
    expect(slipKey('giang')).toBe(slipKey('dang'));
    expect(slipKey('trung')).toBe(slipKey('chung'));
    expect(slipKey('hung')).not.toBe(slipKey('hai'));
  });
});
