/** How header cells are compared: tolerant to the quirks real files carry. */
import { decodeOoxmlEscapes } from './values.js';

/**
 * The comparison key of a header text: escapes decoded, NFC (files keyed on macOS carry NFD),
 * lower case, line breaks and whitespace runs as one space, trimmed, trailing "*" or ":" (required
 * markers) dropped.
 */
export function headerKey(text: string): string {
  return decodeOoxmlEscapes(text)
    .normalize('NFC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s*:]+$/, '');
}

/**
 * Keys to try, best first: the whole text; without spaces ("nks HoTen"); the first word, so code
 * hints ("loaiDangKy i=[1,2,3,4,5,6]") and notes in brackets ("nksHoTen (Họ tên)") are ignored.
 */
export function headerKeyCandidates(text: string): string[] {
  const k = headerKey(text);
  if (k === '') return [];
  const out = [k];
  const noSpace = k.replace(/ /g, '');
  if (noSpace !== k) out.push(noSpace);
  const first = k.split(/[\s([{=]/)[0] ?? '';
  if (first && first !== k) out.push(first);
  return out;
}

/** 1 → "A", 27 → "AA". */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}
