/**
 * Who in a record is looked up in the population register (TT 01/2022 Art. 11 linking fields): the
 * child of a birth, both spouses of a marriage, the deceased, the recognised child and parent. One
 * record may yield several subjects, keyed `<so>#<role>`.
 */
import type { BookRecord } from '../records/record.js';
import type { PersonToMatch } from '../matching/schema.js';

const year = (v: string | null | undefined) => {
  const m = /(\d{4})$/.exec(v ?? '');
  return m ? Number(m[1]) : undefined;
};
const clean = (v: string | null | undefined) => (v?.trim() ? v.trim() : undefined);
const sexOf = (v: string | null | undefined, fallback: 1 | 2 | 3): 1 | 2 | 3 => (v === '1' ? 1 : v === '2' ? 2 : v === '3' ? 3 : fallback);

export interface Subject {
  key: string;
  role: string;
  person: Omit<PersonToMatch, 'recordKey' | 'eventType'>;
}

export function subjectsOf(record: BookRecord): Subject[] {
  const f = record.fields;
  const subject = (role: string, person: Subject['person']): Subject[] => (person.fullName ? [{ key: `${record.so}#${role}`, role, person }] : []);
  switch (record.registerType) {
    case 'KS':
      return subject('child', {
        fullName: clean(f.nksHoTen)!,
        sex: sexOf(f.nksGioiTinh, 3),
        dateOfBirth: clean(f.nksNgaySinh),
        fatherName: clean(f.chaHoTen),
        fatherBirthYear: year(f.chaNgaySinh),
        motherName: clean(f.meHoTen),
        motherBirthYear: year(f.meNgaySinh),
      });
    case 'KH':
      return [
        ...subject('husband', { fullName: clean(f.chongHoTen)!, sex: 1, dateOfBirth: clean(f.chongNgaySinh), idCardNumber: clean(f.chongSoGiayToTuyThan) }),
        ...subject('wife', { fullName: clean(f.voHoTen)!, sex: 2, dateOfBirth: clean(f.voNgaySinh), idCardNumber: clean(f.voSoGiayToTuyThan) }),
      ];
    case 'KT':
      return subject('deceased', { fullName: clean(f.nktHoTen)!, sex: sexOf(f.nktGioiTinh, 3), dateOfBirth: clean(f.nktNgaySinh), idCardNumber: clean(f.nktSoGiayToTuyThan) });
    case 'CMC':
      return [
        ...subject('child', { fullName: clean(f.ncHoTen)!, sex: 3, dateOfBirth: clean(f.ncNgaySinh), idCardNumber: clean(f.ncSoGiayToTuyThan) }),
        ...subject('parent', { fullName: clean(f.cmHoTen)!, sex: 3, dateOfBirth: clean(f.cmNgaySinh), idCardNumber: clean(f.cmSoGiayToTuyThan) }),
      ];
    default:
      return [];
  }
}
