/**
 * Streaming reader of an entry workbook: one row at a time, never the whole workbook in memory
 * (the shared-string table is; sheets that come before it in the archive are spooled to a temp file
 * by exceljs — see docs/entry-template.md).
 *
 * Main course:
 * 1. Check the head of the stream (magic bytes) so a .xls, a CSV or an empty file fails with its own code.
 * 2. Stream the rest through a zip sniffer (macro part, truncation, CRCs) into exceljs's WorkbookReader.
 * 3. Take the first visible sheet whose row 1 is a template header; map the header.
 * 4. Scan the sheet's XML (sheet-xml.ts) and yield each non-empty data row as canonical text keyed by
 *    Ministry column name, with the cell issues found on the way (formulas, control characters…).
 * 5. After the rows: merged cells of the data sheet, data in hidden or extra sheets → `issues`;
 *    the archive complete and the data read matching its CRCs, or CORRUPT_ZIP.
 */
import { Readable } from 'node:stream';
import type { RegisterType } from '../books/register-type.js';
import { DomainError } from '../errors.js';
import type { ColumnDef } from './columns.js';
import { InvalidWorkbook } from './errors.js';
import { type OpenedWorkbook, openWorkbook, SHARED_STRINGS_PART, type SheetReader, SheetSource } from './excel-stream.js';
import { INSPECT_BYTES, inspectStart, ZipSniffer } from './file-check.js';
import { type EntryHeader, HEADER_MIN_MATCHES, type HeaderCell, headerMatchCount, matchHeader } from './header.js';
import { columnLetter } from './header-key.js';
import type { LegacyMapping } from './legacy/mapping.js';
import { type Issue, issue } from './rules.js';
import { type RawRow, type RawValue, SheetXmlParser } from './sheet-xml.js';
import { templates } from './templates/index.js';
import { canonicalText, cleanCellText, formatDate, type TextSink } from './values.js';

export interface EntryRow {
  /** The row number Excel shows (header = 1). */
  rowNumber: number;
  /** Every column of the book's template, by Ministry name: canonical text, or null when empty or absent. */
  values: Record<string, string | null>;
  /** What reading the cells found (formulas, control characters, numeric ID cells, …). */
  cellIssues: Issue[];
}

/**
 * Rows plus what was learnt about the sheet. `header` is set before the first row is yielded;
 * `issues` (sheet-level: merged cells, hidden/extra data sheets, header not found) is complete once
 * the iteration has ended.
 */
export interface EntryRowSource extends AsyncIterable<EntryRow> {
  readonly header: EntryHeader | undefined;
  readonly issues: readonly Issue[];
}

export interface ReadOptions {
  /** The book's type: values are keyed by this template's columns. */
  registerType: RegisterType;
  /** Read a legacy export through this column mapping (see legacy/mapping.ts). */
  mapping?: LegacyMapping;
}

export type EntryInput = NodeJS.ReadableStream | AsyncIterable<Buffer | Uint8Array | string>;

/**
 * Reads an uploaded entry workbook as a stream of rows. Iterate it once.
 *
 * Iteration throws `InvalidWorkbook` (EMPTY_FILE, NOT_XLSX, LEGACY_XLS, PASSWORD_PROTECTED,
 * CSV_OR_TEXT, HTML_OR_XML, ODS, XLSB, MACRO_ENABLED, CORRUPT_ZIP) — possibly after rows have been
 * yielded (a macro part or a truncation can come late in the archive): the caller must treat a throw
 * at any point as rejecting the whole file. An error of the input stream itself is rethrown as is.
 * @throws Error when `mapping.registerType` differs from `registerType` (a caller bug).
 */
export function readEntryRows(input: EntryInput, opts: ReadOptions): EntryRowSource {
  if (opts.mapping && opts.mapping.registerType !== opts.registerType) {
    throw new Error(`legacy mapping is for ${opts.mapping.registerType}, the book is ${opts.registerType}`);
  }
  return new EntryReader(input, opts);
}

const HIDDEN_STATES = new Set(['hidden', 'veryHidden']);
/** How many rows of a non-data sheet are looked at to decide whether it holds entry data. */
const PEEK_ROWS = 5;

class EntryReader implements EntryRowSource {
  header: EntryHeader | undefined;
  readonly issues: Issue[] = [];
  private used = false;
  private readonly input: EntryInput;
  private readonly opts: ReadOptions;
  /** 1-based column number → definition, for the data sheet. */
  private colDefs: (ColumnDef | undefined)[] = [];
  private headerIndexes = new Set<number>();
  private emptyValues: Record<string, null> = {};
  private unnamedReported = new Set<number>();
  /** The first visible sheet with data whose row 1 was not a header (for E-HEADER-NOT-FOUND). */
  private candidate: { sheet: string; text: string } | undefined;
  private readonly sink: TextSink = {};

  constructor(input: EntryInput, opts: ReadOptions) {
    this.input = input;
    this.opts = opts;
  }

  [Symbol.asyncIterator](): AsyncIterator<EntryRow> {
    if (this.used) throw new Error('readEntryRows: the source can be iterated only once');
    this.used = true;
    return this.rows();
  }

  private async *rows(): AsyncGenerator<EntryRow> {
    const source = toIterator(this.input);
    const head = await readHead(source, INSPECT_BYTES);
    inspectStart(head.bytes, head.done);

    const sniffer = new ZipSniffer();
    let inputError: unknown;
    const feed = async function* (): AsyncGenerator<Buffer> {
      sniffer.observe(head.bytes);
      yield head.bytes;
      if (head.done) return;
      try {
        for (;;) {
          const r = await source.next();
          if (r.done) return;
          const b = toBuffer(r.value);
          sniffer.observe(b);
          yield b;
        }
      } catch (err) {
        // Ending the stream makes exceljs fail on a truncated archive; the input's own error is rethrown below.
        inputError = err;
      }
    };
    const wb = openWorkbook(Readable.from(feed()));

    let current: SheetSource | undefined;
    let dataSheet: { part: string | undefined; source: SheetSource } | undefined;
    let done = false;
    try {
      for (;;) {
        const next = await wb.sheets.next();
        if (next.done) break;
        const sheet = next.value;
        current = new SheetSource(sheet);
        sniffer.assertAcceptable();
        if (HIDDEN_STATES.has(sheet.state ?? '') || this.header) {
          await this.peekOtherSheet(sheet, current, wb);
        } else {
          yield* this.readDataSheet(sheet, current, wb, sniffer);
          if (this.header && !dataSheet) dataSheet = { part: sheet.partPath, source: current };
        }
        await current.drain();
      }
      done = true;
    } catch (err) {
      if (inputError !== undefined) throw inputError;
      throw translate(err);
    } finally {
      if (!done) await abandon(wb, current);
    }
    if (inputError !== undefined) throw inputError;
    sniffer.assertComplete();
    // Deflate does not always notice damage; the archive's CRCs do.
    const sheetCrc = dataSheet?.source.readCrc;
    if (dataSheet?.part && sheetCrc !== undefined) sniffer.assertCrc(dataSheet.part, sheetCrc);
    const sharedCrc = wb.sharedStringsCrc();
    if (sharedCrc !== undefined) sniffer.assertCrc(SHARED_STRINGS_PART, sharedCrc);
    // The shared strings streamed by but were never parsed: values would be missing. A defect, not the user's file.
    else if (this.header && sniffer.sawPart(SHARED_STRINGS_PART)) throw new Error('entry reader: the shared-string table was not read');
    if (!this.header && this.candidate) {
      this.issues.push(issue('E-HEADER-NOT-FOUND', { value: this.candidate.text }, { sheet: this.candidate.sheet }));
    }
  }

  /** Rows of a visible sheet: if row 1 is a template header, this is the data sheet. */
  private async *readDataSheet(sheet: SheetReader, source: SheetSource, wb: OpenedWorkbook, sniffer: ZipSniffer): AsyncGenerator<EntryRow> {
    const parser = new SheetXmlParser(wb);
    // Chunk by chunk, rows converted synchronously: one async step per row (the yield), not three.
    for await (const text of source.text()) {
      for (const row of parser.push(text)) {
        if (!this.header) {
          const cells = headerCells(row);
          if (cells.length === 0) continue;
          if (row.number !== 1 || headerMatchCount(cells, this.opts.mapping) < HEADER_MIN_MATCHES) {
            this.candidate ??= {
              sheet: sheet.name,
              text: cells
                .map((c) => c.text)
                .join(' | ')
                .slice(0, 200),
            };
            return;
          }
          this.useHeader(matchHeader(sheet.name, cells, this.opts.registerType, this.opts.mapping));
          continue;
        }
        const r = this.convertRow(row);
        if (r) yield r;
      }
      if (sniffer.kind) sniffer.assertAcceptable();
    }
    if (this.header) for (const ref of parser.merges) this.issues.push(this.mergeIssue(ref));
  }

  private useHeader(h: EntryHeader): void {
    this.header = h;
    const tpl = templates[this.opts.registerType];
    const byName = new Map(tpl.columns.map((c) => [c.name, c]));
    for (const [index, name] of h.columns) this.colDefs[index] = byName.get(name);
    this.headerIndexes = new Set([...h.columns.keys(), ...h.extra.map((e) => e.index), ...h.duplicates.map((d) => d.index)]);
    this.emptyValues = Object.fromEntries(tpl.columns.map((c) => [c.name, null]));
  }

  /** A hidden sheet, or a visible one after the data sheet: reported when row 1 is a template header. */
  private async peekOtherSheet(sheet: SheetReader, source: SheetSource, wb: OpenedWorkbook): Promise<void> {
    const parser = new SheetXmlParser(wb);
    let seen = 0;
    for await (const text of source.text()) {
      for (const row of parser.push(text)) {
        if (++seen > PEEK_ROWS) return;
        const cells = headerCells(row);
        if (cells.length === 0) continue;
        if (row.number === 1 && headerMatchCount(cells, this.opts.mapping) >= HEADER_MIN_MATCHES) {
          if (HIDDEN_STATES.has(sheet.state ?? '')) this.issues.push(issue('E-HIDDEN-DATA-SHEET', {}, { sheet: sheet.name }));
          else this.issues.push(issue('E-EXTRA-DATA-SHEET', {}, { sheet: sheet.name, dataSheet: this.header?.sheetName }));
        }
        return;
      }
    }
  }

  private convertRow(row: RawRow): EntryRow | undefined {
    const values: Record<string, string | null> = { ...this.emptyValues };
    const cellIssues: Issue[] = [];
    let any = false;
    const { cols, values: raw } = row;
    for (let k = 0; k < cols.length; k++) {
      const colNumber = cols[k]!;
      const col = this.colDefs[colNumber];
      if (!col) {
        if (!this.headerIndexes.has(colNumber) && !this.unnamedReported.has(colNumber) && hasContent(raw[k])) {
          this.unnamedReported.add(colNumber);
          this.issues.push(issue('E-UNNAMED-COLUMN', { row: row.number }, { letter: columnLetter(colNumber) }));
        }
        continue;
      }
      const v = this.cellText(raw[k]!, col, row.number, cellIssues);
      if (v !== null) {
        values[col.name] = v;
        any = true;
      }
    }
    if (!any && cellIssues.length === 0) return undefined;
    return { rowNumber: row.number, values, cellIssues };
  }

  /** One cell → canonical text of its column (or null), pushing what it found into `out`. */
  private cellText(value: RawValue, col: ColumnDef, rowNumber: number, out: Issue[]): string | null {
    let v: unknown = value;
    // The common case, a string: no allocation beyond the result.
    if (typeof v === 'string') return this.stringText(v, col, rowNumber, out);
    let formula: string | undefined;
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      const o = v as Record<string, unknown>;
      if ('formula' in o || 'sharedFormula' in o) {
        const f = String(o.formula ?? o.sharedFormula ?? '');
        formula = f ? `=${f}` : 'công thức dùng chung';
        v = o.result;
        if (v === undefined || v === null) {
          out.push(issue('E-FORMULA-NO-RESULT', { row: rowNumber, column: col.name }, { formula }));
          return null;
        }
        if (typeof v === 'number' && Number.isNaN(v)) v = { error: '#VALUE!' };
      }
      if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
        const r = v as { richText?: { text: string }[]; error?: string; text?: unknown };
        if (r.error !== undefined) {
          out.push(issue('E-CELL-ERROR', { row: rowNumber, column: col.name, value: String(r.error) }));
          return null;
        }
        if (Array.isArray(r.richText)) v = r.richText.map((t) => t.text).join('');
        else if (r.text !== undefined) v = String(r.text);
      }
    }

    let text: string | null;
    if (typeof v === 'string') {
      text = this.stringText(v, col, rowNumber, out);
    } else if (typeof v === 'number') {
      text = this.stringText(String(v), col, rowNumber, out);
      if (col.type === 'idNumber' && text !== null) out.push(issue('W-ID-NUMERIC', { row: rowNumber, column: col.name, value: text }));
    } else if (typeof v === 'boolean') {
      text = v ? 'TRUE' : 'FALSE';
    } else if (v instanceof Date) {
      text = this.dateText(v, col, { row: rowNumber, column: col.name }, out);
    } else {
      text = null;
    }
    if (formula !== undefined) out.push(issue('W-FORMULA', { row: rowNumber, column: col.name, value: text ?? '' }, { formula }));
    return text;
  }

  /** Cleaned, canonical text of a string cell. */
  private stringText(raw: string, col: ColumnDef, rowNumber: number, out: Issue[]): string | null {
    const sink = this.sink;
    const text = cleanCellText(raw, col.multiline === true, sink);
    if (sink.controls) out.push(issue('E-CONTROL-CHAR', { row: rowNumber, column: col.name }, { codes: sink.controls.join(', ') }));
    if (text === null) return null;
    const value = canonicalText(col, text, this.opts.mapping?.dateFormat, sink);
    if (sink.dateChangedTo !== undefined) out.push(issue('W-DATE-NORMALISED', { row: rowNumber, column: col.name, value: text }, { normalised: value }));
    return value;
  }

  /** A date cell: dd.mm.yyyy in date columns; Excel's reading of "1/2008" as a month undone in n/yyyy columns. */
  private dateText(d: Date, col: ColumnDef, at: { row: number; column: string }, out: Issue[]): string {
    if (Number.isNaN(d.getTime())) return '';
    if (col.type === 'soDangKy' && d.getUTCDate() === 1) {
      // Typed "1/2008" into a General cell, Excel stores 1 January 2008: the month is the number.
      const value = `${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`;
      out.push(issue('W-DATE-NORMALISED', { ...at, value: formatDate(d) }, { normalised: value }));
      return value;
    }
    const hh = d.getUTCHours();
    const mm = d.getUTCMinutes();
    if (col.type === 'date' || col.type === 'dateOrYear') return formatDate(d);
    // A time typed in a text column (GioPhutChet "14:30") has no date part (serial < 1 → 30.12.1899).
    const time = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
    if (d.getUTCFullYear() < 1900) return time;
    return hh || mm ? `${formatDate(d)} ${time}` : formatDate(d);
  }

  private mergeIssue(ref: string): Issue {
    const m = /^([A-Z]+)(\d+)/.exec(ref)!;
    const colNumber = m[1]!.split('').reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
    const name = this.header?.columns.get(colNumber);
    return issue('E-MERGED-CELL', { row: Number(m[2]), ...(name ? { column: name } : {}), value: ref }, name ? {} : { column: columnLetter(colNumber) });
  }
}

function hasContent(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.trim() !== '';
  return true;
}

/** Non-empty cells of a row as header text. */
function headerCells(row: RawRow): HeaderCell[] {
  const cells: HeaderCell[] = [];
  for (let k = 0; k < row.cols.length; k++) {
    let v: unknown = row.values[k];
    // A formula's cached result; an error cell names no column.
    if (typeof v === 'object' && !(v instanceof Date)) v = (v as { result?: unknown }).result;
    if (v === undefined || v === null || (typeof v === 'object' && !(v instanceof Date))) continue;
    const text = v instanceof Date ? formatDate(v) : String(v);
    if (text.trim() !== '') cells.push({ index: row.cols[k]!, text });
  }
  return cells;
}

/** exceljs/unzipper/zlib/sax failures mean a damaged archive; our own and programming errors pass through. */
function translate(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  if (err instanceof TypeError || err instanceof ReferenceError || err instanceof SyntaxError) return err;
  return new InvalidWorkbook('CORRUPT_ZIP', { cause: err });
}

/**
 * Stops early without leaking: the current sheet is drained (or its spooled file closed) and the
 * remaining sheets are skipped through exceljs, which drains their entries and deletes its temp
 * files. Failures are ignored: the archive is being abandoned.
 */
async function abandon(wb: OpenedWorkbook, current: SheetSource | undefined): Promise<void> {
  try {
    await current?.drain();
    for (;;) {
      const next = await wb.sheets.next();
      if (next.done) break;
      await new SheetSource(next.value).drain();
    }
  } catch {
    /* abandoned */
  }
}

function toIterator(input: EntryInput): AsyncIterator<Buffer | Uint8Array | string> {
  return (input as AsyncIterable<Buffer | Uint8Array | string>)[Symbol.asyncIterator]();
}

function toBuffer(v: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Reads at least `n` bytes (or to the end) from the source. */
async function readHead(source: AsyncIterator<Buffer | Uint8Array | string>, n: number): Promise<{ bytes: Buffer; done: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const r = await source.next();
    if (r.done) return { bytes: Buffer.concat(chunks), done: true };
    const b = toBuffer(r.value);
    chunks.push(b);
    size += b.length;
  }
  return { bytes: Buffer.concat(chunks), done: false };
}
