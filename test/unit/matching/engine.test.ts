import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../shared/errors.js';
import {
  buildIndex,
  type MatchIndex,
  type MatchResult,
  MatchResult as MatchResultSchema,
  matchRecords,
  type PersonToMatch,
} from '../../../shared/matching/engine.js';
import { birthRecord, deathRecord, extract, people } from './fixtures.js';

let index: MatchIndex;
beforeAll(() => {
  index = buildIndex(extract());
});

const one = (record: PersonToMatch): MatchResult => matchRecords(index, [record])[0]!;
const weightOf = (r: MatchResult, field: string) => r.candidates[0]!.breakdown.find((b) => b.field === field)!;

describe('matching: diacritics, đ/d, keying slips', () => {
  it('the same person with and without diacritics is MATCHED to the right ID', () => {
    const withMarks = one(birthRecord('ha'));
    const bare = one(birthRecord('ha', { fullName: 'Nguyen Thi Thu Ha', fatherName: 'Nguyen Van Thang', motherName: 'Tran Thi Lan' }));
    for (const r of [withMarks, bare]) {
      expect(r.outcome).toBe('MATCHED');
      expect(r.idNumber).toBe(people.ha.idNumber);
    }
    expect(weightOf(bare, 'fullName').level).toBe('unaccented');
    expect(bare.diff).toEqual([]); // typing without diacritics is not a difference to correct
  });

  it('đ typed as d', () => {
    const r = one(birthRecord('duc', { fullName: 'Dang Van Duc', fatherName: 'Dang Van Loi' }));
    expect(r.outcome).toBe('MATCHED');
    expect(r.idNumber).toBe(people.duc.idNumber);
  });

  it('keying slips (final i/y, Telex leftovers) are MATCHED, with the slip listed in the diff for correction', () => {
    const iy = one(birthRecord('duyen', { fullName: 'Lê Thị Mĩ Duyên' }));
    expect(iy).toMatchObject({ outcome: 'MATCHED', idNumber: people.duyen.idNumber });
    expect(iy.diff).toEqual([{ field: 'fullName', book: 'Lê Thị Mĩ Duyên', register: 'Lê Thị Mỹ Duyên', level: 'keying', blocksMatch: false }]);
    const telex = one(birthRecord('duc', { fullName: 'DDawngj Vawn DDuwcs' }));
    expect(telex).toMatchObject({ outcome: 'MATCHED', idNumber: people.duc.idNumber });
    expect(telex.diff.map((d) => d.level)).toEqual(['keying']);
  });

  it('a typo in the name is not MATCHED automatically: MISMATCH with the right candidate first and the diff', () => {
    const r = one(birthRecord('linh', { fullName: 'Võ Thị Diệu Lihn' }));
    expect(r.outcome).toBe('MISMATCH');
    expect(r.reasons).toContain('FIELDS_DIFFER');
    expect(r.candidates[0]!.idNumber).toBe(people.linh.idNumber);
    expect(r.diff).toContainEqual({ field: 'fullName', book: 'Võ Thị Diệu Lihn', register: 'Võ Thị Diệu Linh', level: 'close', blocksMatch: true });
  });
});

describe('matching: twins and namesakes', () => {
  it('twins (same parents and date of birth, other given names) are each matched to their own ID, never swapped', () => {
    const results = matchRecords(index, [
      birthRecord('khang'),
      birthRecord('khoi'),
      birthRecord('khoi', { fullName: 'Tran Minh Khoi', recordKey: 'KS-khoi-bare' }),
    ]);
    expect(results[0]).toMatchObject({ outcome: 'MATCHED', idNumber: people.khang.idNumber });
    // The bare-name record of Khôi and the marked one are two records of the same birth: duplicates.
    expect(results[1]).toMatchObject({ outcome: 'MISMATCH', reasons: ['DUPLICATE_CANDIDATE'] });
    expect(one(birthRecord('khoi'))).toMatchObject({ outcome: 'MATCHED', idNumber: people.khoi.idNumber });
    expect(one(birthRecord('khoi', { fullName: 'Tran Minh Khoi' }))).toMatchObject({ outcome: 'MATCHED', idNumber: people.khoi.idNumber });
  });

  it('twins with near-identical names (Lan / Lân): a book "Lan" may have lost its circumflex, so MISMATCH as ambiguous', () => {
    for (const record of [birthRecord('lan'), birthRecord('lan', { fullName: 'Pham Thi Lan' })]) {
      const r = one(record);
      expect(r.outcome).toBe('MISMATCH');
      expect(r.reasons).toContain('AMBIGUOUS');
      expect(r.idNumber).toBeUndefined();
      expect(
        r.candidates
          .slice(0, 2)
          .map((c) => c.idNumber)
          .sort(),
      ).toEqual([people.lan.idNumber, people.lanHat.idNumber].sort());
    }
    // A book "Lân" carries the mark: never given to the twin Lan (an added circumflex is not a slip keyers make).
    const lanHat = one(birthRecord('lanHat'));
    expect(lanHat.candidates[0]!.idNumber).toBe(people.lanHat.idNumber);
    expect(lanHat.idNumber ?? people.lanHat.idNumber).toBe(people.lanHat.idNumber);
  });

  it('a twin whose register entry lacks the parents is not matched to the other twin', () => {
    const huy = one(birthRecord('huy', { ...people.bao, fullName: 'Đinh Gia Huy', idNumber: undefined } as never));
    expect(huy.idNumber).toBeUndefined();
    expect(huy.outcome).toBe('MISMATCH');
    expect(huy.candidates.map((c) => c.idNumber)).toContain(people.huy.idNumber);
    // The other twin, whose entry is complete, is matched: Huy's entry cannot be him (other given name).
    expect(one(birthRecord('bao'))).toMatchObject({ outcome: 'MATCHED', idNumber: people.bao.idNumber });
  });

  it('namesakes (same common name, same year, other parents) are told apart by the parents', () => {
    expect(one(birthRecord('hung1'))).toMatchObject({ outcome: 'MATCHED', idNumber: people.hung1.idNumber });
    expect(one(birthRecord('hung2'))).toMatchObject({ outcome: 'MATCHED', idNumber: people.hung2.idNumber });
    // A third Nguyễn Văn Hùng born in 1988, absent from the extract: neither namesake gets his record.
    const absent = one(
      birthRecord('hung1', {
        dateOfBirth: '02.02.1988',
        fatherName: 'Nguyễn Văn Cường',
        fatherBirthYear: 1959,
        motherName: 'Đỗ Thị Hoa',
        motherBirthYear: 1961,
      }),
    );
    expect(absent.outcome).not.toBe('MATCHED');
  });

  it('a name and a birth year alone never assign an ID, even with a single namesake in the extract', () => {
    const r = one(deathRecord('pao', { dateOfBirth: '1970' }));
    expect(r.outcome).toBe('MISMATCH');
    expect(r.reasons).toContain('WEAK_EVIDENCE');
    expect(r.candidates[0]!.idNumber).toBe(people.pao.idNumber);
  });
});

describe('matching: dates of birth', () => {
  it('swapped day and month: MISMATCH (a date that differs goes to the tracking list), right candidate first, the diff says so', () => {
    const r = one(birthRecord('anh', { dateOfBirth: '05.03.1991' }));
    expect(r.outcome).toBe('MISMATCH');
    expect(r.reasons).toEqual(['FIELDS_DIFFER']);
    expect(r.candidates[0]!.idNumber).toBe(people.anh.idNumber);
    expect(r.diff).toEqual([{ field: 'dateOfBirth', book: '05.03.1991', register: '03.05.1991', level: 'swapped', blocksMatch: true }]);
  });

  it('year-only dates on either side are MATCHED when the parents corroborate', () => {
    const bookYearOnly = one(birthRecord('ha', { dateOfBirth: '1990' }));
    expect(bookYearOnly).toMatchObject({ outcome: 'MATCHED', idNumber: people.ha.idNumber });
    expect(weightOf(bookYearOnly, 'dateOfBirth').level).toBe('yearOnly');
    const registerYearOnly = one(birthRecord('chien', { dateOfBirth: '14.10.1955' }));
    expect(registerYearOnly).toMatchObject({ outcome: 'MATCHED', idNumber: people.chien.idNumber });
    // The year-only agreement is weaker evidence than a full date.
    expect(weightOf(bookYearOnly, 'dateOfBirth').weight).toBeLessThan(weightOf(one(birthRecord('ha')), 'dateOfBirth').weight);
  });

  it('a missing father is missing evidence, not a contradiction', () => {
    const { fatherName: _f, fatherBirthYear: _y, ...noFather } = birthRecord('linh');
    const r = one(noFather as PersonToMatch);
    expect(r).toMatchObject({ outcome: 'MATCHED', idNumber: people.linh.idNumber });
    expect(weightOf(r, 'fatherName')).toMatchObject({ level: 'missing', weight: 0 });
  });

  it('different sex blocks an automatic match', () => {
    const r = one(birthRecord('ha', { sex: 1 }));
    expect(r.outcome).toBe('MISMATCH');
    expect(r.diff.map((d) => d.field)).toEqual(['sex']);
  });
});

describe('matching: term frequencies', () => {
  it('the same evidence on a rare name weighs more than on a common one', () => {
    const rare = one(deathRecord('pao'));
    const common = one(deathRecord('hung70'));
    expect(rare.candidates[0]!.idNumber).toBe(people.pao.idNumber);
    expect(common.candidates[0]!.idNumber).toBe(people.hung70.idNumber);
    const rareName = weightOf(rare, 'fullName');
    const commonName = weightOf(common, 'fullName');
    expect(rareName.termFrequency && commonName.termFrequency).toBe(true);
    expect(commonName.u).toBeGreaterThan(5 * rareName.u);
    expect(rare.score! - common.score!).toBeGreaterThan(2);
  });
});

describe('matching: one ID per event type', () => {
  it('two records of the same event type whose best candidate is the same ID both go to MISMATCH', () => {
    const [a, b] = matchRecords(index, [birthRecord('ha'), birthRecord('ha', { fullName: 'Nguyen Thi Thu Ha' })]);
    for (const r of [a!, b!]) {
      expect(r.outcome).toBe('MISMATCH');
      expect(r.reasons).toContain('DUPLICATE_CANDIDATE');
      expect(r.idNumber).toBeUndefined();
    }
    expect(a!.duplicateOf).toEqual([b!.recordKey]);
    expect(b!.candidates[0]!.idNumber).toBe(people.ha.idNumber); // the shared candidate, for the officer to decide
    expect(a!.diff).toEqual([]);
  });

  it('the same person in a birth record and a death record is MATCHED in both', () => {
    const results = matchRecords(index, [birthRecord('duc'), deathRecord('duc')]);
    expect(results.map((r) => [r.outcome, r.idNumber])).toEqual([
      ['MATCHED', people.duc.idNumber],
      ['MATCHED', people.duc.idNumber],
    ]);
  });

  it('an ID already assigned to a record of this event type in an earlier run is not assigned again', () => {
    const r = matchRecords(index, [birthRecord('duc')], { assignedIds: [{ eventType: 'KS', idNumber: people.duc.idNumber }] })[0]!;
    expect(r).toMatchObject({ outcome: 'MISMATCH', reasons: ['ID_ALREADY_ASSIGNED'] });
  });
});

describe('matching: outcomes and contract', () => {
  it('a person absent from the extract is NOT_FOUND', () => {
    const r = one(
      birthRecord('ha', {
        fullName: 'Trịnh Quang Vinh',
        sex: 1,
        dateOfBirth: '08.08.1999',
        fatherName: 'Trịnh Văn Tiến',
        fatherBirthYear: 1970,
        motherName: 'Cao Thị Gấm',
        motherBirthYear: 1972,
      }),
    );
    expect(r.outcome).toBe('NOT_FOUND');
    expect(r.idNumber).toBeUndefined();
  });

  it('a MATCHED result keeps its evidence: the chosen candidate with a per-field breakdown summing to the score', () => {
    const r = one(birthRecord('ha'));
    expect(r.candidates).toHaveLength(1);
    const c = r.candidates[0]!;
    expect(c.breakdown.map((b) => b.field)).toEqual([
      'fullName',
      'sex',
      'dateOfBirth',
      'fatherName',
      'fatherBirthYear',
      'motherName',
      'motherBirthYear',
      'idCardNumber',
    ]);
    expect(c.prior + c.breakdown.reduce((s, b) => s + b.weight, 0)).toBeCloseTo(c.score, 9);
    expect(c.probability).toBeGreaterThan(0.99);
  });

  it('results satisfy the MatchResult schema and are deterministic', () => {
    const records = [birthRecord('ha'), birthRecord('lan'), deathRecord('pao'), birthRecord('anh', { dateOfBirth: '05.03.1991' })];
    const first = matchRecords(index, records);
    for (const r of first) expect(MatchResultSchema.safeParse(r).success).toBe(true);
    expect(matchRecords(index, records)).toEqual(first);
  });

  it('rejects invalid input with InvalidInput', () => {
    expect(() => matchRecords(index, [{ ...birthRecord('ha'), dateOfBirth: '31.02.1990' }])).toThrow(InvalidInput);
    const r = birthRecord('ha');
    expect(() => matchRecords(index, [r, r])).toThrow(InvalidInput);
    expect(() => buildIndex([people.ha, people.ha] as never)).toThrow(InvalidInput);
    expect(() => buildIndex([{ ...people.ha, idNumber: '12345' }] as never)).toThrow(InvalidInput);
  });
});
