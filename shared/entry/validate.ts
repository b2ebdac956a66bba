/**
 * Validation of an entry file against its book: row rules as rows stream by, book rules from
 * compact state (per year: registration number → first row), header and sheet findings from the
 * reader. Memory stays flat: rows are never kept; issues are capped (`maxIssues`).
 *
 * Main course:
 * 1. On the first row, turn the reader's header into issues (wrong type, missing/extra columns).
 * 2. Each row: the reader's cell issues, then the row rules; remember (year, number) → row.
 * 3. Stop at `maxRows` + 1 rows (E-TOO-MANY-ROWS): the rest of the file is not read.
 * 4. At the end: sheet issues, no data, duplicates were found on the way, gaps, count vs closing total.
 */
import type { RegisterType } from '../books/register-type.js';
import { registerTypeTitles } from '../books/register-type.js';
import { describeCodes, isCode } from './codes.js';
import type { ColumnDef } from './columns.js';
import type { EntryHeader } from './header.js';
import type { EntryRow } from './reader.js';
import { type Issue, issue, type RuleId } from './rules.js';
import { templates } from './templates/index.js';
import { checkDate, parseSoDangKy, todayKey } from './values.js';

export interface EntryBook {
  registerType: RegisterType;
  quyenSo: string;
  yearOpened: number;
  /** Events written at closing; null when the book was never closed (then not compared). */
  closingTotal: number | null;
}

export interface EntryLimits {
  /** More data rows than this → E-TOO-MANY-ROWS and reading stops. */
  maxRows: number;
  /** No cell may be longer (a column's own `maxLength` may be stricter). */
  maxCellLength: number;
  /** Issues kept in the result; further ones are only counted (`summary.issuesTruncated`). */
  maxIssues: number;
  /** "Today" for the no-future-dates rule (tests pin it). Judged in Vietnam's time zone. */
  now?: Date;
}

export const defaultLimits: EntryLimits = { maxRows: 20_000, maxCellLength: 2_000, maxIssues: 10_000 };

/** Plausible years: registrations from 1900 to the year after the book was opened; other dates from 1850. */
export const MIN_REGISTRATION_YEAR = 1900;
export const MIN_EVENT_YEAR = 1850;

export interface ValidationSummary {
  /** Data rows read (when E-TOO-MANY-ROWS, the rows read before stopping). */
  rows: number;
  errors: number;
  warnings: number;
  /** Rows per registration year (from `so`, else `ngayDangKy`; "?" when neither is readable). */
  byYear: Record<string, number>;
  issuesTruncated: boolean;
}

export interface ValidationResult {
  issues: Issue[];
  summary: ValidationSummary;
}

/** What `validateEntry` reads: rows, and optionally the reader's header and sheet issues. */
export type EntryRows = AsyncIterable<EntryRow> & { readonly header?: EntryHeader | undefined; readonly issues?: readonly Issue[] };

/**
 * Validates the rows of an entry file for `book`. Never throws for bad data (that is what the issues
 * are for); rethrows what the row source throws (`InvalidWorkbook` from the reader).
 */
export async function validateEntry(rows: EntryRows, book: EntryBook, limits: Partial<EntryLimits> = {}): Promise<ValidationResult> {
  const v = new Validator(book, { ...defaultLimits, ...limits });
  let headerChecked = false;
  for await (const row of rows) {
    if (!headerChecked) {
      headerChecked = true;
      v.checkHeader(rows.header);
    }
    if (!v.row(row)) break;
  }
  if (!headerChecked) v.checkHeader(rows.header);
  return v.finish(rows.header, rows.issues ?? []);
}

/**
 * Text that a spreadsheet would run as a formula once the value is written back to a sheet or a CSV
 * (formula / DDE injection, e.g. `=HYPERLINK(…)`, `=cmd|' /C calc'!A0`, `@SUM(…)`, `-2+3+cmd|…`).
 * A leading "=" or "@" is never part of a register entry; a leading "+" or "-" is, in remarks written
 * as a list ("- Đã cải chính…"), so those count only when glued to what follows and carrying a call,
 * a pipe or a sheet reference.
 */
export function looksLikeFormula(value: string): boolean {
  if (/^[=@]/.test(value)) return true;
  return /^[+-]\S/.test(value) && /[(|!]/.test(value);
}

class Validator {
  private readonly issues: Issue[] = [];
  private errors = 0;
  private warnings = 0;
  private truncated = false;
  private count = 0;
  private tooMany = false;
  /** Stops row rules when the file is another register type (every row would fail). */
  private wrongType = false;
  private readonly columns: ColumnDef[];
  private readonly columnOrder: Map<string, number>;
  private present: Set<string> | undefined;
  /** The columns checked on each row, with their length limit: the template's, or those present in the header. */
  private checked: { col: ColumnDef; limit: number }[];
  private readonly soCol: ColumnDef;
  private readonly quyenSoCol: ColumnDef;
  private readonly namMoSoCol: ColumnDef | undefined;
  /** year → registration number → first row holding it. Compact: two numbers per row. */
  private readonly numbers = new Map<number, Map<number, number>>();
  private readonly byYear = new Map<string, number>();
  private readonly today: number;
  private readonly book: EntryBook;
  private readonly limits: EntryLimits;
  private readonly bookQuyenSo: { n: number; year: number } | undefined;

  constructor(book: EntryBook, limits: EntryLimits) {
    this.book = book;
    this.limits = limits;
    this.columns = templates[book.registerType].columns;
    this.columnOrder = new Map(this.columns.map((c, i) => [c.name, i]));
    this.today = todayKey(limits.now);
    this.bookQuyenSo = parseSoDangKy(book.quyenSo.trim());
    this.checked = this.plan(undefined);
    this.soCol = this.columns.find((c) => c.name === 'so')!;
    this.quyenSoCol = this.columns.find((c) => c.name === 'quyenSo')!;
    this.namMoSoCol = this.columns.find((c) => c.name === 'NamMoSo');
  }

  private plan(present: Set<string> | undefined): { col: ColumnDef; limit: number }[] {
    return this.columns
      .filter((c) => !present || present.has(c.name))
      .map((col) => ({ col, limit: Math.min(col.maxLength ?? Number.POSITIVE_INFINITY, this.limits.maxCellLength) }));
  }

  private add(i: Issue): void {
    if (i.severity === 'error') this.errors++;
    else this.warnings++;
    if (this.issues.length < this.limits.maxIssues) this.issues.push(i);
    else this.truncated = true;
  }

  private at(ruleId: RuleId, row: number, col: ColumnDef, value?: string, params: Record<string, string | number | undefined> = {}): void {
    this.add(issue(ruleId, { row, column: col.name, ...(value !== undefined ? { value } : {}) }, { label: col.label, ...params }));
  }

  checkHeader(h: EntryHeader | undefined): void {
    if (!h) return;
    this.present = h.present;
    this.checked = this.plan(h.present);
    const expected = this.book.registerType;
    if (h.detectedType && h.detectedType !== expected) {
      this.wrongType = true;
      this.add(
        issue(
          'E-WRONG-TYPE',
          {},
          { detected: h.detectedType, detectedTitle: registerTypeTitles[h.detectedType], expected, expectedTitle: registerTypeTitles[expected] },
        ),
      );
      return;
    }
    for (const name of h.missing) {
      const col = this.columns.find((c) => c.name === name)!;
      this.add(issue('E-MISSING-COLUMN', { column: name }, { label: col.label }));
    }
    for (const e of h.extra) {
      if (h.mode === 'legacy') this.add(issue('W-UNMAPPED-COLUMN', { row: 1, value: e.text }, { letter: e.letter, source: h.source }));
      else this.add(issue('E-EXTRA-COLUMN', { row: 1, value: e.text }, { letter: e.letter, expected }));
    }
    for (const d of h.duplicates) this.add(issue('E-DUPLICATE-COLUMN', { row: 1, column: d.column }, { letter: d.letter, firstLetter: d.firstLetter }));
  }

  /** Checks one row; false when reading must stop. */
  row(r: EntryRow): boolean {
    this.count++;
    if (this.count > this.limits.maxRows) {
      this.tooMany = true;
      this.count--;
      this.add(issue('E-TOO-MANY-ROWS', { row: r.rowNumber }, { limit: this.limits.maxRows }));
      return false;
    }
    for (const i of r.cellIssues) this.add(i);
    if (this.wrongType) return true;

    const numericIds = r.cellIssues.length ? new Set(r.cellIssues.filter((i) => i.ruleId === 'W-ID-NUMERIC').map((i) => i.column)) : undefined;
    const row = r.rowNumber;
    const values = r.values;
    let registrationYear: number | undefined;
    for (const { col, limit } of this.checked) {
      const value = values[col.name];
      if (value === null || value === undefined) {
        if (col.required) this.at('E-REQUIRED', row, col);
        continue;
      }
      if (value.length > limit) this.at('E-CELL-TOO-LONG', row, col, value.slice(0, 50), { length: value.length, limit });
      switch (col.type) {
        case 'soDangKy':
          if (!parseSoDangKy(value)) this.at(col.name === 'quyenSo' ? 'E-QUYENSO-FORMAT' : 'E-SO-FORMAT', row, col, value);
          break;
        case 'date':
        case 'dateOrYear': {
          const y = this.checkDateCell(row, col, value);
          if (col.name === 'ngayDangKy') registrationYear = y;
          break;
        }
        case 'code':
          if (!isCode(col.codes!, value)) this.at('E-CODE', row, col, value, { list: col.codes!.title, allowed: describeCodes(col.codes!) });
          break;
        case 'integer':
          if (!/^\d{1,9}$/.test(value)) this.at('E-INTEGER', row, col, value);
          break;
        case 'idNumber':
          this.checkId(row, col, value, values, numericIds?.has(col.name) === true);
          break;
        case 'text':
          if (looksLikeFormula(value)) this.at('E-FORMULA-TEXT', row, col, value.slice(0, 50));
          break;
        default:
          break;
      }
    }

    // Cross-column and book rules.
    const so = values.so ? parseSoDangKy(values.so) : undefined;
    const soCol = this.soCol;
    if (so && registrationYear !== undefined && so.year !== registrationYear) this.at('E-SO-YEAR', row, soCol, values.so!, { year: registrationYear });
    const q = values.quyenSo ? parseSoDangKy(values.quyenSo) : undefined;
    if (q && this.bookQuyenSo && (q.n !== this.bookQuyenSo.n || q.year !== this.bookQuyenSo.year)) {
      this.at('E-QUYENSO-MISMATCH', row, this.quyenSoCol, values.quyenSo!, { expected: this.book.quyenSo });
    }
    const namMoSo = values.NamMoSo;
    if (namMoSo && /^\d{4}$/.test(namMoSo) && Number(namMoSo) !== this.book.yearOpened) {
      this.at('E-NAMMOSO-MISMATCH', row, this.namMoSoCol!, namMoSo, { expected: this.book.yearOpened });
    }
    if (so) {
      const inYear = this.numbers.get(so.year) ?? new Map<number, number>();
      this.numbers.set(so.year, inYear);
      const first = inYear.get(so.n);
      if (first !== undefined) this.at('E-SO-DUPLICATE', row, soCol, values.so!, { firstRow: first });
      else inYear.set(so.n, row);
    }
    const year = so?.year ?? registrationYear;
    const key = year === undefined ? '?' : String(year);
    this.byYear.set(key, (this.byYear.get(key) ?? 0) + 1);
    return true;
  }

  /** Format, calendar, plausible year, not in the future. Returns the year when the date is valid. */
  private checkDateCell(row: number, col: ColumnDef, value: string): number | undefined {
    const yearOnly = col.type === 'dateOrYear';
    const d = checkDate(value, yearOnly);
    if (!d.ok) {
      if (d.problem === 'invalid') this.at('E-DATE-INVALID', row, col, value);
      else this.at('E-DATE-FORMAT', row, col, value, { format: yearOnly ? 'dd.mm.yyyy hoặc yyyy' : 'dd.mm.yyyy' });
      return undefined;
    }
    const isRegistration = col.name === 'ngayDangKy';
    const min = isRegistration ? MIN_REGISTRATION_YEAR : MIN_EVENT_YEAR;
    const max = isRegistration ? this.book.yearOpened + 1 : Math.floor(this.today / 10000);
    if (d.key > (d.yearOnly ? Math.floor(this.today / 10000) * 10000 : this.today)) {
      this.at('E-DATE-FUTURE', row, col, value);
      return d.year;
    }
    if (d.year < min || d.year > max) this.at('E-DATE-YEAR', row, col, value, { year: d.year, min, max });
    return d.year;
  }

  private checkId(row: number, col: ColumnDef, value: string, values: Record<string, string | null>, wasNumber: boolean): void {
    let ok: boolean;
    let expectation: string;
    const docType = col.docTypeColumn ? values[col.docTypeColumn] : undefined;
    if (col.idKind === 'personalId') {
      ok = /^\d{12}$/.test(value);
      expectation = 'số định danh cá nhân gồm đúng 12 chữ số';
    } else if (docType === '1') {
      ok = /^(\d{9}|\d{12})$/.test(value);
      expectation = 'số CMND gồm 9 hoặc 12 chữ số';
    } else if (docType === '4') {
      ok = /^\d{12}$/.test(value);
      expectation = 'số CCCD gồm đúng 12 chữ số';
    } else {
      ok = /^[0-9A-Za-z-]{1,20}$/.test(value);
      expectation = 'chỉ gồm chữ cái, chữ số và dấu gạch ngang, tối đa 20 ký tự';
    }
    if (ok) return;
    if (wasNumber && /^\d+$/.test(value)) this.at('E-ID-LEADING-ZERO', row, col, value, { length: value.length, expectation });
    else this.at('E-ID-FORMAT', row, col, value, { expectation });
  }

  finish(header: EntryHeader | undefined, sheetIssues: readonly Issue[]): ValidationResult {
    for (const i of sheetIssues) this.add(i);
    if (this.count === 0) {
      if (header) this.add(issue('E-NO-DATA', {}, { sheet: header.sheetName }));
      else if (!sheetIssues.some((i) => i.ruleId === 'E-HEADER-NOT-FOUND')) this.add(issue('E-EMPTY-WORKBOOK'));
    }
    // A partial read (too many rows) or another register type says nothing about gaps or the total.
    if (!this.tooMany && !this.wrongType && this.count > 0) {
      this.gaps();
      if (this.book.closingTotal !== null && this.count !== this.book.closingTotal) {
        this.add(issue('E-COUNT-MISMATCH', {}, { rows: this.count, closingTotal: this.book.closingTotal }));
      }
    }
    const order = (i: Issue) => (i.column === undefined ? -1 : (this.columnOrder.get(i.column) ?? this.columns.length));
    this.issues.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || order(a) - order(b) || a.ruleId.localeCompare(b.ruleId));
    return {
      issues: this.issues,
      summary: {
        rows: this.count,
        errors: this.errors,
        warnings: this.warnings,
        byYear: Object.fromEntries([...this.byYear].sort(([a], [b]) => a.localeCompare(b))),
        issuesTruncated: this.truncated,
      },
    };
  }

  /**
   * Numbers missing between the smallest and largest number of each year. The first number need not
   * be 1: numbering continues from the previous book of the same year.
   */
  private gaps(): void {
    for (const [year, byNumber] of [...this.numbers].sort(([a], [b]) => a - b)) {
      const ns = [...byNumber.keys()].sort((a, b) => a - b);
      for (let i = 1; i < ns.length; i++) {
        const before = ns[i - 1]!;
        const after = ns[i]!;
        if (after - before <= 1) continue;
        const from = before + 1;
        const to = after - 1;
        const missing = from === to ? `${from}/${year}` : `${from}/${year} đến ${to}/${year}`;
        this.add(issue('E-SO-GAP', { column: 'so', value: missing }, { year, missing, rowBefore: byNumber.get(before), rowAfter: byNumber.get(after) }));
      }
    }
  }
}
