/**
 * A scanner for the two big parts of an .xlsx — a worksheet's `<sheetData>` and the shared-string
 * table — fed text chunk by chunk. exceljs parses them with a general SAX parser and builds a Row and
 * a styled Cell object per cell, which caps a 70-column book at a few thousand rows per second; this
 * scanner finds elements with `indexOf` and builds only what the entry reader needs (values in
 * exceljs's shapes, so the cell rules are the same). Everything else (zip, workbook, styles) stays
 * with exceljs.
 *
 * Covered: rows and cells with or without `r`, self-closing rows/cells, cell types s / str /
 * inlineStr / b / e / d / n, formulas (`<f>`, shared, with or without cached value), rich text, phonetic
 * runs (skipped), XML entities, namespace prefixes (`<x:row>`), merged cells after `</sheetData>`.
 */

/** A cell value in exceljs's shapes: what `cellText` in the reader understands. */
export type RawValue =
  | string
  | number
  | boolean
  | Date
  | { error: string }
  | { formula: string; result?: string | number | boolean | Date | { error: string } };

/**
 * A row's non-empty cells, column-wise (two arrays per row rather than an object per cell: a book
 * has millions of cells). Date-formatted numbers, formula results included, are already dates.
 */
export interface RawRow {
  /** The row number Excel shows. */
  number: number;
  /** 1-based column numbers, ascending as in the file. */
  cols: number[];
  values: RawValue[];
}

export interface SheetContext {
  /** Entry `i` of the shared-string table (undefined when out of range). */
  sharedString(i: number): string | undefined;
  /** The number format of a style index (`s` attribute), if any. */
  numFmt(styleId: number): string | undefined;
  date1904(): boolean;
}

const ENTITY = /&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text → string. */
export function decodeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_, e: string) => {
    if (e[0] !== '#') return NAMED[e]!;
    const code = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

/** Whether a number format shows dates (exceljs's own test). */
export function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  return /[ymdhMsb]/.test(fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** An Excel serial number as a JS date (UTC), as exceljs converts date cells. */
export function excelSerialToDate(v: number, date1904: boolean): Date {
  return new Date(Math.round((v - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

/** Text of the `<t>` elements of a string item, phonetic runs left out. */
function itemText(inner: string, p: string): string {
  let s = inner;
  if (s.includes(`<${p}rPh`)) s = s.replace(new RegExp(`<${p}rPh\\b[\\s\\S]*?</${p}rPh>`, 'g'), '');
  const open = `<${p}t`;
  const close = `</${p}t>`;
  let out = '';
  let i = s.indexOf(open);
  while (i >= 0) {
    const after = s.charCodeAt(i + open.length);
    // "<t>" or "<t xml:space=…>", not "<tabColor" or similar.
    if (after === 62 /* > */ || after === 32 || after === 9 || after === 10 || after === 13 || after === 47 /* / */) {
      const tagEnd = s.indexOf('>', i);
      if (tagEnd < 0) break;
      if (s.charCodeAt(tagEnd - 1) === 47) {
        i = s.indexOf(open, tagEnd);
        continue;
      }
      const end = s.indexOf(close, tagEnd);
      if (end < 0) break;
      out += s.slice(tagEnd + 1, end);
      i = s.indexOf(open, end + close.length);
    } else {
      i = s.indexOf(open, i + open.length);
    }
  }
  return decodeXml(out);
}

/** True when the character after a tag name ends the name (so "<c" does not match "<col"). */
function endsName(s: string, at: number): boolean {
  const c = s.charCodeAt(at);
  return c === 62 || c === 32 || c === 47 || c === 9 || c === 10 || c === 13;
}

const CACHE_MASK = 4095;

/**
 * The shared-string table, compact: every string's UTF-16 code units in one growing buffer, with an
 * offset per string. A 100,000-row book has ~700,000 distinct texts: as JS strings that is ~45 MB of
 * small objects the garbage collector walks again and again; here it is one buffer of ~25 MB. A lookup
 * makes a short-lived string (a copy of a few dozen bytes).
 */
export class SharedStringTable {
  private buf = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private offsets = new Uint32Array(1 << 12);
  private count = 0;
  private readonly cacheKeys = new Int32Array(CACHE_MASK + 1).fill(-1);
  private readonly cacheValues: (string | undefined)[] = new Array(CACHE_MASK + 1);

  get length(): number {
    return this.count;
  }

  push(s: string): void {
    const bytes = s.length * 2;
    if (this.used + bytes > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + bytes));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    this.buf.write(s, this.used, 'utf16le');
    this.used += bytes;
    if (this.count + 2 > this.offsets.length) {
      const bigger = new Uint32Array(this.offsets.length * 2);
      bigger.set(this.offsets);
      this.offsets = bigger;
    }
    this.offsets[++this.count] = this.used;
  }

  get(i: number): string | undefined {
    if (!(i >= 0 && i < this.count)) return undefined;
    // Categorical texts (nationality, places, officers) repeat: a small direct-mapped cache saves decoding them.
    const slot = i & CACHE_MASK;
    if (this.cacheKeys[slot] === i) return this.cacheValues[slot];
    const s = this.buf.toString('utf16le', this.offsets[i], this.offsets[i + 1]);
    this.cacheKeys[slot] = i;
    this.cacheValues[slot] = s;
    return s;
  }
}

/** The shared-string table (`xl/sharedStrings.xml`), parsed into `out` as plain strings. */
export class SharedStringsParser {
  private buf = '';
  private prefix: string | undefined;
  private readonly out: { push(s: string): unknown };

  constructor(out: { push(s: string): unknown }) {
    this.out = out;
  }

  push(chunk: string): void {
    this.buf += chunk;
    if (this.prefix === undefined) {
      const m = /<(\w+:)?sst\b/.exec(this.buf);
      if (!m) return;
      this.prefix = m[1] ?? '';
    }
    const p = this.prefix;
    const open = `<${p}si`;
    const close = `</${p}si>`;
    const s = this.buf;
    let pos = 0;
    for (;;) {
      const i = s.indexOf(open, pos);
      if (i < 0 || i + open.length >= s.length) break;
      if (!endsName(s, i + open.length)) {
        pos = i + open.length;
        continue;
      }
      const tagEnd = s.indexOf('>', i);
      if (tagEnd < 0) break;
      if (s.charCodeAt(tagEnd - 1) === 47) {
        this.out.push('');
        pos = tagEnd + 1;
        continue;
      }
      const end = s.indexOf(close, tagEnd);
      if (end < 0) {
        pos = i;
        break;
      }
      this.out.push(itemText(s.slice(tagEnd + 1, end), p));
      pos = end + close.length;
    }
    this.buf = s.slice(pos);
  }
}

type Phase = 'before' | 'data' | 'after';

/** Cell types (`t` attribute) as small numbers, read without slicing the attribute. */
const T_NUMBER = 0;
const T_SHARED = 1;
const T_STR = 2;
const T_INLINE = 3;
const T_BOOL = 4;
const T_ERROR = 5;
const T_DATE = 6;

function typeAt(s: string, from: number, to: number): number {
  switch (s.charCodeAt(from)) {
    case 115 /* s */:
      return to - from === 1 ? T_SHARED : T_STR;
    case 105 /* i */:
      return T_INLINE;
    case 98 /* b */:
      return T_BOOL;
    case 101 /* e */:
      return T_ERROR;
    case 100 /* d */:
      return T_DATE;
    default:
      return T_NUMBER;
  }
}

/** Column number of a cell reference ("BR12" → 70) read in place. */
function columnAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c < 65 || c > 90) break;
    n = n * 26 + c - 64;
  }
  return n;
}

/** A non-negative integer written exactly in s[from, to); anything else is parsed as a number. */
function indexAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return Number(s.slice(from, to).trim());
    n = n * 10 + c;
  }
  return to > from ? n : Number.NaN;
}

function intAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return n;
}

/**
 * One worksheet's XML → rows. `push` returns the rows completed by the chunk; `merges` holds the
 * merged ranges (listed after the rows) once the sheet has been pushed to its end.
 */
export class SheetXmlParser {
  readonly merges: string[] = [];
  private buf = '';
  private phase: Phase = 'before';
  private p = '';
  private rowOpen = '<row';
  private rowClose = '</row>';
  private cOpen = '<c';
  private cClose = '</c>';
  private vOpen = '<v>';
  private vClose = '</v>';
  private lastRow = 0;
  private readonly ctx: SheetContext;
  /** Per style index: its number format ('' when none) and whether it shows dates. */
  private readonly fmts: (string | undefined)[] = [];
  private readonly dateStyles: (boolean | undefined)[] = [];
  // Attributes of the cell being read (set by `readAttributes`, no allocation per cell).
  private aCol = 0;
  private aStyle = 0;
  private aType = T_NUMBER;

  constructor(ctx: SheetContext) {
    this.ctx = ctx;
  }

  push(chunk: string): RawRow[] {
    this.buf = this.buf ? this.buf + chunk : chunk;
    const rows: RawRow[] = [];
    if (this.phase === 'before') this.findSheetData();
    if (this.phase === 'data') this.scanRows(rows);
    if (this.phase === 'after') this.scanMerges();
    return rows;
  }

  private findSheetData(): void {
    const m = /<(\w+:)?sheetData\b/.exec(this.buf);
    if (!m) {
      // Keep a possible partial tag.
      this.buf = this.buf.slice(-40);
      return;
    }
    const tagEnd = this.buf.indexOf('>', m.index);
    if (tagEnd < 0) {
      this.buf = this.buf.slice(m.index);
      return;
    }
    const p = m[1] ?? '';
    this.p = p;
    this.rowOpen = `<${p}row`;
    this.rowClose = `</${p}row>`;
    this.cOpen = `<${p}c`;
    this.cClose = `</${p}c>`;
    this.vOpen = `<${p}v>`;
    this.vClose = `</${p}v>`;
    this.phase = this.buf.charCodeAt(tagEnd - 1) === 47 ? 'after' : 'data';
    this.buf = this.buf.slice(tagEnd + 1);
  }

  private scanRows(rows: RawRow[]): void {
    const s = this.buf;
    const open = this.rowOpen;
    const close = this.rowClose;
    const dataEnd = `</${this.p}sheetData>`;
    // Where the rows end, if in this buffer: searched once, not per row.
    const j = s.indexOf(dataEnd);
    let pos = 0;
    for (;;) {
      const i = s.indexOf(open, pos);
      if (j >= 0 && (i < 0 || j < i)) {
        this.phase = 'after';
        pos = j + dataEnd.length;
        break;
      }
      if (i < 0 || i + open.length >= s.length) {
        const lt = s.lastIndexOf('<');
        pos = lt >= pos ? lt : s.length;
        break;
      }
      const tagEnd = s.indexOf('>', i);
      if (tagEnd < 0) {
        pos = i;
        break;
      }
      if (s.charCodeAt(tagEnd - 1) === 47) {
        this.lastRow = this.rowNumber(s, i + open.length, tagEnd);
        pos = tagEnd + 1;
        continue;
      }
      const end = s.indexOf(close, tagEnd);
      if (end < 0) {
        pos = i;
        break;
      }
      const number = this.rowNumber(s, i + open.length, tagEnd);
      this.lastRow = number;
      const row: RawRow = { number, cols: [], values: [] };
      this.cells(s, tagEnd + 1, end, row);
      rows.push(row);
      pos = end + close.length;
    }
    this.buf = s.slice(pos);
  }

  private rowNumber(s: string, from: number, to: number): number {
    this.readAttributes(s, from, to, true);
    return this.aCol > 0 ? this.aCol : this.lastRow + 1;
  }

  /**
   * Reads the `r`, `s` and `t` attributes of a tag in place: any order, either quote, any spacing,
   * prefixed attributes (`xr:uid`) skipped. For a row, `r` is the row number (kept in `aCol`).
   */
  private readAttributes(s: string, from: number, to: number, isRow: boolean): void {
    this.aCol = 0;
    this.aStyle = 0;
    this.aType = T_NUMBER;
    let k = from;
    while (k < to) {
      const c = s.charCodeAt(k);
      if (c <= 32 || c === 47) {
        k++;
        continue;
      }
      const nameStart = k;
      while (k < to && s.charCodeAt(k) !== 61 && s.charCodeAt(k) > 32) k++;
      const nameLen = k - nameStart;
      while (k < to && s.charCodeAt(k) !== 34 && s.charCodeAt(k) !== 39) k++;
      if (k >= to) return;
      const valueStart = k + 1;
      const valueEnd = s.indexOf(s.charCodeAt(k) === 34 ? '"' : "'", valueStart);
      if (valueEnd < 0 || valueEnd > to) return;
      if (nameLen === 1) {
        const n = s.charCodeAt(nameStart);
        if (n === 114 /* r */) this.aCol = isRow ? intAt(s, valueStart, valueEnd) : columnAt(s, valueStart, valueEnd);
        else if (n === 115 /* s */) this.aStyle = intAt(s, valueStart, valueEnd);
        else if (n === 116 /* t */) this.aType = typeAt(s, valueStart, valueEnd);
      }
      k = valueEnd + 1;
    }
  }

  private cells(s: string, from: number, to: number, row: RawRow): void {
    const open = this.cOpen;
    const close = this.cClose;
    let lastCol = 0;
    let i = s.indexOf(open, from);
    while (i >= 0 && i < to) {
      const nameEnd = i + open.length;
      if (!endsName(s, nameEnd)) {
        i = s.indexOf(open, nameEnd);
        continue;
      }
      const tagEnd = s.indexOf('>', nameEnd);
      const selfClosing = s.charCodeAt(tagEnd - 1) === 47;
      this.readAttributes(s, nameEnd, tagEnd, false);
      const col = this.aCol > 0 ? this.aCol : lastCol + 1;
      lastCol = col;
      if (selfClosing) {
        i = s.indexOf(open, tagEnd + 1);
        continue;
      }
      const end = s.indexOf(close, tagEnd);
      if (end < 0 || end > to) break;
      const value = this.cell(s, tagEnd + 1, end, this.aStyle, this.aType);
      if (value !== undefined) {
        row.cols.push(col);
        row.values.push(value);
      }
      i = s.indexOf(open, end + close.length);
    }
  }

  /** The cell whose content is s[from, to). */
  private cell(s: string, from: number, to: number, styleId: number, type: number): RawValue | undefined {
    const p = this.p;
    const vOpen = this.vOpen;
    const vClose = this.vClose;
    // The usual cell is just a value: `<v>…</v>`.
    const plainValue = s.startsWith(vOpen, from) && s.startsWith(vClose, to - vClose.length) && to - from >= vOpen.length + vClose.length;
    // The commonest of all, a shared string: its index is read in place.
    if (plainValue && type === T_SHARED) return this.ctx.sharedString(indexAt(s, from + vOpen.length, to - vClose.length));
    let v: string | undefined;
    let f: string | undefined;
    let inner: string | undefined;
    if (plainValue) v = s.slice(from + vOpen.length, to - vClose.length);
    else {
      inner = s.slice(from, to);
      v = element(inner, `${p}v`);
      const fi = inner.indexOf(`<${p}f`);
      if (fi >= 0 && endsName(inner, fi + p.length + 2)) {
        const tagEnd = inner.indexOf('>', fi);
        if (inner.charCodeAt(tagEnd - 1) === 47) f = '';
        else {
          const end = inner.indexOf(`</${p}f>`, tagEnd);
          f = decodeXml(inner.slice(tagEnd + 1, end));
        }
      }
    }
    let value: Exclude<RawValue, { formula: string }> | undefined;
    switch (type) {
      case T_SHARED:
        value = v === undefined ? undefined : this.ctx.sharedString(+v);
        break;
      case T_INLINE: {
        const is = inner === undefined ? undefined : element(inner, `${p}is`, true);
        value = is !== undefined ? itemText(is, p) : v !== undefined ? decodeXml(v) : undefined;
        break;
      }
      case T_STR:
        value = v === undefined ? undefined : decodeXml(v);
        break;
      case T_BOOL:
        value = v === undefined ? undefined : v.trim() === '1' || v.trim() === 'true';
        break;
      case T_ERROR:
        value = v === undefined ? undefined : { error: decodeXml(v) };
        break;
      case T_DATE:
        value = v === undefined ? undefined : new Date(v);
        break;
      default:
        if (v !== undefined && v.trim() !== '') {
          const n = +v;
          value = styleId && this.isDateStyle(styleId) && Number.isFinite(n) ? excelSerialToDate(n, this.ctx.date1904()) : n;
        }
    }
    if (f !== undefined) return value === undefined ? { formula: f } : { formula: f, result: value };
    return value;
  }

  private numFmt(styleId: number): string | undefined {
    let f = this.fmts[styleId];
    if (f === undefined) {
      f = this.ctx.numFmt(styleId) ?? '';
      this.fmts[styleId] = f;
    }
    return f === '' ? undefined : f;
  }

  private isDateStyle(styleId: number): boolean {
    let d = this.dateStyles[styleId];
    if (d === undefined) {
      d = isDateFormat(this.numFmt(styleId));
      this.dateStyles[styleId] = d;
    }
    return d;
  }

  /** After the rows: small. Parse complete elements, keep an unfinished one for the next chunk. */
  private scanMerges(): void {
    const lastGt = this.buf.lastIndexOf('>');
    if (lastGt < 0) return;
    const complete = this.buf.slice(0, lastGt + 1);
    this.buf = this.buf.slice(lastGt + 1);
    for (const m of complete.matchAll(/<(?:\w+:)?mergeCell\b[^>]*\bref\s*=\s*["']([A-Z]+\d+(?::[A-Z]+\d+)?)["']/g)) this.merges.push(m[1]!);
  }
}

/**
 * The raw content of the first `<name>…</name>` in `s` (entities not decoded); undefined when absent.
 * A self-closing element is undefined, or '' when `emptyIfClosed` (an empty inline string).
 */
function element(s: string, name: string, emptyIfClosed = false): string | undefined {
  const i = s.indexOf(`<${name}`);
  if (i < 0 || !endsName(s, i + name.length + 1)) return undefined;
  const tagEnd = s.indexOf('>', i);
  if (s.charCodeAt(tagEnd - 1) === 47) return emptyIfClosed ? '' : undefined;
  const end = s.indexOf(`</${name}>`, tagEnd);
  return end < 0 ? undefined : s.slice(tagEnd + 1, end);
}
