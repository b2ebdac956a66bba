import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { waitFor } from '../support/api-client.js';
import { act, bookWithRecords, deliverScans, waitForStage } from '../support/book-flow.js';
import { binhAnExtractCsv } from '../support/extract-binhan.js';
import { useLocalStackEnv } from '../support/handler-env.js';
import { postForm } from '../support/scan-files.js';

useLocalStackEnv();

/** Personal data planted in this flow: none of it may appear in any log line of the stack. */
const secrets = {
  names: ['Hoàng Thị Ngọc Diệp', 'Hoàng Văn Quyết', 'Bùi Thị Thoa', 'Lương Thế Vinh', 'Hoang Thi Ngoc Diep'],
  ids: ['079318004321', '079218004322', '012345678901'],
  dates: ['23.09.2018', '14.11.2018'],
};

describe('no personal data in logs', () => {
  it('a full flow with planted names, ID numbers and dates of birth leaves none of them in any log line', async () => {
    const { a, bookId } = await bookWithRecords(
      2,
      (i): Record<string, string> =>
        i === 0
          ? {
              nksHoTen: 'Hoàng Thị Ngọc Diệp',
              nksGioiTinh: '2',
              nksNgaySinh: '23.09.2018',
              chaHoTen: 'Hoàng Văn Quyết',
              chaNgaySinh: '1986',
              meHoTen: 'Bùi Thị Thoa',
              meNgaySinh: '1990',
              chaSoDinhDanhCaNhan: '012345678901',
            }
          : { nksHoTen: 'Lương Thế Vinh', nksGioiTinh: '1', nksNgaySinh: '14.11.2018' },
    );
    await deliverScans(a.contractor, bookId, ['1/2018', '2/2018']);
    await waitForStage(a.officer, bookId, 'review');
    await a.officer.post(`/books/${bookId}/review/claim`);
    const v1 = (await a.officer.get(`/books/${bookId}/records/1-2018`)).body.version;
    await a.officer.call('PATCH', `/books/${bookId}/records/1-2018`, {
      version: v1,
      corrections: [{ field: 'nksHoTen', value: 'Hoàng Thị Ngọc Diệp', reason: 'TYPO' }],
    });
    // A bad request carrying personal data: rejected, and its body must not be logged either.
    await a.officer.call('PATCH', `/books/${bookId}/records/2-2018`, {
      version: 1,
      corrections: [{ field: 'nksHoTen', value: 'Lương Thế Vinh', reason: 'NOT_A_REASON' }],
    });
    const v2 = (await a.officer.get(`/books/${bookId}/records/2-2018`)).body.version;
    await a.officer.call('PATCH', `/books/${bookId}/records/2-2018`, { version: v2, status: 'ok' });
    await act(a.officer, bookId, 'passReview');
    await waitForStage(a.officer2, bookId, 'approval');
    await act(a.officer2, bookId, 'approve');
    // Matched on entry when another test's copy of the commune's extract is already there (both people
    // are in it, so the book then completes at once); the upload below matches it otherwise.
    await waitFor(async () => {
      const r = await a.police.get(`/books/${bookId}`);
      return (r.body.stage === 'reconciliation' && r.body.waiting) || r.body.stage === 'completed' ? true : undefined;
    }, 'reconciliation reached');
    // The commune's extract (shared by the tests that upload one) lists Diệp and Vinh.
    const csv = Buffer.from(binhAnExtractCsv, 'utf8');
    const up = await a.police.post('/units/90101/extracts', { fileName: 'trich-xuat.csv', contentType: 'text/csv', size: csv.length });
    await postForm(up.body, csv, 'trich-xuat.csv', 'text/csv');
    await waitFor(async () => {
      const r = await a.police.get(`/books/${bookId}/reconciliation`);
      return r.body.counts && r.body.counts.pending === 0 ? true : undefined;
    }, 'matched');
    await new Promise((r) => setTimeout(r, 500));

    const logFile = path.join(inject('stack').dataDir, 'stack.log');
    expect(existsSync(logFile)).toBe(true);
    const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(50);
    const needles = [...secrets.names, ...secrets.names.map((n) => n.normalize('NFD')), ...secrets.ids, ...secrets.dates];
    const hits = lines.flatMap((line, i) => needles.filter((n) => line.includes(n)).map((n) => `line ${i + 1}: ${n}`));
    console.log(`[personal-data-in-logs] scanned ${lines.length} log lines for ${needles.length} planted values: ${hits.length} hits`);
    expect(hits).toEqual([]);
  });
});
