import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { InvalidWorkbook } from '../../../shared/entry/errors.js';
import { readEntryRows } from '../../../shared/entry/reader.js';
import { type RawRow, SharedStringsParser, SharedStringTable, type SheetContext, SheetXmlParser } from '../../../shared/entry/sheet-xml.js';
import { excelLikeWorkbook, handWrittenXlsx, readAll, rng } from './entry-fixtures.js';

const ctx = (shared: string[] = [], fmts: Record<number, string> = {}): SheetContext => ({
  sharedString: (i) => shared[i],
  numFmt: (id) => fmts[id],
  date1904: () => false,
});

const pairs = (r: RawRow) => r.cols.map((c, k) => [c, r.values[k]]);

/** Parses `xml` cut into pieces of random sizes (1–`max` characters). */
function parseInPieces(xml: string, c: SheetContext, seed: number, max: number): { rows: RawRow[]; merges: string[] } {
  const r = rng(seed);
  const p = new SheetXmlParser(c);
  const rows: RawRow[] = [];
  for (let i = 0; i < xml.length; ) {
    const n = 1 + Math.floor(r() * max);
    rows.push(...p.push(xml.slice(i, i + n)));
    i += n;
  }
  return { rows, merges: p.merges };
}

const PREFIXED = `<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:F3"/>
<x:sheetData>
<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>so</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>quyenSo</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>ngayDangKy</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>nksHoTen</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>nksGioiTinh</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>ghiChu</x:t></x:is></x:c></x:row>
<x:row><x:c r="A2" t="str"><x:f>"1/"&amp;"2008"</x:f><x:v>1/2008</x:v></x:c><x:c r="B2" t="inlineStr"><x:is><x:t xml:space="preserve">01/2008 </x:t></x:is></x:c><x:c r="C2" t="inlineStr"><x:is><x:t>05.02.2008</x:t></x:is></x:c><x:c r="D2" t="inlineStr"><x:is><x:r><x:rPr><x:b/></x:rPr><x:t>Nguy&#7877;n </x:t></x:r><x:r><x:t>V&#x0103;n &lt;A&gt;</x:t></x:r><x:rPh sb="0" eb="1"><x:t>PHONETIC</x:t></x:rPh></x:is></x:c><x:c r="E2" s="0"/><x:c r="F2" t="e"><x:v>#N/A</x:v></x:c></x:row>
<x:row r="3" spans="1:6"/>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="D2:D3"/></x:mergeCells></x:worksheet>`;

describe('the sheet XML scanner', () => {
  it('reads markup exceljs never writes: prefixes, cells and rows without r, entities, rich text, phonetic runs', () => {
    const whole = parseInPieces(PREFIXED, ctx(), 1, PREFIXED.length);
    expect(whole.rows.map((r) => r.number)).toEqual([1, 2]);
    expect(pairs(whole.rows[0]!)).toEqual([
      [1, 'so'],
      [2, 'quyenSo'],
      [3, 'ngayDangKy'],
      [4, 'nksHoTen'],
      [5, 'nksGioiTinh'],
      [6, 'ghiChu'],
    ]);
    expect(pairs(whole.rows[1]!)).toEqual([
      [1, { formula: '"1/"&"2008"', result: '1/2008' }],
      [2, '01/2008 '],
      [3, '05.02.2008'],
      [4, 'Nguyễn Văn <A>'],
      [6, { error: '#N/A' }],
    ]);
    expect(whole.merges).toEqual(['D2:D3']);
  });

  it('gives the same rows whatever the chunking', () => {
    const whole = parseInPieces(PREFIXED, ctx(), 1, PREFIXED.length);
    for (let seed = 1; seed <= 40; seed++) expect(parseInPieces(PREFIXED, ctx(), seed, 1 + (seed % 7) * 9)).toEqual(whole);
  });

  it('cell types: shared strings, numbers, dates by number format, booleans, formulas without a cached value', () => {
    const xml = `<worksheet><sheetData><row r="4"><c r="A4" t="s"><v>1</v></c><c r="B4" s="2"><v>39483</v></c><c r="C4"><v>12.5</v></c><c r="D4" t="b"><v>1</v></c><c r="E4"><f>A1</f></c><c r="F4" s="2"><f>DATE(2008,2,5)</f><v>39483</v></c><c r="G4" t="d"><v>2008-02-05T00:00:00Z</v></c></row></sheetData></worksheet>`;
    const { rows } = parseInPieces(xml, ctx(['không', 'một'], { 2: 'dd.mm.yyyy' }), 3, xml.length);
    const d = new Date(Date.UTC(2008, 1, 5));
    expect(rows[0]!.values).toEqual(['một', d, 12.5, true, { formula: 'A1' }, { formula: 'DATE(2008,2,5)', result: d }, d]);
  });

  it('the shared-string table: plain, rich, empty, phonetic runs, entities, any chunking', () => {
    const xml = `<sst count="4"><si><t>Trần &amp; Lê</t></si><si><r><t>Hồ </t></r><r><rPr/><t xml:space="preserve">Văn</t></r><rPh><t>x</t></rPh></si><si/><si><t/></si></sst>`;
    for (let seed = 1; seed <= 20; seed++) {
      const table = new SharedStringTable();
      const out: string[] = [];
      const p = new SharedStringsParser(out);
      const r = rng(seed);
      for (let i = 0; i < xml.length; ) {
        const n = 1 + Math.floor(r() * 12);
        p.push(xml.slice(i, i + n));
        i += n;
      }
      expect(out).toEqual(['Trần & Lê', 'Hồ Văn', '', '']);
      for (const t of out) table.push(t);
      expect([0, 1, 2, 3, 4, -1].map((i) => table.get(i))).toEqual(['Trần & Lê', 'Hồ Văn', '', '', undefined, undefined]);
    }
  });

  it('agrees with exceljs on a workbook exceljs writes (types, formulas, dates, rich text, hyperlinks)', async () => {
    const rows: ExcelJS.CellValue[][] = [
      ['so', 'quyenSo', 'ngayDangKy', 'nksHoTen', 'trangSo', 'ghiChu', 'nksNoiSinh', 'STT'],
      [
        '1/2008',
        '1/2008',
        new Date(Date.UTC(2008, 1, 5)),
        { richText: [{ text: 'Đỗ ' }, { font: { bold: true }, text: 'Thị Ánh' }] },
        3,
        'a\nb',
        { text: 'Xã A', hyperlink: 'http://x' },
        { formula: 'ROW()', result: 2 },
      ],
      ['2/2008', '1/2008', '06.02.2008', 'Lý <Văn> & "B"', 3.5, true, { error: '#REF!' } as ExcelJS.CellErrorValue, null],
    ];
    const buf = await excelLikeWorkbook([{ name: 'S', rows, numFmts: { '2:3': 'dd/mm/yyyy' } }]);
    const theirs: unknown[][] = [];
    const raw = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buf]), {
      sharedStrings: 'cache',
      styles: 'cache',
      worksheets: 'emit',
      hyperlinks: 'ignore',
    });
    for await (const sheet of raw as unknown as AsyncIterable<AsyncIterable<ExcelJS.Row>>) {
      for await (const row of sheet) {
        const vals: unknown[] = [];
        row.eachCell((c, col) => {
          let v: unknown = c.value;
          if (v && typeof v === 'object' && 'richText' in v) v = (v as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('');
          vals.push([col, v]);
        });
        theirs.push(vals);
      }
    }
    const ours: unknown[][] = [];
    const { rows: read } = await readAll(buf, { registerType: 'KS' });
    expect(read).toHaveLength(2);
    // Compare the scanner itself, cell by cell, through the same workbook.
    const { openWorkbook, SheetSource } = await import('../../../shared/entry/excel-stream.js');
    const wb = openWorkbook(Readable.from([buf]));
    for (let n = await wb.sheets.next(); !n.done; n = await wb.sheets.next()) {
      const src = new SheetSource(n.value);
      const parser = new SheetXmlParser(wb);
      for await (const text of src.text()) for (const r of parser.push(text)) ours.push(pairs(r));
    }
    expect(ours).toEqual(theirs);
  });

  it('a hand-written workbook reads end to end; a damaged byte that deflate cannot notice is caught by the CRC', async () => {
    const good = handWrittenXlsx(PREFIXED);
    const { rows, source } = await readAll(good, { registerType: 'KS' });
    expect(rows.map((r) => [r.rowNumber, r.values.so, r.values.quyenSo, r.values.nksHoTen])).toEqual([[2, '1/2008', '01/2008', 'Nguyễn Văn <A>']]);
    expect(source.header?.sheetName).toBe('Sổ');
    expect(source.issues.map((i) => [i.ruleId, i.row, i.column])).toEqual([['E-MERGED-CELL', 2, 'nksHoTen']]);

    // Stored (uncompressed) entries: change one letter of the data, nothing else notices.
    const bad = Buffer.from(good);
    const at = bad.indexOf('05.02.2008');
    bad[at + 1] = '6'.charCodeAt(0);
    const consumed: string[] = [];
    const err = await (async () => {
      try {
        for await (const r of readEntryRows(Readable.from([bad]), { registerType: 'KS' })) consumed.push(r.values.ngayDangKy!);
      } catch (e) {
        return e;
      }
    })();
    expect(consumed).toEqual(['06.02.2008']);
    expect(err).toBeInstanceOf(InvalidWorkbook);
    expect((err as InvalidWorkbook).code).toBe('CORRUPT_ZIP');
  });
});
