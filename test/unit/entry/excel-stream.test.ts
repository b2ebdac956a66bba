import fs from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { templates } from '../../../shared/entry/templates/index.js';
import { bookFor, cleanBook, excelLikeWorkbook, expectedValues, readAll, sheetRows, validateBuffer } from './entry-fixtures.js';

const realCreateWriteStream = fs.createWriteStream;

/** exceljs spools a sheet stored before the shared strings to a temp file: make that slow, as on a busy disk. */
function slowTempFiles(msPerChunk: number): void {
  fs.createWriteStream = ((path: fs.PathLike, opts?: Parameters<typeof fs.createWriteStream>[1]) => {
    const file = realCreateWriteStream(path, opts);
    return new Writable({
      write(chunk, _enc, cb) {
        setTimeout(() => file.write(chunk, cb), msPerChunk);
      },
      final(cb) {
        file.end(cb);
      },
    });
  }) as typeof fs.createWriteStream;
}

afterEach(() => {
  fs.createWriteStream = realCreateWriteStream;
});

describe('exceljs / unzipper workarounds', () => {
  it('no entry is lost when exceljs is slow on a sheet while the small parts after it are parsed (unzipper ends early)', async () => {
    // Sheet first, then sharedStrings, styles, docProps and workbook.xml (as in-memory exceljs orders them): all small.
    const records = cleanBook('KS', { rows: 40, seed: 8 });
    const buf = await excelLikeWorkbook([{ name: 'Sổ', rows: sheetRows('KS', records) }]);
    slowTempFiles(40);
    const { rows, source } = await readAll(buf, { registerType: 'KS' });
    expect(source.header?.sheetName).toBe('Sổ');
    expect(rows.map((r) => r.values)).toEqual(records.map((r) => expectedValues('KS', r)));
    const { issues } = await validateBuffer(buf, bookFor('KS', 40));
    expect(issues).toEqual([]);
    expect(templates.KS.columns.length).toBe(72);
  });
});
