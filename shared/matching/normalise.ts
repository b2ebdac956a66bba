/**
 * Vietnamese name normalisation for matching book records against the population extract. Pure, no I/O.
 *
 * A word is reduced to three forms:
 * - `folded`: ASCII letters only (diacritics removed, đ → d): the diacritics-insensitive key;
 * - `base` + `tone`: letters with their vowel-quality marks (â ă ê ô ơ ư đ) and the one tone of the
 *   syllable as a number, so "Hoà" and "Hòa" (old and new tone placement) are the same word;
 * - `marked`: whether the word as written carried any mark at all, to tell "typed without Vietnamese
 *   input" (no mark anywhere) from "this word has different marks".
 *
 * Keying leftovers are undone before that: Telex ("Nguyeenx" → Nguyễn) and VNI ("Nguye6n4") sequences
 * typed with the input method switched off, and the interchangeable final i/y after a consonant
 * ("Mỹ"/"Mĩ", "Vy"/"Vi", "Sỹ"/"Sĩ"), which the 1984 spelling rules allow either way.
 */

/** Tone numbers as in VNI: 0 level (ngang), 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng. */
const TONE_OF_MARK: Readonly<Record<string, number>> = {
  '\u0301': 1,
  '\u0341': 1,
  '\u0300': 2,
  '\u0340': 2,
  '\u0309': 3,
  '\u0303': 4,
  '\u0323': 5,
};
const TONE_MARK = ['', '\u0301', '\u0300', '\u0309', '\u0303', '\u0323'] as const;
/** Vowel-quality marks: circumflex (â ê ô), breve (ă), horn (ơ ư). */
const QUALITY_MARKS = new Set(['\u0302', '\u0306', '\u031B']);

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const TELEX_TONES: Readonly<Record<string, number>> = { s: 1, f: 2, r: 3, x: 4, j: 5 };
/** Syllable-final consonant clusters allowed in Vietnamese; a Telex tone key can follow them. */
const FINALS = /(?:ch|nh|ng|c|m|n|p|t)$/;

/**
 * Double surnames that must not be split into surname + middle name. Short on purpose: only forms
 * that are unambiguous (royal-family and a few two-syllable Sino-Vietnamese surnames).
 */
const COMPOUND_SURNAMES = new Set(['ton that', 'ton nu', 'nguyen phuc', 'au duong', 'hoang phu', 'tu ma', 'gia cat', 'thuong quan', 'cong tang']);

/** Common middle names (tên đệm); Văn and Thị mark male and female names in most of the population. */
export const COMMON_MIDDLE_NAMES: readonly string[] = [
  'Văn',
  'Thị',
  'Hữu',
  'Đức',
  'Ngọc',
  'Minh',
  'Thanh',
  'Quốc',
  'Công',
  'Xuân',
  'Thu',
  'Kim',
  'Quang',
  'Đình',
  'Bảo',
  'Gia',
  'Thế',
  'Duy',
];

export interface WordForm {
  /** ASCII letters, đ → d, final y after a consonant → i: the diacritics-insensitive key. */
  folded: string;
  /** Letters with vowel-quality marks and đ, i/y canonicalised, no tone. */
  base: string;
  /** 0 (level) … 5 (nặng). */
  tone: number;
  /** The word as written carried a mark (tone, vowel quality or đ), or was decoded from Telex/VNI. */
  marked: boolean;
  /** `base` before i/y canonicalisation + tone: equal for "Hoà"/"Hòa", different for "Mỹ"/"Mĩ". */
  exact: string;
  /** The word was typed in Telex or VNI with the input method off and was decoded. */
  decoded: boolean;
  /** `folded` with dialect and keying slips collapsed (see `slipKey`): grades a difference as close. */
  slip: string;
}

export interface NameForm {
  /** NFC, trimmed, single spaces, case kept: what a person reads. */
  display: string;
  words: readonly WordForm[];
  /** Tone-placement-insensitive exact key: equal only when letters, marks and tones all agree. */
  exactKey: string;
  /** Diacritics-insensitive key (folded words joined by a space). */
  key: string;
  /** `key` without spaces, so "Thu Hà" and "ThuHà" meet. */
  compact: string;
  /** No word carries any mark: the name was keyed without Vietnamese input. */
  unmarked: boolean;
  /** Folded surname (one word, or two for a compound surname), middle name(s) and given name. */
  surname: string;
  middle: string;
  given: string;
}

/** NFC, control characters and punctuation to spaces (apostrophes and dots dropped), single spaces. */
export function cleanName(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/['’`.]/g, '')
    .replace(/[-_,;/\\()]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Strips every diacritic (đ → d) and lowercases: the plain ASCII form of a Vietnamese text. */
export function foldDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/**
 * Decodes a word typed in VNI with the input method off: "nguye6n4" → "nguyễn". Digits never occur
 * in names, so any letter+digit word is taken as VNI. Returns undefined when the word is not VNI.
 */
function decodeVni(word: string): string | undefined {
  if (!/^[a-z]+[a-z0-9]*$/.test(word) || !/[1-9]/.test(word)) return undefined;
  let out = '';
  let tone = 0;
  for (const ch of word) {
    const prev = out.at(-1) ?? '';
    if (ch === '6' && (prev === 'a' || prev === 'e' || prev === 'o')) out += '\u0302';
    else if (ch === '8' && prev === 'a') out += '\u0306';
    else if (ch === '7' && (prev === 'o' || prev === 'u')) out += '\u031B';
    else if (ch === '9' && prev === 'd') out = out.slice(0, -1) + 'đ';
    else if (ch >= '1' && ch <= '5') tone = Number(ch);
    else if (ch >= 'a' && ch <= 'z') out += ch;
  }
  return placeTone(out, tone);
}

/**
 * Decodes a word typed in Telex with the input method off: "nguyeenx" → "nguyễn", "hoaf" → "hoà",
 * "dduwcs" → "đức". Only words that cannot be Vietnamese as written are decoded (a doubled vowel, a
 * "w", "dd", or a tone key s/f/r/x/j where a syllable cannot end), so real names pass untouched.
 */
function decodeTelex(word: string): string | undefined {
  if (!/^[a-z]+$/.test(word) || word.length < 2) return undefined;
  let w = word;
  let tone = 0;
  // A tone key at the end of the word, or just before a final consonant ("nguyeexn").
  const last = w.at(-1)!;
  if (last in TELEX_TONES && hasVowel(w.slice(0, -1))) {
    const stem = w.slice(0, -1);
    const lastStem = stem.at(-1)!;
    if (VOWELS.has(lastStem) || FINALS.test(stem) || /(?:aa|ee|oo|aw|ow|uw|w)$/.test(stem)) {
      tone = TELEX_TONES[last]!;
      w = stem;
    }
  } else {
    const m = /^(.*[aeiouyw])([sfrxj])(ch|nh|ng|c|m|n|p|t)$/.exec(w);
    if (m) {
      tone = TELEX_TONES[m[2]!]!;
      w = m[1]! + m[3]!;
    }
  }
  const hasQuality = /aa|ee|oo|aw|ow|uw|dd|w/.test(w);
  if (!hasQuality && tone === 0) return undefined;
  w = w
    .replace(/^dd/, 'đ')
    .replace(/uow/g, 'u\u031Bo\u031B')
    .replace(/aa/g, 'a\u0302')
    .replace(/ee/g, 'e\u0302')
    .replace(/oo/g, 'o\u0302')
    .replace(/aw/g, 'a\u0306')
    .replace(/ow/g, 'o\u031B')
    .replace(/uw/g, 'u\u031B')
    .replace(/w/g, 'u\u031B');
  return placeTone(w, tone);
}

function hasVowel(s: string): boolean {
  for (const ch of s) if (isVowel(ch)) return true;
  return false;
}

/** A vowel letter with or without marks (â, ơ, ư … count). */
function isVowel(ch: string): boolean {
  return VOWELS.has(ch.normalize('NFD')[0] ?? '');
}

/** Puts a tone mark on the first vowel (placement does not matter: words compare by base + tone). */
function placeTone(nfdWord: string, tone: number): string {
  if (tone === 0) return nfdWord.normalize('NFC');
  const chars = [...nfdWord];
  const i = chars.findIndex((c) => VOWELS.has(c));
  if (i < 0) return nfdWord.normalize('NFC');
  let j = i + 1;
  while (j < chars.length && QUALITY_MARKS.has(chars[j]!)) j++;
  chars.splice(j, 0, TONE_MARK[tone]!);
  return chars.join('').normalize('NFC');
}

/** Final y after a consonant is interchangeable with i ("Mỹ"/"Mĩ", "Lý"/"Lí"); not after a vowel ("Tay" ≠ "Tai"). */
function canonicalIy(s: string): string {
  return s.length >= 2 && s.endsWith('y') && !isVowel(s.at(-2)!) && !QUALITY_MARKS.has(s.at(-2)!) ? s.slice(0, -1) + 'i' : s;
}

const wordCache = new Map<string, WordForm>();
const WORD_CACHE_LIMIT = 200_000;

/** Analyses one word (any case, any Unicode normalisation form). Results are memoised: names repeat. */
export function analyseWord(raw: string): WordForm {
  const cached = wordCache.get(raw);
  if (cached) return cached;
  const lower = raw.normalize('NFD').toLowerCase();
  const ascii = /^[a-z0-9]+$/.test(lower);
  const decoded = ascii ? (decodeVni(lower) ?? decodeTelex(lower)) : undefined;
  const source = (decoded ?? lower).normalize('NFD');
  let base = '';
  let folded = '';
  let tone = 0;
  let marked = decoded !== undefined;
  for (const ch of source) {
    const t = TONE_OF_MARK[ch];
    if (t !== undefined) {
      tone = t;
      marked = true;
    } else if (QUALITY_MARKS.has(ch)) {
      base += ch;
      marked = true;
    } else if (ch === 'đ') {
      base += 'đ';
      folded += 'd';
      marked = true;
    } else if (ch >= 'a' && ch <= 'z') {
      base += ch;
      folded += ch;
    }
    // Anything else (digits left over, other combining marks) carries no identity and is dropped.
  }
  base = base.normalize('NFC');
  const form: WordForm = {
    folded: canonicalIy(folded),
    base: canonicalIy(base),
    tone,
    marked,
    exact: `${base}${tone}`,
    decoded: decoded !== undefined,
    slip: slipKey(canonicalIy(folded)),
  };
  if (wordCache.size < WORD_CACHE_LIMIT) wordCache.set(raw, form);
  return form;
}

/**
 * Collapses spelling slips that keyers and dialects make between real, different spellings
 * (initial gi/d/v/r, tr/ch, x/s, nh/ng; final nh/ng/n, c/t). Used only to grade a difference as
 * `close`, which never assigns an ID by itself.
 */
export function slipKey(folded: string): string {
  return folded
    .replace(/^ngh/, 'ng')
    .replace(/^nh/, 'ng')
    .replace(/^(?:gi|v|r)/, 'd')
    .replace(/^tr/, 'ch')
    .replace(/^x/, 's')
    .replace(/(?:nh|ng)$/, 'n')
    .replace(/c$/, 't');
}

/** Splits folded words into surname / middle / given: first word (two for a compound surname), last word, the rest. */
export function splitFolded(folded: readonly string[]): { surname: string; middle: string; given: string } {
  if (folded.length === 0) return { surname: '', middle: '', given: '' };
  if (folded.length === 1) return { surname: '', middle: '', given: folded[0]! };
  const two = folded.length >= 3 ? `${folded[0]} ${folded[1]}` : '';
  const surnameWords = COMPOUND_SURNAMES.has(two) ? 2 : 1;
  return {
    surname: folded.slice(0, surnameWords).join(' '),
    middle: folded.slice(surnameWords, -1).join(' '),
    given: folded.at(-1)!,
  };
}

/**
 * Splits a full name into surname, middle name(s) and given name as written (display forms).
 * "Nguyễn Thị Thu Hà" → Nguyễn / Thị Thu / Hà; "Tôn Thất Thuyết" → Tôn Thất / '' / Thuyết.
 */
export function splitName(fullName: string): { surname: string; middle: string; given: string } {
  const words = cleanName(fullName).split(' ').filter(Boolean);
  const folded = words.map((w) => analyseWord(w).folded);
  const parts = splitFolded(folded);
  const surnameWords = parts.surname === '' ? 0 : parts.surname.split(' ').length;
  return {
    surname: words.slice(0, surnameWords).join(' '),
    middle: words.slice(surnameWords, Math.max(surnameWords, words.length - 1)).join(' '),
    given: words.at(-1) ?? '',
  };
}

/** Analyses a full name. Pure; the word analyses are memoised across calls. */
export function analyseName(raw: string): NameForm {
  const display = cleanName(raw);
  const words =
    display === ''
      ? []
      : display
          .split(' ')
          .map(analyseWord)
          .filter((w) => w.folded !== '');
  const folded = words.map((w) => w.folded).filter((w) => w !== '');
  const key = folded.join(' ');
  return {
    display,
    words,
    exactKey: words.map((w) => w.exact).join(' '),
    key,
    compact: folded.join(''),
    unmarked: words.every((w) => !w.marked),
    ...splitFolded(folded),
  };
}

/** The diacritics-insensitive key of a name: "Nguyễn Thị Thu Hà", "NGUYEN THI THU HA" and "Nguyeenx Thij Thu Haf" share it. */
export function nameKey(raw: string): string {
  return analyseName(raw).key;
}
