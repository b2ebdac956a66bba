import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../shared/errors.js';
import {
  compareCards,
  compareDates,
  compareNameStrings,
  compareSex,
  compareYears,
  formatPartialDate,
  jaro,
  jaroWinkler,
  parsePartialDate,
  withinOneEdit,
} from '../../../shared/matching/compare.js';

const level = (a: string, b: string) => compareNameStrings(a, b).level;
const date = (a: string, b: string) => compareDates(parsePartialDate(a), parsePartialDate(b));

describe('Jaro–Winkler', () => {
  it('gives the published values (Winkler 1990 examples)', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 4);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.8133, 4);
    expect(jaro('MARTHA', 'MARHTA')).toBeCloseTo(0.9444, 4);
  });

  it('is 1 for equal strings, 0 for nothing in common or an empty side, and symmetric', () => {
    expect(jaroWinkler('hung', 'hung')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
    expect(jaroWinkler('nguyen', 'ngyuen')).toBeCloseTo(jaroWinkler('ngyuen', 'nguyen'), 10);
  });

  it('withinOneEdit: substitution, insertion, deletion, adjacent transposition; not two edits', () => {
    expect(withinOneEdit('hung', 'hunh')).toBe(true);
    expect(withinOneEdit('hung', 'hug')).toBe(true);
    expect(withinOneEdit('hung', 'hungg')).toBe(true);
    expect(withinOneEdit('hung', 'hung')).toBe(true);
    expect(withinOneEdit('hung', 'uhng')).toBe(true);
    expect(withinOneEdit('hung', 'hnug')).toBe(true);
    expect(withinOneEdit('hung', 'hai')).toBe(false);
    expect(withinOneEdit('hung', 'gnuh')).toBe(false);
  });
});

describe('name agreement levels', () => {
  it('exact ignores case, spacing, Unicode form and tone placement', () => {
    expect(level('Nguyễn Thị Thu Hà', 'NGUYỄN  THỊ THU HÀ')).toBe('exact');
    expect(level('Phạm Thị Thuỷ', 'Phạm Thị Thủy'.normalize('NFD'))).toBe('exact');
  });

  it('a name typed without diacritics is unaccented, not a difference', () => {
    expect(level('Nguyễn Thị Thu Hà', 'Nguyen Thi Thu Ha')).toBe('unaccented');
    expect(level('Đặng Văn Đức', 'Dang Van Duc')).toBe('unaccented');
  });

  it('keying slips: one word bare in a marked name, a tone left out, i/y, Telex leftovers, a missing space', () => {
    expect(level('Nguyễn Thị Hà', 'Nguyễn Thi Hà')).toBe('keying');
    expect(level('Lê Thị Mỹ', 'Lê Thị Mĩ')).toBe('keying');
    expect(level('Nguyễn Văn Hùng', 'Nguyeenx Vawn Hungf')).toBe('keying');
    expect(level('Nguyễn Thị Thu Hà', 'Nguyễn Thị ThuHà')).toBe('keying');
  });

  it('same letters with conflicting marks are a different name as written', () => {
    expect(level('Nguyễn Văn Hùng', 'Nguyễn Văn Hưng')).toBe('marksDiffer');
    expect(level('Nguyễn Thị Hà', 'Nguyễn Thị Hạ')).toBe('marksDiffer');
  });

  it('close, partial and different', () => {
    expect(level('Nguyễn Văn Hùng', 'Nguyễn Văn Hùg')).toBe('close');
    expect(level('Nguyễn Thanh', 'Nguyễn Thang')).toBe('close');
    expect(level('Nguyễn Thị Thu Hà', 'Nguyễn Thu Hà')).toBe('partial');
    expect(level('Hà Thị Lan', 'Lan Thị Hà')).toBe('partial');
    // A replaced middle name is another person, not a dropped one.
    expect(level('Nguyễn Văn Hùng', 'Nguyễn Đức Hùng')).toBe('different');
    expect(level('Trần Văn Long', 'Trần Văn Hải')).toBe('different');
    expect(level('', 'Trần Văn Hải')).toBe('missing');
  });

  it('the diacritics-aware similarity orders the levels', () => {
    const s = (a: string, b: string) => compareNameStrings(a, b).similarity;
    expect(s('Nguyễn Thị Hà', 'Nguyễn Thị Hà')).toBe(1);
    expect(s('Nguyễn Thị Hà', 'Nguyen Thi Ha')).toBeGreaterThan(s('Nguyễn Thị Hà', 'Nguyễn Thị Hạ'));
    expect(s('Nguyễn Thị Hà', 'Nguyễn Thị Hạ')).toBeGreaterThan(s('Nguyễn Thị Hà', 'Nguyễn Thị Hoa'));
  });
});

describe('partial dates', () => {
  it('parses dd.mm.yyyy and yyyy; rejects impossible dates and other forms with InvalidInput', () => {
    expect(parsePartialDate('05.03.1990')).toEqual({ year: 1990, month: 3, day: 5 });
    expect(parsePartialDate('1990')).toEqual({ year: 1990 });
    for (const bad of ['31.02.2000', '5.3.1990', '1990-03-05', '03/1990', '']) expect(() => parsePartialDate(bad)).toThrow(InvalidInput);
    expect(formatPartialDate({ year: 1990, month: 3, day: 5 })).toBe('05.03.1990');
  });

  it('levels: exact, year-only agreement, swapped day/month, same year, one year off, different', () => {
    expect(date('05.03.1990', '05.03.1990')).toBe('exact');
    expect(date('1990', '05.03.1990')).toBe('yearOnly');
    expect(date('05.03.1990', '1990')).toBe('yearOnly');
    expect(date('05.03.1990', '03.05.1990')).toBe('swapped');
    expect(date('05.03.1990', '06.03.1990')).toBe('sameYear');
    expect(date('05.03.1990', '05.03.1991')).toBe('yearOff');
    expect(date('1990', '1991')).toBe('yearOff');
    expect(date('05.03.1990', '05.03.1985')).toBe('different');
    expect(compareDates(undefined, parsePartialDate('1990'))).toBe('missing');
  });
});

describe('sex, years, identity cards', () => {
  it('unknown sex (3) is missing, not a disagreement', () => {
    expect(compareSex(1, 1)).toBe('agree');
    expect(compareSex(1, 2)).toBe('disagree');
    expect(compareSex(3, 2)).toBe('missing');
  });

  it('parent birth years: exact, one off, different, missing', () => {
    expect(compareYears(1960, 1960)).toBe('exact');
    expect(compareYears(1960, 1961)).toBe('off1');
    expect(compareYears(1960, 1963)).toBe('different');
    expect(compareYears(undefined, 1963)).toBe('missing');
  });

  it('cards compare like with like; a 12-digit CCCD is the personal ID number', () => {
    expect(compareCards('123456789', '123456789', '036090000001')).toBe('exact');
    expect(compareCards('123456789', '987654321', '036090000001')).toBe('different');
    expect(compareCards('123456789', undefined, '036090000001')).toBe('missing');
    expect(compareCards('036090000001', undefined, '036090000001')).toBe('exact');
    expect(compareCards('036090000002', undefined, '036090000001')).toBe('different');
  });
});
