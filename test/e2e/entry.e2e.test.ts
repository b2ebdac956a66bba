import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { login, stackUrls, waitFor } from '../support/api-client.js';
import { act, actors, createBook, waitForStage } from '../support/book-flow.js';
import { XLSX } from '../support/entry-files.js';
import { postForm } from '../support/scan-files.js';
import { cleanBook } from '../unit/entry/entry-fixtures.js';

type Client = Awaited<ReturnType<typeof actors>>['clerk'];

async function upload(clerk: Client, bookId: string, bytes: Buffer) {
  const req = await clerk.post(`/books/${bookId}/uploads`, { kind: 'entry', fileName: 'nhap-lieu.xlsx', contentType: XLSX, size: bytes.length });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  expect((await postForm(req.body, bytes, 'nhap-lieu.xlsx', XLSX)).status).toBe(204);
  return req.body.uploadId as string;
}

async function reportFor(clerk: Client, bookId: string, uploadId: string) {
  return waitFor(async () => {
    const r = await clerk.get(`/books/${bookId}/entry-report`);
    return r.status === 200 && r.body.uploadId === uploadId ? r.body : undefined;
  }, 'entry report');
}

describe('entry stage over HTTP', () => {
  it('download the template → fill it → upload → the book reaches Scan with the records stored', async () => {
    const a = await actors();
    const quyenSo = `${Math.floor(Math.random() * 9000) + 1}/2012`;
    const bookId = await createBook(a.officer, { quyenSo, yearOpened: 2012, closingTotal: 3 });
    await act(a.officer, bookId, 'startDigitisation');
    await waitForStage(a.clerk, bookId, 'entry');

    const res = await fetch(`${stackUrls().api}/templates/KS.xlsx`, { headers: { authorization: `Bearer ${await login('nhaplieu.binhan')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as never);
    const sheet = wb.worksheets.find((w) => w.state === 'visible' && w.getRow(1).getCell(2).value === 'so')!;
    expect(sheet).toBeDefined();
    expect(wb.getWorksheet('Hướng dẫn')).toBeDefined();
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    expect(headers.slice(0, 5)).toEqual(['STT', 'so', 'quyenSo', 'trangSo', 'ngayDangKy']);
    // Fill it as a clerk would: three clean rows under the Ministry header.
    for (const [i, rec] of cleanBook('KS', { rows: 3, year: 2012, quyenSo, seed: 5 }).entries()) {
      const row = sheet.getRow(i + 2);
      headers.forEach((h, c) => {
        row.getCell(c + 1).value = rec[h] ?? null;
      });
      row.commit();
    }
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    const uploadId = await upload(a.clerk, bookId, filled);
    const report = await reportFor(a.clerk, bookId, uploadId);
    expect(report.status, JSON.stringify(report.issues).slice(0, 500)).toBe('accepted');
    await waitForStage(a.contractor, bookId, 'scan');
    const records = await a.clerk.get(`/books/${bookId}/records`);
    expect(records.body.records.map((r: { so: string }) => r.so)).toEqual(['1/2012', '2/2012', '3/2012']);
  });

  it('an erroneous upload writes nothing, keeps the book in Entry, and returns an error workbook with the cells highlighted', async () => {
    const a = await actors();
    const quyenSo = `${Math.floor(Math.random() * 9000) + 1}/2013`;
    const bookId = await createBook(a.officer, { quyenSo, yearOpened: 2013, closingTotal: 3 });
    await act(a.officer, bookId, 'startDigitisation');
    await waitForStage(a.clerk, bookId, 'entry');
    const rows = cleanBook('KS', { rows: 3, year: 2013, quyenSo, seed: 9 });
    rows[1]!.ngayDangKy = '31.02.2013';
    rows[2]!.nksGioiTinh = '7';
    const { writeEntryWorkbook } = await import('../../shared/entry/workbook-writer.js');
    const uploadId = await upload(a.clerk, bookId, await writeEntryWorkbook('KS', rows));
    const report = await reportFor(a.clerk, bookId, uploadId);
    expect(report.status).toBe('rejected');
    const errors = (report.issues as { severity: string; row: number; column: string; message: string }[]).filter((i) => i.severity === 'error');
    expect(errors.map((e) => `${e.row}:${e.column}`)).toEqual(expect.arrayContaining(['3:ngayDangKy', '4:nksGioiTinh']));
    for (const e of errors) expect(e.message).toMatch(/Dòng \d+/);
    expect((await a.clerk.get(`/books/${bookId}/records`)).body.records).toEqual([]);
    expect((await a.clerk.get(`/books/${bookId}`)).body.stage).toBe('entry');

    const wbRes = await fetch(report.errorWorkbookUrl);
    expect(wbRes.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await wbRes.arrayBuffer()) as never);
    const errSheet = wb.getWorksheet('Lỗi')!;
    expect(errSheet.rowCount).toBeGreaterThanOrEqual(3);
    const data = wb.worksheets.find((w) => w.name !== 'Lỗi' && w.getRow(1).getCell(2).value === 'so')!;
    const headers = (data.getRow(1).values as unknown[]).slice(1).map(String);
    const cell = data.getRow(3).getCell(headers.indexOf('ngayDangKy') + 1);
    expect(cell.value).toBe('31.02.2013');
    expect((cell.fill as ExcelJS.FillPattern | undefined)?.pattern).toBe('solid');
    expect(cell.note).toBeDefined();
  });

  it('not an xlsx (a renamed CSV) → a specific Vietnamese message, nothing written', async () => {
    const a = await actors();
    const bookId = await createBook(a.officer);
    await act(a.officer, bookId, 'startDigitisation');
    await waitForStage(a.clerk, bookId, 'entry');
    const uploadId = await upload(a.clerk, bookId, Buffer.from('so;quyenSo;ngayDangKy\n1/2018;01/2018;01.01.2018\n'));
    const report = await reportFor(a.clerk, bookId, uploadId);
    expect(report.status).toBe('rejected');
    expect(report.fileError.code).toBe('CSV_OR_TEXT');
    expect(report.fileError.message.length).toBeGreaterThan(20);
    expect((await a.clerk.get(`/books/${bookId}`)).body.stage).toBe('entry');
  });
});
