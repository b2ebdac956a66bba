/**
 * The population-register extract the commune police hand over (CSV or Excel), parsed and validated
 * row by row into `PopulationEntry` rows. Column names are matched tolerantly (case, diacritics,
 * spaces); every bad row is reported with its row number, and a file with any error is refused whole.
 */
import ExcelJS from 'exceljs';
import { looksLikeFormula } from '../entry/validate.js';
import { cleanText } from '../entry/values.js';
import { PopulationEntry } from '../matching/schema.js';

export const extractColumns = {
  idNumber: ['sodinhdanh', 'sodinhdanhcanhan', 'idnumber'],
  fullName: ['hoten', 'hovaten', 'fullname'],
  sex: ['gioitinh', 'sex'],
  dateOfBirth: ['ngaysinh', 'dateofbirth'],
  fatherName: ['hotencha', 'cha', 'fathername'],
  fatherBirthYear: ['namsinhcha', 'fatherbirthyear'],
  motherName: ['hotenme', 'me', 'mothername'],
  motherBirthYear: ['namsinhme', 'motherbirthyear'],
  idCardNumber: ['socmnd', 'socccd', 'socmndcccd', 'idcardnumber'],
  residence: ['noicutru', 'residence'],
} as const;

export interface ExtractIssue {
  row: number;
  column?: string;
  message: string;
}

const key = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/**
 * Text cells an entry workbook would refuse: control or bidirectional characters (a name that shows
 * otherwise than it is stored), or text that starts like a spreadsheet formula (formula/DDE injection
 * once the value is shown in a watch list or an export).
 */
function unsafeCells(candidate: Record<string, unknown>): { column: string; message: string }[] {
  const out: { column: string; message: string }[] = [];
  for (const [column, value] of Object.entries(candidate)) {
    if (typeof value !== 'string') continue;
    const { controls } = cleanText(value);
    if (controls.length) out.push({ column, message: `Có ký tự điều khiển không in được (${controls.join(', ')})` });
    else if (looksLikeFormula(value)) out.push({ column, message: 'Giá trị bắt đầu như một công thức Excel (=, +, -, @)' });
  }
  return out;
}

/** Parses rows (the first is the header). @returns entries when there is no issue, otherwise the issues. */
export function parseExtractRows(rows: readonly (readonly string[])[]): { entries: PopulationEntry[]; issues: ExtractIssue[] } {
  const issues: ExtractIssue[] = [];
  const [header, ...data] = rows;
  if (!header || data.length === 0) return { entries: [], issues: [{ row: 1, message: 'Tệp trích xuất không có dữ liệu' }] };
  const index: Partial<Record<keyof typeof extractColumns, number>> = {};
  header.forEach((h, i) => {
    const k = key(h);
    for (const [field, names] of Object.entries(extractColumns)) if ((names as readonly string[]).includes(k)) index[field as keyof typeof extractColumns] = i;
  });
  for (const required of ['idNumber', 'fullName', 'sex'] as const) {
    if (index[required] === undefined) issues.push({ row: 1, column: required, message: `Thiếu cột bắt buộc "${extractColumns[required][0]}"` });
  }
  if (issues.length) return { entries: [], issues };
  const entries: PopulationEntry[] = [];
  const seen = new Set<string>();
  data.forEach((cells, i) => {
    const row = i + 2;
    if (cells.every((c) => !c?.trim())) return;
    const get = (f: keyof typeof extractColumns) => {
      const v = index[f] === undefined ? undefined : cells[index[f]!]?.trim().normalize('NFC');
      return v ? v : undefined;
    };
    const candidate = {
      idNumber: get('idNumber'),
      fullName: get('fullName'),
      sex: Number(get('sex')),
      dateOfBirth: get('dateOfBirth'),
      fatherName: get('fatherName'),
      fatherBirthYear: get('fatherBirthYear') ? Number(get('fatherBirthYear')) : undefined,
      motherName: get('motherName'),
      motherBirthYear: get('motherBirthYear') ? Number(get('motherBirthYear')) : undefined,
      idCardNumber: get('idCardNumber'),
      residence: get('residence'),
    };
    const unsafe = unsafeCells(candidate);
    if (unsafe.length) {
      issues.push(...unsafe.map((u) => ({ row, ...u })));
      return;
    }
    const parsed = PopulationEntry.safeParse(candidate);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ row, column: String(issue.path[0] ?? ''), message: issue.message });
      return;
    }
    if (seen.has(parsed.data.idNumber)) issues.push({ row, column: 'idNumber', message: `Số định danh ${parsed.data.idNumber} lặp lại` });
    seen.add(parsed.data.idNumber);
    entries.push(parsed.data);
  });
  return issues.length ? { entries: [], issues } : { entries, issues };
}

/** CSV (UTF-8, comma or semicolon, quoted fields) into rows. */
export function csvRows(text: string): string[][] {
  const clean = text.replace(/^\uFEFF/, '');
  const firstLine = clean.slice(0, clean.indexOf('\n') >>> 0);
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i]!;
    if (quoted) {
      if (c === '"' && clean[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && clean[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The first worksheet of an .xlsx as text rows (ID numbers stay text when stored as text). */
export async function xlsxRows(data: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as never);
  const ws = wb.worksheets[0];
  if (!ws) return [];
  const rows: string[][] = [];
  ws.eachRow({ includeEmpty: false }, (r) => {
    const values = (r.values as unknown[]).slice(1);
    rows.push(values.map((v) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10).split('-').reverse().join('.') : typeof v === 'object' && v && 'text' in v ? String((v as { text: unknown }).text) : String(v))));
  });
  return rows;
}
