import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { RegisterType } from '../../../shared/books/register-type.js';
import { columnLetter } from '../../../shared/entry/header-key.js';
import { templates } from '../../../shared/entry/templates/index.js';
import { generateTemplate, TEMPLATE_ROWS } from '../../../shared/entry/workbook-writer.js';
import { bookFor, cleanBook, expectedValues, readAll, validateBuffer } from './entry-fixtures.js';

async function load(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  return wb;
}

const noteText = (c: ExcelJS.Cell) => (typeof c.note === 'string' ? c.note : (c.note?.texts ?? []).map((t) => t.text).join(''));

describe('the template generator', () => {
  it.each(RegisterType.options)('%s: Ministry names in row 1 in order, labels as notes, row 2 free, header frozen', async (type) => {
    const wb = await load(await generateTemplate(type));
    expect(wb.worksheets.map((w) => [w.name, w.state])).toEqual([
      ['Dữ liệu', 'visible'],
      ['Hướng dẫn', 'visible'],
      ['DanhMuc', 'hidden'],
    ]);
    const ws = wb.getWorksheet('Dữ liệu')!;
    const cols = templates[type].columns;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(cols.map((c) => c.name));
    cols.forEach((c, i) => {
      expect(noteText(ws.getRow(1).getCell(i + 1)).startsWith(c.label), c.name).toBe(true);
    });
    expect(ws.getRow(2).cellCount).toBe(0);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('dropdowns on every code column (lists on the DanhMuc sheet), text format on ids, numbers and dates', async () => {
    for (const type of ['KS', 'KT'] as const) {
      const wb = await load(await generateTemplate(type));
      const ws = wb.getWorksheet('Dữ liệu')!;
      const lists = wb.getWorksheet('DanhMuc')!;
      const dv = (ws as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }).dataValidations.model;
      templates[type].columns.forEach((c, i) => {
        const letter = columnLetter(i + 1);
        const v = dv[`${letter}2`];
        if (!c.codes) {
          expect(v, c.name).toBeUndefined();
        } else {
          expect(v?.type, c.name).toBe('list');
          expect(dv[`${letter}${TEMPLATE_ROWS}`], c.name).toEqual(v);
          // The list range holds exactly the codes.
          const m = /^DanhMuc!\$([A-Z]+)\$2:\$[A-Z]+\$(\d+)$/.exec(String(v!.formulae[0]))!;
          const col = lists.getColumn(m[1]!);
          const values = Array.from({ length: Number(m[2]) - 1 }, (_, k) => String(col.values[k + 2]));
          expect(values, c.name).toEqual(c.codes.entries.map((e) => e.code));
        }
        const text = ['idNumber', 'soDangKy', 'date', 'dateOrYear'].includes(c.type);
        expect(ws.getColumn(i + 1).numFmt === '@', c.name).toBe(text);
      });
    }
  });

  it('the "Hướng dẫn" sheet explains the rules, every column and every code list in Vietnamese', async () => {
    const wb = await load(await generateTemplate('KS'));
    const guide = wb.getWorksheet('Hướng dẫn')!;
    const text: string[] = [];
    guide.eachRow((row) => {
      text.push((row.values as unknown[]).filter((v) => v !== undefined && v !== null).join(' | '));
    });
    const all = text.join('\n');
    expect(text[0]).toBe('HƯỚNG DẪN NHẬP LIỆU — SỔ ĐĂNG KÝ KHAI SINH (KS)');
    expect(all).toContain('dd.mm.yyyy');
    expect(all).toContain('Không gộp ô, không dùng công thức');
    for (const c of templates.KS.columns) expect(all).toContain(`| ${c.name} | ${c.label}`);
    expect(all).toContain('Danh mục: Dân tộc');
    expect(all).toContain('Rơ-măm');
    expect(all).toContain('Danh mục: Loại khai sinh');
  });

  it('a filled-in template reads back and validates', async () => {
    const records = cleanBook('KS', { rows: 30, seed: 11 });
    const wb = await load(await generateTemplate('KS'));
    const ws = wb.getWorksheet('Dữ liệu')!;
    const cols = templates.KS.columns.map((c) => c.name);
    records.forEach((rec, k) => {
      const row = ws.getRow(k + 2);
      cols.forEach((n, i) => {
        if (rec[n] !== null) row.getCell(i + 1).value = rec[n]!;
      });
    });
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    const { rows } = await readAll(filled, { registerType: 'KS' });
    expect(rows.map((r) => r.values)).toEqual(records.map((r) => expectedValues('KS', r)));
    const { issues } = await validateBuffer(filled, bookFor('KS', 30));
    expect(issues).toEqual([]);
  });
});
