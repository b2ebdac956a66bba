import { describe, expect, it } from 'vitest';
import { asUser, waitFor } from '../support/api-client.js';
import { act, bookWithRecords, deliverScans, waitForStage } from '../support/book-flow.js';
import { binhAnExtractCsv } from '../support/extract-binhan.js';
import { useLocalStackEnv } from '../support/handler-env.js';
import { postForm } from '../support/scan-files.js';

useLocalStackEnv();

const people = [
  {
    nksHoTen: 'Trần Thị Mai',
    nksGioiTinh: '2',
    nksNgaySinh: '12.03.2018',
    chaHoTen: 'Trần Văn Hùng',
    chaNgaySinh: '1985',
    meHoTen: 'Lê Thị Lan',
    meNgaySinh: '1988',
  },
  {
    nksHoTen: 'Phạm Minh Khôi',
    nksGioiTinh: '1',
    nksNgaySinh: '05.07.2018',
    chaHoTen: 'Phạm Văn Nam',
    chaNgaySinh: '1980',
    meHoTen: 'Ngô Thị Hoa',
    meNgaySinh: '1982',
  },
  {
    nksHoTen: 'Đỗ Gia Bảo',
    nksGioiTinh: '1',
    nksNgaySinh: '20.10.2018',
    chaHoTen: 'Đỗ Văn Tâm',
    chaNgaySinh: '1979',
    meHoTen: 'Vũ Thị Yến',
    meNgaySinh: '1983',
  },
];

describe('reconciliation with the population register', () => {
  it('approved book → extract upload → outcomes → resolve a mismatch → assigned IDs → completed', async () => {
    const { a, bookId } = await bookWithRecords(3, (i) => people[i]!);
    await deliverScans(a.contractor, bookId, ['1/2018', '2/2018', '3/2018']);
    await waitForStage(a.officer, bookId, 'review');
    await a.officer.post(`/books/${bookId}/review/claim`);
    for (const so of ['1-2018', '2-2018', '3-2018']) {
      const v = (await a.officer.get(`/books/${bookId}/records/${so}`)).body.version;
      expect((await a.officer.call('PATCH', `/books/${bookId}/records/${so}`, { version: v, status: 'ok' })).status).toBe(200);
    }
    await act(a.officer, bookId, 'passReview');
    await waitForStage(a.officer2, bookId, 'approval');
    await act(a.officer2, bookId, 'approve');
    const inRecon = await waitForStage(a.police, bookId, 'reconciliation');
    expect(inRecon.allowedActions).toEqual([]);

    // Only the police upload the extract, bound to their unit.
    const bytes = Buffer.from(binhAnExtractCsv, 'utf8');
    expect((await a.officer.post('/units/90101/extracts', { fileName: 'trich-xuat.csv', contentType: 'text/csv', size: bytes.length })).status).toBe(403);
    const up = await a.police.post('/units/90101/extracts', { fileName: 'trich-xuat.csv', contentType: 'text/csv', size: bytes.length });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect((await postForm(up.body, bytes, 'trich-xuat.csv', 'text/csv')).status).toBe(204);

    const result = await waitFor(async () => {
      const r = await a.police.get(`/books/${bookId}/reconciliation`);
      // Against this extract or an identical copy another test uploaded (test/support/extract-binhan.ts).
      return r.status === 200 && r.body.counts && r.body.counts.pending === 0 ? r.body : undefined;
    }, 'matching done');
    expect(result.counts).toMatchObject({ matched: 1, mismatch: 1, notFound: 1, resolved: 0 });
    const tracked = result.trackingList[0];
    expect(tracked).toMatchObject({ so: '2/2018', outcome: 'MISMATCH' });
    expect(tracked.diff.map((d: { field: string }) => d.field)).toContain('dateOfBirth');
    expect(tracked.candidates[0].idNumber).toBe('001218000222');
    expect(result.notFound.map((p: { key: string }) => p.key)).toEqual(['3/2018#child']);
    expect((await fetch(result.notFoundWorkbookUrl)).status).toBe(200);
    // Written when the outcomes changed, named by its rows: reading the outcomes again writes nothing new.
    const pathOf = (url: string) => new URL(url).pathname;
    expect(pathOf(result.notFoundWorkbookUrl)).toMatch(/\/reconciliation\/not-found-[0-9a-f]{16}\.xlsx$/);
    const readAgain = await a.police.get(`/books/${bookId}/reconciliation`);
    expect(pathOf(readAgain.body.notFoundWorkbookUrl)).toBe(pathOf(result.notFoundWorkbookUrl));
    const mai = await a.police.get(`/books/${bookId}/records/1-2018`);
    expect(mai.body.reconciliation[0]).toMatchObject({ outcome: 'MATCHED', idNumber: '001318000111' });

    // The tracking list: police and officer decide; a wrong candidate is refused.
    const wrong = await a.police.post(`/books/${bookId}/records/2-2018/resolution`, { subject: 'child', action: 'acceptCandidate', idNumber: '001318000444' });
    expect(wrong.status).toBe(400);
    const resolved = await a.police.post(`/books/${bookId}/records/2-2018/resolution`, {
      subject: 'child',
      action: 'acceptCandidate',
      idNumber: '001218000222',
      note: 'Sổ ghi 05.07, CSDLQGVDC ghi 07.05: công dân đã được hướng dẫn điều chỉnh',
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await a.police.get(`/books/${bookId}`)).body.stage).toBe('reconciliation');

    // The police enter the absent person as new and upload the ID assigned.
    const assigned = await a.police.post(`/books/${bookId}/assigned-ids`, { ids: [{ subject: '3/2018#child', idNumber: '001218000999' }] });
    expect(assigned.status).toBe(200);
    expect(assigned.body.attached).toBe(1);
    await waitForStage(a.officer, bookId, 'completed');

    const audit = ((await a.officer.get(`/books/${bookId}/history`)).body.audit as { action: string; actor: { username: string } }[]).map((e) => e.action);
    for (const x of ['reconciliation.resolved', 'reconciliation.idsAssigned', 'action.completeReconciliation']) expect(audit).toContain(x);

    const monthly = await (await asUser('tuphap.binhminh')).get('/reconciliation/monthly?unit=901');
    expect(monthly.status).toBe(200);
    expect(monthly.body.perCommune['90101'].matched).toBeGreaterThanOrEqual(1);
  });

  it('an extract with bad rows is refused whole, with the row numbers', async () => {
    const police = await asUser('congan.binhan');
    const bad = Buffer.from(['SoDinhDanh;HoTen;GioiTinh;NgaySinh', '12345;Trần Văn A;1;01.01.2000', '001200000001;Lê Thị B;9;31.02.2001'].join('\n'));
    const up = await police.post('/units/90101/extracts', { fileName: 'sai.csv', contentType: 'text/csv', size: bad.length });
    expect((await postForm(up.body, bad, 'sai.csv', 'text/csv')).status).toBe(204);
    const { findUpload } = await import('../../shared/uploads/upload-repo.js');
    const upload = await waitFor(async () => {
      const u = await findUpload('EXTRACT-90101', up.body.uploadId);
      return u?.status === 'rejected' ? u : undefined;
    }, 'extract rejected');
    const issues = (upload.outcome as { issues: { row: number; column: string }[] }).issues;
    expect(issues.map((i) => `${i.row}:${i.column}`)).toEqual(expect.arrayContaining(['2:idNumber', '3:sex']));
  });
});
