/**
 * Seeded generator of synthetic populations and book records for the matching engine's benchmark
 * and tests. Same seed, same options → the same data, byte for byte (sfc32 PRNG, no Math.random).
 * Deliberately independent of `shared/matching/` (its own diacritic stripping, Telex encoding, …)
 * so the engine is not graded by its own code.
 *
 * Population: families (father, mother, children) whose members are all persons; each person has a
 * 12-digit ID (province, century/sex digit, birth year, serial), a full name drawn from realistic
 * Vietnamese frequencies, a date of birth, their parents' names and birth years, sometimes an old
 * 9-digit identity card (CMND). Twins: 1.5 % of births, 15 % of twin pairs with near-identical names
 * ("Hùng"/"Hưng", "Lan"/"Lân"). A share of persons is absent from the extract (moved, never
 * registered); their siblings stay in it.
 *
 * Name frequencies. Surnames: Nguyễn 38 %, Trần 11 %, Lê 9.5 %, Phạm 7 %, Hoàng 3 % + Huỳnh 2 %,
 * Phan 4.5 %, Vũ 2 % + Võ 1.9 %, Đặng 2.1 %, Bùi 2 %, Đỗ 1.4 %, Hồ 1.3 %, Ngô 1.3 %, Dương 1 %,
 * Lý 0.5 %, then a long tail of ~60 surnames sharing the rest. Middle names: Văn for ~40 % of men,
 * Thị for ~50 % of women, then Đức, Minh, Hữu, Ngọc, Thu …; some names have two middle names
 * ("Nguyễn Thị Thu Hà") or none. Given names: ~110 per sex, Zipf-distributed (weight ∝ rank^-0.7,
 * so the most common given name is ~9 % of its sex and "Nguyễn Văn Hùng" ~0.6 % of the population:
 * on the heavy side, which makes namesakes frequent).
 *
 * Register-side imperfections: year-only dates of birth (10 % of people born before 1960, 1 %
 * after), parents missing (40 % before 1960, 10 % 1960–89, 3 % later), a parent's year missing
 * (5 %), 1 % of names stored without diacritics.
 *
 * Book records (the persons to match) and the noise applied to them are in `NoiseProfile` and
 * `DEFAULT_NOISE`; every record keeps its ground truth and the noise it received.
 */
import type { RegisterType } from '../../shared/books/register-type.js';
import type { PersonToMatch, PopulationEntry } from '../../shared/matching/schema.js';

// ---------------------------------------------------------------------------------------------
// PRNG

/** sfc32, seeded through splitmix32: fast, 128-bit state, passes PractRand for our purposes. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next();
  }
  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** Draws from a fixed list with weights, by binary search over the cumulative weights. */
class Weighted<T> {
  private readonly items: T[];
  private readonly cumulative: number[];
  constructor(pairs: readonly (readonly [T, number])[]) {
    this.items = pairs.map((p) => p[0]);
    let sum = 0;
    this.cumulative = pairs.map((p) => (sum += p[1]));
  }
  draw(rng: Rng): T {
    const x = rng.next() * this.cumulative.at(-1)!;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

const zipf = (names: readonly string[], s: number): [string, number][] => names.map((n, i) => [n, (i + 1) ** -s]);

// ---------------------------------------------------------------------------------------------
// Name tables

const TAIL_SURNAMES = [
  'Đào',
  'Đoàn',
  'Vương',
  'Trịnh',
  'Trương',
  'Lâm',
  'Phùng',
  'Mai',
  'Tô',
  'Hà',
  'Tạ',
  'Lưu',
  'Châu',
  'Đinh',
  'Lương',
  'Cao',
  'Quách',
  'Thái',
  'La',
  'Kiều',
  'Chu',
  'Khổng',
  'Lục',
  'Mạc',
  'Hứa',
  'Thân',
  'Lò',
  'Triệu',
  'Kim',
  'Ninh',
  'Tăng',
  'Từ',
  'Lại',
  'Nông',
  'Giang',
  'Khúc',
  'Âu',
  'Bạch',
  'Thạch',
  'Doãn',
  'Phí',
  'Quan',
  'Hàn',
  'Vi',
  'Sầm',
  'Lã',
  'Ông',
  'Cù',
  'Diệp',
  'Đàm',
  'Đồng',
  'Hầu',
  'Kha',
  'Lạc',
  'Mẫn',
  'Nghiêm',
  'Tống',
  'Viên',
  'Tôn Thất',
  'Lường',
];
const TAIL_SHARE = 100 - (38 + 11 + 9.5 + 7 + 3 + 2 + 4.5 + 2 + 1.9 + 2.1 + 2 + 1.4 + 1.3 + 1.3 + 1 + 0.5);
const tailWeights = zipf(TAIL_SURNAMES, 0.8);
const tailSum = tailWeights.reduce((a, [, w]) => a + w, 0);

export const SURNAMES = new Weighted<string>([
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Hoàng', 3],
  ['Huỳnh', 2],
  ['Phan', 4.5],
  ['Vũ', 2],
  ['Võ', 1.9],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ...tailWeights.map(([n, w]): [string, number] => [n, (w / tailSum) * TAIL_SHARE]),
]);

const MIDDLE_MALE = new Weighted<string>([
  ['Văn', 40],
  ['Đức', 7],
  ['Minh', 7],
  ['Hữu', 6],
  ['Quốc', 5],
  ['Thanh', 4],
  ['Công', 4],
  ['Quang', 4],
  ['Đình', 4],
  ['Xuân', 3],
  ['Ngọc', 2],
  ['Anh', 2],
  ['Trung', 2],
  ['Gia', 2],
  ['Thế', 2],
  ['Duy', 2],
  ['Bá', 1],
  ['Mạnh', 1],
  ['Tiến', 1],
  ['Hoàng', 1],
  ['Trọng', 1],
  ['Nhật', 1],
  ['Bảo', 1],
  ['Khắc', 1],
  ['Viết', 1],
  ['Như', 1],
]);
const MIDDLE_FEMALE = new Weighted<string>([
  ['Thị', 50],
  ['Ngọc', 6],
  ['Thu', 5],
  ['Thanh', 4],
  ['Minh', 3],
  ['Kim', 3],
  ['Hồng', 3],
  ['Phương', 2],
  ['Mai', 2],
  ['Bảo', 2],
  ['Khánh', 2],
  ['Thùy', 2],
  ['Diệu', 1],
  ['Hoài', 1],
  ['Quỳnh', 1],
  ['Tuyết', 1],
  ['Bích', 1],
  ['Hải', 1],
  ['Như', 1],
  ['Mỹ', 1],
  ['Cẩm', 1],
  ['Tường', 1],
  ['Xuân', 1],
]);
const SECOND_MIDDLE_FEMALE = new Weighted<string>(zipf(['Thu', 'Ngọc', 'Thanh', 'Kim', 'Hồng', 'Minh', 'Bích', 'Mỹ', 'Diệu', 'Hoài', 'Phương', 'Tuyết'], 0.8));
const SECOND_MIDDLE_MALE = new Weighted<string>(zipf(['Minh', 'Quốc', 'Đức', 'Thanh', 'Hoàng', 'Anh', 'Tuấn', 'Gia', 'Nhật', 'Bảo'], 0.8));

const GIVEN_MALE_LIST = (
  'Hùng Dũng Tuấn Minh Hải Nam Long Hoàng Thắng Sơn Cường Quang Đức Bình Phong Huy Khoa Trung Thành Hiếu Tùng Việt Hưng Lâm An Tâm ' +
  'Vinh Phúc Khang Kiên Lợi Tiến Toàn Thịnh Đạt Hiệp Tú Bảo Duy Nghĩa Tài Trí Quân Lộc Thái Thanh Hòa Hậu Hào Hiển Khải Luân Lực ' +
  'Mạnh Nhân Phát Phú Quý Sang Tân Thiện Thông Tín Trọng Vũ Vương Chiến Công Danh Định Đông Giang Hà Hoan Khôi Kỳ Lập Nguyên Ninh ' +
  'Quyết Sáng Thạch Thuận Trường Tường Uy Xuân Bách Cảnh Chính Doanh Đăng Điệp Hân Hoạt Khánh Kha Lãm Lương Mẫn Nhật Phương Quế Sỹ ' +
  'Thuyết Triều Trực Tuệ Vĩnh Yên Tuân Lam'
).split(' ');
const GIVEN_FEMALE_LIST = (
  'Hà Lan Hương Linh Trang Hoa Mai Nga Thảo Hằng Huyền Anh Ngọc Phương Thủy Thu Yến Dung Hạnh Hồng Loan Ly Nhung Oanh Quỳnh Thanh ' +
  'Trâm Tuyết Vân Vy Hiền Hải My Nhi Châu Diệp Giang Hân Khánh Liên Lụa Mến Nguyệt Nhàn Phượng Quyên Sen Tâm Thắm Thoa Thương Thúy ' +
  'Trinh Uyên Xuân Ánh Bích Chi Duyên Đào Gấm Hậu Hoài Hường Lài Lệ Mơ Ngân Quế Sương Tiên Trúc Tươi Vui Thư Hạ Diễm Kiều Lành Mỹ ' +
  'Na Nương Phấn Quyến Son Thêu Thìn Tình Tố Tuyền Vĩ Xoan Yên Hảo Khuê Lam Lê Minh Nhạn Như Lân'
).split(' ');
const GIVEN_MALE = new Weighted<string>(zipf(GIVEN_MALE_LIST, 0.7));
const GIVEN_FEMALE = new Weighted<string>(zipf(GIVEN_FEMALE_LIST, 0.7));
/** Twins given near-identical names: the same letters with other marks, or one letter apart. */
const NEAR_TWIN_NAMES: Record<1 | 2, [string, string][]> = {
  1: [
    ['Hùng', 'Hưng'],
    ['Tuấn', 'Tuân'],
    ['Lâm', 'Lam'],
  ],
  2: [
    ['Anh', 'Ánh'],
    ['Lan', 'Lân'],
    ['Thu', 'Thư'],
    ['Hà', 'Hạ'],
  ],
};
const PROVINCES = new Weighted<string>([
  ['036', 60],
  ['001', 10],
  ['034', 10],
  ['026', 8],
  ['040', 7],
  ['079', 5],
]);

// ---------------------------------------------------------------------------------------------
// Persons

export interface SimDate {
  year: number;
  month: number;
  day: number;
}

/** A synthetic person as the truth knows them (before any register or book imperfection). */
export interface SimPerson {
  index: number;
  idNumber: string;
  fullName: string;
  sex: 1 | 2;
  dob: SimDate;
  fatherName?: string;
  fatherYear?: number;
  motherName?: string;
  motherYear?: number;
  card?: string;
  twinOf?: number;
  family: number;
  /** Absent from the extract (moved away, never registered). */
  absent: boolean;
}

function drawName(rng: Rng, sex: 1 | 2, surname: string): string {
  const middles: string[] = [];
  if (sex === 1) {
    if (!rng.chance(0.03)) middles.push(MIDDLE_MALE.draw(rng));
    if (middles.length && rng.chance(0.05)) middles.push(SECOND_MIDDLE_MALE.draw(rng));
  } else {
    if (!rng.chance(0.02)) middles.push(MIDDLE_FEMALE.draw(rng));
    if (middles[0] === 'Thị' && rng.chance(0.15)) middles.push(SECOND_MIDDLE_FEMALE.draw(rng));
  }
  const given = (sex === 1 ? GIVEN_MALE : GIVEN_FEMALE).draw(rng);
  return [surname, ...[...new Set(middles)], given].join(' ');
}

function randomDate(rng: Rng, year: number): SimDate {
  const start = Date.UTC(year, 0, 1);
  const days = (Date.UTC(year + 1, 0, 1) - start) / 86_400_000;
  const d = new Date(start + rng.int(days) * 86_400_000);
  return { year, month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const pad2 = (n: number) => String(n).padStart(2, '0');
export const formatSimDate = (d: SimDate) => `${pad2(d.day)}.${pad2(d.month)}.${d.year}`;

function replaceGiven(fullName: string, given: string): string {
  const words = fullName.split(' ');
  words[words.length - 1] = given;
  return words.join(' ');
}

const givenOf = (fullName: string) => fullName.split(' ').at(-1)!;

export interface PopulationOptions {
  seed: number;
  /** Persons to generate (before some are marked absent). */
  persons: number;
  /** Share of persons absent from the extract. Default 0.09. */
  absentShare?: number;
  /** Year the data are taken (nobody is born later). Default 2024. */
  currentYear?: number;
}

/** Generates persons in families until `persons` is reached. Deterministic for a given seed. */
export function generatePersons(opts: PopulationOptions): SimPerson[] {
  const rng = new Rng(opts.seed);
  const now = opts.currentYear ?? 2024;
  const absentShare = opts.absentShare ?? 0.09;
  const persons: SimPerson[] = [];
  const ids = new Set<string>();
  const cards = new Set<string>();
  const fatherYears = new Weighted<number>(
    Array.from({ length: now - 22 - 1915 + 1 }, (_, i): [number, number] => {
      const y = 1915 + i;
      return [y, y < 1940 ? 0.3 : y < 1960 ? 0.7 : y < 1980 ? 1 : 1.1];
    }),
  );
  const newId = (sex: 1 | 2, year: number) => {
    for (;;) {
      const century = year >= 2000 ? 2 : 0;
      const id = `${PROVINCES.draw(rng)}${century + sex - 1}${pad2(year % 100)}${String(rng.int(1_000_000)).padStart(6, '0')}`;
      if (!ids.has(id)) {
        ids.add(id);
        return id;
      }
    }
  };
  const newCard = () => {
    for (;;) {
      const c = String(rng.range(100_000_000, 399_999_999));
      if (!cards.has(c)) {
        cards.add(c);
        return c;
      }
    }
  };
  const add = (p: Omit<SimPerson, 'index' | 'idNumber' | 'card' | 'absent'>): SimPerson => {
    const person: SimPerson = {
      ...p,
      index: persons.length,
      idNumber: newId(p.sex, p.dob.year),
      absent: rng.chance(absentShare),
      ...(p.dob.year <= now - 18 && rng.chance(0.6) ? { card: newCard() } : {}),
    };
    persons.push(person);
    return person;
  };

  let family = 0;
  while (persons.length < opts.persons) {
    family++;
    const fatherYear = fatherYears.draw(rng);
    const motherYear = Math.min(now - 18, fatherYear + rng.range(-2, 7));
    const surname = SURNAMES.draw(rng);
    const fatherName = drawName(rng, 1, surname);
    const motherName = drawName(rng, 2, SURNAMES.draw(rng));
    // The parents are persons too, with their own (older) parents' names.
    for (const [name, sex, year] of [
      [fatherName, 1, fatherYear],
      [motherName, 2, motherYear],
    ] as const) {
      const gfYear = year - rng.range(20, 38);
      add({
        fullName: name,
        sex,
        dob: randomDate(rng, year),
        fatherName: drawName(rng, 1, name.split(' ')[0]!),
        fatherYear: gfYear,
        motherName: drawName(rng, 2, SURNAMES.draw(rng)),
        motherYear: gfYear + rng.range(-2, 7),
        family,
      });
    }
    const kids = motherYear < 1960 ? rng.range(2, 6) : motherYear < 1980 ? rng.range(1, 4) : rng.range(0, 3);
    let year = motherYear + rng.range(19, 28);
    const usedGiven = new Set<string>();
    for (let k = 0; k < kids && year <= now; k++) {
      const twins = rng.chance(0.015);
      const dob = randomDate(rng, year);
      const childSurname = rng.chance(0.98) ? surname : motherName.split(' ')[0]!;
      const sex: 1 | 2 = rng.chance(0.51) ? 1 : 2;
      let name = drawName(rng, sex, childSurname);
      for (let tries = 0; usedGiven.has(givenOf(name)) && tries < 10; tries++) name = drawName(rng, sex, childSurname);
      usedGiven.add(givenOf(name));
      const base = { dob, fatherName, fatherYear, motherName, motherYear, family };
      const first = add({ ...base, fullName: name, sex });
      if (twins) {
        const sex2: 1 | 2 = rng.chance(0.6) ? sex : sex === 1 ? 2 : 1;
        let name2: string;
        const near = NEAR_TWIN_NAMES[sex].find(([a]) => a === givenOf(name));
        if (sex2 === sex && rng.chance(0.15)) {
          const pair = near ?? rng.pick(NEAR_TWIN_NAMES[sex]);
          if (!near) name = replaceGiven(name, pair[0]);
          first.fullName = name;
          name2 = replaceGiven(name, pair[1]);
        } else {
          name2 = drawName(rng, sex2, childSurname);
          for (let tries = 0; (usedGiven.has(givenOf(name2)) || givenOf(name2) === givenOf(name)) && tries < 10; tries++)
            name2 = drawName(rng, sex2, childSurname);
        }
        usedGiven.add(givenOf(name2));
        const second = add({ ...base, fullName: name2, sex: sex2 });
        first.twinOf = second.index;
        second.twinOf = first.index;
      }
      year += rng.range(1, 5);
    }
  }
  return persons;
}

// ---------------------------------------------------------------------------------------------
// Text noise helpers (independent of the engine's normaliser)

export function stripDiacritics(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

const TONES = ['\u0301', '\u0300', '\u0309', '\u0303', '\u0323'];
const TELEX_TONE: Record<string, string> = { '\u0301': 's', '\u0300': 'f', '\u0309': 'r', '\u0303': 'x', '\u0323': 'j' };

/** A word typed in Telex with the Vietnamese input method off: "Nguyễn" → "Nguyeenx". */
export function toTelex(word: string): string {
  let tone = '';
  let out = '';
  for (const ch of word.normalize('NFD')) {
    if (TONES.includes(ch)) tone = TELEX_TONE[ch]!;
    else if (ch === '\u0302') out += out.at(-1)!.toLowerCase();
    else if (ch === '\u0306' || ch === '\u031B') out += 'w';
    else if (ch === 'đ') out += 'dd';
    else if (ch === 'Đ') out += 'Dd';
    else out += ch;
  }
  return out + tone;
}

/** Removes only the tone mark of a word, keeping â ă ê ô ơ ư đ: "Thị" → "Thi", "Hưởng" → "Hương". */
function dropTone(word: string): string {
  return [...word.normalize('NFD')]
    .filter((c) => !TONES.includes(c))
    .join('')
    .normalize('NFC');
}

/** Moves the tone between the new and old placement in oa/oe/uy: "Hòa" ↔ "Hoà", "Thủy" ↔ "Thuỷ". */
function moveTone(word: string): string | undefined {
  const chars = [...word.normalize('NFD')];
  const t = chars.findIndex((c) => TONES.includes(c));
  if (t < 1 || /^qu/i.test(word)) return undefined; // "qu" is a consonant: the tone never sits on its u
  const v = chars[t - 1]!.toLowerCase();
  const next = chars[t + 1]?.toLowerCase();
  const prev = chars[t - 2]?.toLowerCase();
  const tone = chars[t]!;
  if ((v === 'o' && (next === 'a' || next === 'e')) || (v === 'u' && next === 'y')) {
    chars.splice(t, 1);
    chars.splice(t + 1, 0, tone);
  } else if (((v === 'a' || v === 'e') && prev === 'o') || (v === 'y' && prev === 'u')) {
    chars.splice(t, 1);
    chars.splice(t - 1, 0, tone);
  } else return undefined;
  return chars.join('').normalize('NFC');
}

const LETTERS = 'abcdeghiklmnopqrstuvxy';

/** One keyboard slip in a word: substitution, deletion, doubling or transposition. */
function typo(rng: Rng, word: string): string {
  const chars = [...word.normalize('NFC')];
  if (chars.length < 2) return word + rng.pick([...LETTERS]);
  const i = rng.int(chars.length);
  switch (rng.int(4)) {
    case 0: {
      let c = rng.pick([...LETTERS]);
      while (c === chars[i]!.toLowerCase()) c = rng.pick([...LETTERS]);
      chars[i] = c;
      break;
    }
    case 1:
      if (i === 0) chars.splice(1, 1);
      else chars.splice(i, 1);
      break;
    case 2:
      chars.splice(i, 0, chars[i]!);
      break;
    default: {
      const j = i === chars.length - 1 ? i - 1 : i;
      [chars[j], chars[j + 1]] = [chars[j + 1]!, chars[j]!];
      if (chars[j] === chars[j + 1]) chars[j] = rng.pick([...LETTERS]);
    }
  }
  return chars.join('');
}

function mapWord(name: string, index: number, f: (w: string) => string): string {
  const words = name.split(' ');
  words[index] = f(words[index]!);
  return words.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Book records

/** Probabilities of each imperfection in a book record (each drawn independently). */
export interface NoiseProfile {
  /** Share of book persons absent from the extract. */
  absentRecord: number;
  /** The whole record keyed without Vietnamese input: every name loses its diacritics. */
  dropDiacritics: number;
  /** One keying slip in the person's name: a word without its tone or marks, i/y, Telex leftovers, tone placement. */
  keyingSlip: number;
  /** One typo (substitution, deletion, doubling, transposition) in the person's name. */
  nameTypo: number;
  /** Day and month exchanged (when both ≤ 12 and different). */
  swapDayMonth: number;
  /** Another date error: day or month a little off, or the year one off. */
  dateError: number;
  /** Date of birth written as a year only, by event type. */
  yearOnly: Partial<Record<RegisterType, number>>;
  /** Birth records: father / mother left out (unknown, not written). */
  dropFather: number;
  dropMother: number;
  /** A parent's birth year missing, or one year off, or the parent's name with a typo (each parent). */
  dropParentYear: number;
  parentYearOff: number;
  parentNameTypo: number;
  /** Sex keyed as 3 (unknown). */
  sexUnknown: number;
  /** Death and marriage records: the person's identity card written in the book, and reissued since (another number). */
  cardInBook: number;
  cardReissued: number;
  /** Extra namesakes put into the extract: same name, sex and birth year, other parents and date. */
  namesakeForAbsent: number;
  namesakeForPresent: number;
  /** A twin's record comes with the other twin's record (same book, same page). */
  twinTogether: number;
}

export const DEFAULT_NOISE: NoiseProfile = {
  absentRecord: 0.08,
  dropDiacritics: 0.15,
  keyingSlip: 0.03,
  nameTypo: 0.015,
  swapDayMonth: 0.007,
  dateError: 0.01,
  yearOnly: { KS: 0.02, KH: 0.1, KT: 0.3 },
  dropFather: 0.08,
  dropMother: 0.02,
  dropParentYear: 0.05,
  parentYearOff: 0.03,
  parentNameTypo: 0.02,
  sexUnknown: 0.005,
  cardInBook: 0.5,
  cardReissued: 0.05,
  namesakeForAbsent: 0.25,
  namesakeForPresent: 0.02,
  twinTogether: 0.8,
};

/** Event types of the records: births first, as the programme prioritises. */
export const DEFAULT_EVENT_MIX: readonly (readonly [RegisterType, number])[] = [
  ['KS', 0.7],
  ['KH', 0.15],
  ['KT', 0.15],
];

export interface DatasetOptions {
  seed: number;
  /** Entries in the extract (exact). */
  extractSize: number;
  /** Book records to match (about: twins may add one). */
  records: number;
  noise?: Partial<NoiseProfile>;
  eventMix?: readonly (readonly [RegisterType, number])[];
}

export interface Dataset {
  extract: PopulationEntry[];
  records: PersonToMatch[];
  /** recordKey → the right ID, or null when the person is absent from the extract. */
  truth: Map<string, string | null>;
  /** recordKey → the imperfections applied ("dropDiacritics", "swapDayMonth", "twin", …). */
  noise: Map<string, string[]>;
  persons: SimPerson[];
}

function toEntry(p: SimPerson, rng: Rng): PopulationEntry {
  const old = p.dob.year < 1960;
  const yearOnly = rng.chance(old ? 0.1 : 0.01);
  const noParents = rng.chance(old ? 0.4 : p.dob.year < 1990 ? 0.1 : 0.03);
  const bare = rng.chance(0.01);
  const name = (n: string) => (bare ? stripDiacritics(n) : n);
  const e: PopulationEntry = {
    idNumber: p.idNumber,
    fullName: name(p.fullName),
    sex: p.sex,
    dateOfBirth: yearOnly ? String(p.dob.year) : formatSimDate(p.dob),
    residence: `Thôn ${1 + (p.family % 12)}, xã Bình An`,
  };
  if (!noParents) {
    if (p.fatherName && !rng.chance(0.03)) {
      e.fatherName = name(p.fatherName);
      if (p.fatherYear !== undefined && !rng.chance(0.05)) e.fatherBirthYear = p.fatherYear;
    }
    if (p.motherName) {
      e.motherName = name(p.motherName);
      if (p.motherYear !== undefined && !rng.chance(0.05)) e.motherBirthYear = p.motherYear;
    }
  }
  if (p.card) e.idCardNumber = p.card;
  return e;
}

function namesakeOf(p: SimPerson, rng: Rng, ids: Set<string>): PopulationEntry {
  let id: string;
  do id = `${p.idNumber.slice(0, 6)}${String(rng.int(1_000_000)).padStart(6, '0')}`;
  while (ids.has(id));
  ids.add(id);
  const fy = p.dob.year - rng.range(20, 38);
  let dob = randomDate(rng, p.dob.year);
  while (dob.month === p.dob.month && dob.day === p.dob.day) dob = randomDate(rng, p.dob.year);
  return {
    idNumber: id,
    fullName: p.fullName,
    sex: p.sex,
    dateOfBirth: formatSimDate(dob),
    fatherName: drawName(rng, 1, p.fullName.split(' ')[0]!),
    fatherBirthYear: fy,
    motherName: drawName(rng, 2, SURNAMES.draw(rng)),
    motherBirthYear: fy + rng.range(-2, 7),
  };
}

function eligible(type: RegisterType, p: SimPerson, now: number): boolean {
  if (type === 'KH') return p.dob.year <= now - 18;
  if (type === 'KT') return p.dob.year <= 1990;
  return true;
}

/**
 * An extract of exactly `extractSize` entries and about `records` book persons derived from it,
 * with ground truth. Deterministic for a given seed and options.
 */
export function generateDataset(opts: DatasetOptions): Dataset {
  const noise: NoiseProfile = { ...DEFAULT_NOISE, ...opts.noise };
  const mix = new Weighted<RegisterType>(opts.eventMix ?? DEFAULT_EVENT_MIX);
  const now = 2024;
  const rng = new Rng(opts.seed ^ 0x5eed);
  // Enough persons that, after absences, the present ones cover the extract with room to spare.
  const persons = generatePersons({ seed: opts.seed, persons: Math.ceil(opts.extractSize * 1.15) + 200 });
  const present = persons.filter((p) => !p.absent);
  const absent = persons.filter((p) => p.absent);
  rng.shuffle(present);
  rng.shuffle(absent);

  const records: PersonToMatch[] = [];
  const truth = new Map<string, string | null>();
  const tags = new Map<string, string[]>();
  const used = new Set<string>(); // `${type}|${index}`
  const referenced = new Set<number>();
  const extraEntries: PopulationEntry[] = [];
  const ids = new Set(persons.map((p) => p.idNumber));
  let cursorPresent = 0;
  let cursorAbsent = 0;

  const nextPerson = (type: RegisterType, fromAbsent: boolean): SimPerson | undefined => {
    const pool = fromAbsent ? absent : present;
    for (let tries = 0; tries < pool.length; tries++) {
      const i = fromAbsent ? cursorAbsent++ % pool.length : cursorPresent++ % pool.length;
      const p = pool[i]!;
      if (!used.has(`${type}|${p.index}`) && eligible(type, p, now)) return p;
    }
    return undefined;
  };

  const makeRecord = (p: SimPerson, type: RegisterType, extraTags: string[]) => {
    const key = `${type}-${String(records.length + 1).padStart(6, '0')}`;
    const t: string[] = [...extraTags];
    used.add(`${type}|${p.index}`);
    referenced.add(p.index);
    let fullName = p.fullName;
    let fatherName = type === 'KS' && !rng.chance(noise.dropFather) ? p.fatherName : undefined;
    let motherName = type === 'KS' && !rng.chance(noise.dropMother) ? p.motherName : undefined;
    let fatherYear = fatherName && !rng.chance(noise.dropParentYear) ? p.fatherYear : undefined;
    let motherYear = motherName && !rng.chance(noise.dropParentYear) ? p.motherYear : undefined;
    if (type === 'KS' && !fatherName) t.push('noFather');
    const words = fullName.split(' ');
    if (rng.chance(noise.keyingSlip)) {
      const slips: (() => string | undefined)[] = [
        () => {
          const i = words.findIndex((w, k) => k > 0 && dropTone(w) !== w);
          return i < 0 ? undefined : mapWord(fullName, i, dropTone);
        },
        () => {
          const i = words.findIndex((w) => stripDiacritics(w) !== w);
          return i < 0 || words.every((w, k) => k === i || stripDiacritics(w) === w) ? undefined : mapWord(fullName, i, stripDiacritics);
        },
        () => {
          const i = words.findIndex((w) => /[bcdđghklmnpqrstvx][yýỳỷỹỵ]$/iu.test(w) || /[bcdđghklmnpqrstvx][iíìỉĩị]$/iu.test(w));
          if (i < 0) return undefined;
          const swap: Record<string, string> = { y: 'i', ý: 'í', ỳ: 'ì', ỷ: 'ỉ', ỹ: 'ĩ', ỵ: 'ị', i: 'y', í: 'ý', ì: 'ỳ', ỉ: 'ỷ', ĩ: 'ỹ', ị: 'ỵ' };
          return mapWord(fullName, i, (w) => w.slice(0, -1) + (swap[w.at(-1)!] ?? w.at(-1)!));
        },
        () => words.map(toTelex).join(' '),
        () => {
          const i = words.findIndex((w) => moveTone(w) !== undefined);
          return i < 0 ? undefined : mapWord(fullName, i, (w) => moveTone(w)!);
        },
      ];
      const order = rng.shuffle([0, 1, 2, 3, 4]);
      for (const k of order) {
        const slipped = slips[k]!();
        if (slipped && slipped !== fullName) {
          fullName = slipped;
          t.push(`keyingSlip:${['toneDropped', 'wordBare', 'iy', 'telex', 'tonePlacement'][k]}`);
          break;
        }
      }
    }
    if (rng.chance(noise.nameTypo)) {
      const ws = fullName.split(' ');
      const i = rng.chance(0.5) ? ws.length - 1 : rng.int(ws.length);
      fullName = mapWord(fullName, i, (w) => typo(rng, w));
      t.push('nameTypo');
    }
    if (fatherName && rng.chance(noise.parentNameTypo)) {
      fatherName = mapWord(fatherName, rng.int(fatherName.split(' ').length), (w) => typo(rng, w));
      t.push('fatherNameTypo');
    }
    if (motherName && rng.chance(noise.parentNameTypo)) {
      motherName = mapWord(motherName, rng.int(motherName.split(' ').length), (w) => typo(rng, w));
      t.push('motherNameTypo');
    }
    if (fatherYear !== undefined && rng.chance(noise.parentYearOff)) {
      fatherYear += rng.chance(0.5) ? 1 : -1;
      t.push('fatherYearOff');
    }
    if (motherYear !== undefined && rng.chance(noise.parentYearOff)) {
      motherYear += rng.chance(0.5) ? 1 : -1;
      t.push('motherYearOff');
    }
    if (rng.chance(noise.dropDiacritics)) {
      fullName = stripDiacritics(fullName);
      fatherName = fatherName && stripDiacritics(fatherName);
      motherName = motherName && stripDiacritics(motherName);
      t.push('dropDiacritics');
    }
    let dob: SimDate = { ...p.dob };
    if (rng.chance(noise.swapDayMonth) && dob.day <= 12 && dob.day !== dob.month) {
      dob = { year: dob.year, month: dob.day, day: dob.month };
      t.push('swapDayMonth');
    }
    if (rng.chance(noise.dateError)) {
      const kind = rng.int(3);
      if (kind === 0) dob = { ...dob, day: Math.min(28, Math.max(1, dob.day + rng.pick([-3, -2, -1, 1, 2, 3]))) };
      else if (kind === 1) dob = { ...dob, month: Math.min(12, Math.max(1, dob.month + rng.pick([-1, 1]))), day: Math.min(dob.day, 28) };
      else dob = { ...dob, year: dob.year + rng.pick([-1, 1]) };
      if (dob.day !== p.dob.day || dob.month !== p.dob.month || dob.year !== p.dob.year) t.push('dateError');
    }
    const yearOnly = rng.chance(noise.yearOnly[type] ?? 0);
    if (yearOnly) t.push('yearOnly');
    const record: PersonToMatch = {
      recordKey: key,
      eventType: type,
      fullName,
      sex: rng.chance(noise.sexUnknown) ? 3 : p.sex,
      dateOfBirth: yearOnly ? String(dob.year) : formatSimDate(dob),
    };
    if (record.sex === 3) t.push('sexUnknown');
    if (fatherName) record.fatherName = fatherName;
    if (fatherYear !== undefined) record.fatherBirthYear = fatherYear;
    if (motherName) record.motherName = motherName;
    if (motherYear !== undefined) record.motherBirthYear = motherYear;
    if ((type === 'KT' || type === 'KH') && p.card && rng.chance(noise.cardInBook)) {
      if (rng.chance(noise.cardReissued)) {
        record.idCardNumber = String(rng.range(400_000_000, 499_999_999));
        t.push('cardReissued');
      } else {
        record.idCardNumber = p.card;
        t.push('card');
      }
    }
    if (p.twinOf !== undefined) t.push('twin');
    if (p.absent) t.push('absent');
    records.push(record);
    truth.set(key, p.absent ? null : p.idNumber);
    tags.set(key, t);
  };

  while (records.length < opts.records) {
    const type = mix.draw(rng);
    const fromAbsent = rng.chance(noise.absentRecord);
    const p = nextPerson(type, fromAbsent);
    if (!p) continue;
    const extraTags: string[] = [];
    if (rng.chance(fromAbsent ? noise.namesakeForAbsent : noise.namesakeForPresent)) {
      extraEntries.push(namesakeOf(p, rng, ids));
      extraTags.push('namesakeInExtract');
    }
    makeRecord(p, type, extraTags);
    if (type === 'KS' && p.twinOf !== undefined && records.length < opts.records && rng.chance(noise.twinTogether)) {
      const twin = persons[p.twinOf]!;
      if (!used.has(`KS|${twin.index}`)) makeRecord(twin, 'KS', ['twinTogether']);
    }
  }

  // The extract: every present person a record refers to, the extra namesakes, then other present
  // persons until the size is exact.
  const extract: PopulationEntry[] = [];
  const entryRng = new Rng(opts.seed ^ 0xe47);
  for (const p of present) if (referenced.has(p.index)) extract.push(toEntry(p, entryRng));
  extract.push(...extraEntries);
  for (const p of present) {
    if (extract.length >= opts.extractSize) break;
    if (!referenced.has(p.index)) extract.push(toEntry(p, entryRng));
  }
  if (extract.length < opts.extractSize) throw new Error(`generator: only ${extract.length} entries for an extract of ${opts.extractSize}`);
  extract.length = opts.extractSize;
  return { extract: rng.shuffle(extract), records, truth, noise: tags, persons };
}
