/**
 * Hand-picked Vietnamese cases for the matching tests, set in a background population so that term
 * frequencies are realistic ("Nguyễn Văn Hùng" common, "Lò Văn Pảo" rare). Hand-picked IDs start
 * with 099, a province code the generator never uses.
 */
import type { PersonToMatch, PopulationEntry } from '../../../shared/matching/engine.js';
import { formatSimDate, generatePersons } from '../../bench/population-generator.js';

export function background(persons = 4000, seed = 7): PopulationEntry[] {
  return generatePersons({ seed, persons, absentShare: 0 }).map((p) => ({
    idNumber: p.idNumber,
    fullName: p.fullName,
    sex: p.sex,
    dateOfBirth: formatSimDate(p.dob),
    ...(p.fatherName ? { fatherName: p.fatherName, fatherBirthYear: p.fatherYear } : {}),
    ...(p.motherName ? { motherName: p.motherName, motherBirthYear: p.motherYear } : {}),
  }));
}

const parents = (father: string, fatherYear: number, mother: string, motherYear: number) => ({
  fatherName: father,
  fatherBirthYear: fatherYear,
  motherName: mother,
  motherBirthYear: motherYear,
});

/** The hand-picked register entries, by a short name used in the tests. */
export const people = {
  ha: {
    idNumber: '099190000001',
    fullName: 'Nguyễn Thị Thu Hà',
    sex: 2,
    dateOfBirth: '14.02.1990',
    ...parents('Nguyễn Văn Thắng', 1962, 'Trần Thị Lan', 1965),
  },
  duc: { idNumber: '099185000002', fullName: 'Đặng Văn Đức', sex: 1, dateOfBirth: '21.07.1985', ...parents('Đặng Văn Lợi', 1958, 'Phạm Thị Hoa', 1960) },
  khang: { idNumber: '099192000003', fullName: 'Trần Minh Khang', sex: 1, dateOfBirth: '12.04.1992', ...parents('Trần Văn Bình', 1960, 'Lê Thị Mai', 1963) },
  khoi: { idNumber: '099192000004', fullName: 'Trần Minh Khôi', sex: 1, dateOfBirth: '12.04.1992', ...parents('Trần Văn Bình', 1960, 'Lê Thị Mai', 1963) },
  lan: { idNumber: '099195000005', fullName: 'Phạm Thị Lan', sex: 2, dateOfBirth: '03.09.1995', ...parents('Phạm Văn Tài', 1970, 'Vũ Thị Hằng', 1972) },
  lanHat: { idNumber: '099195000006', fullName: 'Phạm Thị Lân', sex: 2, dateOfBirth: '03.09.1995', ...parents('Phạm Văn Tài', 1970, 'Vũ Thị Hằng', 1972) },
  hung1: { idNumber: '099188000007', fullName: 'Nguyễn Văn Hùng', sex: 1, dateOfBirth: '10.06.1988', ...parents('Nguyễn Văn Nam', 1960, 'Lê Thị Hương', 1962) },
  hung2: {
    idNumber: '099188000008',
    fullName: 'Nguyễn Văn Hùng',
    sex: 1,
    dateOfBirth: '22.11.1988',
    ...parents('Nguyễn Đức Long', 1961, 'Trần Thị Hạnh', 1964),
  },
  anh: { idNumber: '099191000009', fullName: 'Hoàng Thị Ngọc Ánh', sex: 2, dateOfBirth: '03.05.1991', ...parents('Hoàng Văn Sơn', 1965, 'Bùi Thị Nga', 1967) },
  chien: { idNumber: '099155000010', fullName: 'Lê Văn Chiến', sex: 1, dateOfBirth: '1955', ...parents('Lê Văn Tư', 1930, 'Đỗ Thị Hợi', 1933) },
  pao: { idNumber: '099170000011', fullName: 'Lò Văn Pảo', sex: 1, dateOfBirth: '17.08.1970' },
  hung70: { idNumber: '099170000012', fullName: 'Nguyễn Văn Hùng', sex: 1, dateOfBirth: '09.03.1970' },
  linh: { idNumber: '099193000013', fullName: 'Võ Thị Diệu Linh', sex: 2, dateOfBirth: '30.01.1993', ...parents('Võ Văn Hải', 1968, 'Huỳnh Thị Thảo', 1970) },
  duyen: { idNumber: '099187000014', fullName: 'Lê Thị Mỹ Duyên', sex: 2, dateOfBirth: '11.11.1987', ...parents('Lê Văn Quang', 1960, 'Ngô Thị Tuyết', 1962) },
  bao: { idNumber: '099194000015', fullName: 'Đinh Gia Bảo', sex: 1, dateOfBirth: '25.12.1994', ...parents('Đinh Văn Toàn', 1966, 'Mai Thị Xuân', 1968) },
  /** Bảo's twin, whose register entry lacks the parents. */
  huy: { idNumber: '099194000016', fullName: 'Đinh Gia Huy', sex: 1, dateOfBirth: '25.12.1994' },
} satisfies Record<string, PopulationEntry>;

export type Who = keyof typeof people;

let seq = 0;
/** A birth-record person built from an entry (same data unless overridden). */
export function birthRecord(who: Who, over: Partial<PersonToMatch> = {}): PersonToMatch {
  const { idNumber: _id, ...rest } = people[who] as PopulationEntry;
  return { recordKey: `KS-${who}-${++seq}`, eventType: 'KS', ...rest, ...over } as PersonToMatch;
}

/** A death-record person: name, sex, date of birth, no parents (the death template has none). */
export function deathRecord(who: Who, over: Partial<PersonToMatch> = {}): PersonToMatch {
  const e = people[who] as PopulationEntry;
  return { recordKey: `KT-${who}-${++seq}`, eventType: 'KT', fullName: e.fullName, sex: e.sex, dateOfBirth: e.dateOfBirth, ...over } as PersonToMatch;
}

export function extract(): PopulationEntry[] {
  return [...background(), ...Object.values(people)] as PopulationEntry[];
}
