import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeAcceptanceReport } from '../../../shared/scans/acceptance-report.js';
import { assessCompleteness } from '../../../shared/scans/completeness.js';
import { processScanArchiveBuffer, processSinglePdf } from '../../../shared/scans/process-scans.js';
import { existingFromOutcomes } from '../../../shared/scans/scan-outcome.js';
import { makePdf, memorySink, records, zipOf } from './fixtures.js';

const expected = records(5);
let pdfs: Buffer[] = [];
beforeAll(async () => {
  pdfs = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => makePdf({ label: `record ${i}`, pages: 1 + (i % 2) })));
});
const named = (ks: number[]) => ks.map((k) => ({ name: `0${k + 1}-2018.pdf`, data: pdfs[k]! }));

async function readReport(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

const summaryValue = (ws: ExcelJS.Worksheet, label: string) => {
  for (let r = 1; r <= ws.rowCount; r++) if (ws.getCell(`A${r}`).value === label) return ws.getCell(`B${r}`).value;
  throw new Error(`no row ${label}`);
};

describe('corrections: a set completed over several deliveries', () => {
  it('first delivery missing 2 files → incomplete with a report; second with only those 2 → complete; same zip again → unchanged', async () => {
    const sink = memorySink();
    // 1. Three of five, one of them broken.
    const broken = pdfs[2]!.subarray(0, 100);
    const first = await processScanArchiveBuffer(await zipOf([...named([0, 1]), { name: '03-2018.pdf', data: broken }]), expected, sink);
    const c1 = assessCompleteness(expected, first);
    expect(c1.complete).toBe(false);
    expect(c1.counts).toMatchObject({ expected: 5, accepted: 2, rejected: 1, missing: 3, covered: 2, carriedOver: 0 });
    expect(c1.missing.map((m) => [m.so, m.expectedName])).toEqual([
      ['03/2018', '03-2018.pdf'],
      ['04/2018', '04-2018.pdf'],
      ['05/2018', '05-2018.pdf'],
    ]);
    expect(c1.missing[0]!.refused).toEqual([{ entryName: '03-2018.pdf', status: 'rejected', reason: 'CORRUPT_PDF' }]);
    expect(c1.reworkRate).toBeCloseTo((1 + 3) / 5);

    const report = await readReport(
      await writeAcceptanceReport(
        { bookId: '90101-KS-2.2018-2018', quyenSo: '02/2018', registerType: 'KS', unitName: 'UBND xã Bình An' },
        c1,
        new Date('2025-03-07T03:00:00Z'),
      ),
    );
    expect(report.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', 'Chi tiết tệp', 'Bản ghi thiếu']);
    const summary = report.getWorksheet('Tổng hợp')!;
    expect(summaryValue(summary, 'Bản ghi thiếu bản quét')).toBe(3);
    expect(summaryValue(summary, 'Tệp không đạt')).toBe(1);
    expect(summaryValue(summary, 'Ngày lập báo cáo')).toBe('07/03/2025 10:00');
    expect(summaryValue(summary, 'Loại sổ')).toBe('Khai sinh (KS)');
    expect(String(summaryValue(summary, 'Kết luận'))).toMatch(/^CHƯA ĐỦ/);
    const detail = report.getWorksheet('Chi tiết tệp')!;
    expect(detail.rowCount).toBe(4);
    expect(detail.getRow(4).values).toEqual(
      expect.arrayContaining(['03-2018.pdf', '03/2018', 'Không đạt', 'CORRUPT_PDF', expect.stringMatching(/PDF bị hỏng/)]),
    );
    const missing = report.getWorksheet('Bản ghi thiếu')!;
    expect(missing.rowCount).toBe(4);
    expect(missing.getCell('B2').value).toBe('03/2018');
    expect(String(missing.getCell('F2').value)).toContain('CORRUPT_PDF');

    // 2. Only the three still missing; the two accepted earlier are carried over.
    const existing1 = existingFromOutcomes(first.files);
    expect(existing1.map((e) => e.so)).toEqual(['01/2018', '02/2018']);
    const second = await processScanArchiveBuffer(await zipOf(named([2, 3, 4])), expected, sink, { existing: existing1 });
    const c2 = assessCompleteness(expected, second, existing1);
    expect(c2.complete).toBe(true);
    expect(c2.counts).toMatchObject({ accepted: 3, missing: 0, carriedOver: 2, covered: 5 });
    expect(c2.reworkRate).toBe(0);
    expect(sink.stored.map((s) => s.target.so)).toEqual(['01/2018', '02/2018', '03/2018', '04/2018', '05/2018']);

    // 3. The same zip again changes nothing: every file unchanged, nothing stored.
    const existing2 = existingFromOutcomes(second.files, existing1);
    const again = await processScanArchiveBuffer(await zipOf(named([2, 3, 4])), expected, sink, { existing: existing2 });
    expect(again.files.map((f) => f.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(sink.stored).toHaveLength(5);
    const c3 = assessCompleteness(expected, again, existing2);
    expect(c3.complete).toBe(true);
    expect(c3.counts).toMatchObject({ unchanged: 3, accepted: 0, carriedOver: 2 });

    // And the full set delivered at once is unchanged too.
    const full = await processScanArchiveBuffer(await zipOf(named([0, 1, 2, 3, 4])), expected, sink, { existing: existing2 });
    expect(full.files.every((f) => f.status === 'unchanged')).toBe(true);
    expect(sink.stored).toHaveLength(5);
  });

  it('a different file for an already-scanned record is replaced, and the sink learns the previous version', async () => {
    const sink = memorySink();
    const first = await processScanArchiveBuffer(await zipOf(named([0, 1, 2, 3, 4])), expected, sink);
    const existing = existingFromOutcomes(first.files);
    const redo = await processScanArchiveBuffer(await zipOf([{ name: '02-2018.pdf', data: pdfs[5]! }]), expected, sink, { existing });
    const old = first.files[1]!.sha256!;
    expect(redo.files[0]).toMatchObject({ status: 'replaced', so: '02/2018', previousSha256: old });
    expect(sink.stored.at(-1)!.meta).toMatchObject({ previousSha256: old });
    expect(redo.files[0]!.sha256).not.toBe(old);
    const c = assessCompleteness(expected, redo, existing);
    expect(c).toMatchObject({ complete: true, counts: { replaced: 1, carriedOver: 4 } });
  });

  it('a rejected redelivery does not erase the scan stored earlier', async () => {
    const sink = memorySink();
    const first = await processScanArchiveBuffer(await zipOf(named([0, 1, 2, 3, 4])), expected, sink);
    const existing = existingFromOutcomes(first.files);
    const bad = await processScanArchiveBuffer(await zipOf([{ name: '02-2018.pdf', data: Buffer.from('not a pdf') }]), expected, sink, { existing });
    const c = assessCompleteness(expected, bad, existing);
    expect(c.complete).toBe(true);
    expect(c.counts.rejected).toBe(1);
    expect(c.reworkRate).toBeCloseTo(1 / 5);
    expect(sink.stored).toHaveLength(5);
  });

  it('orphans and duplicates are listed but only missing records make a book incomplete', async () => {
    const run = await processScanArchiveBuffer(
      await zipOf([
        ...named([0, 1, 2, 3]),
        { name: '99-2018.pdf', data: pdfs[5]! },
        { name: '05-2018.pdf', data: pdfs[4]! },
        { name: 'x/05-2018.PDF', data: pdfs[4]! },
      ]),
      expected,
      memorySink(),
    );
    const c = assessCompleteness(expected, run.files);
    expect(c.complete).toBe(false);
    expect(c.counts).toMatchObject({ accepted: 4, orphan: 1, duplicate: 2, missing: 1 });
    expect(c.missing[0]!.refused.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
  });
});

describe('single PDF upload', () => {
  it('a valid PDF named for a record is accepted and stored; the same again is unchanged', async () => {
    const sink = memorySink();
    const run = await processSinglePdf('04-2018.pdf', pdfs[3]!, expected, sink);
    expect(run.files[0]).toMatchObject({ entryName: '04-2018.pdf', status: 'accepted', so: '04/2018', pages: 2 });
    expect(sink.stored.map((s) => s.target)).toEqual([{ so: '04/2018', fileName: '04-2018.pdf' }]);
    const again = await processSinglePdf('04-2018.pdf', pdfs[3]!, expected, sink, { existing: existingFromOutcomes(run.files) });
    expect(again.files[0]!.status).toBe('unchanged');
    expect(sink.stored).toHaveLength(1);
  });

  it('refuses unsafe names, archives, other extensions, oversized and non-PDF content', async () => {
    const sink = memorySink();
    const cases: [string, Buffer, string][] = [
      ['../04-2018.pdf', pdfs[3]!, 'PATH_TRAVERSAL'],
      ['a/04-2018.pdf', pdfs[3]!, 'PATH_TRAVERSAL'],
      ['so.zip', pdfs[3]!, 'NESTED_ARCHIVE'],
      ['04-2018.jpg', pdfs[3]!, 'WRONG_EXTENSION'],
      ['04-2018.pdf', Buffer.from('GIF89a'), 'NOT_PDF'],
      ['04-2018.pdf', Buffer.alloc(0), 'EMPTY_FILE'],
    ];
    for (const [name, data, reason] of cases) {
      const run = await processSinglePdf(name, data, expected, sink);
      expect(run.files[0], name).toMatchObject({ status: 'rejected', reason });
    }
    const big = await processSinglePdf('04-2018.pdf', pdfs[3]!, expected, sink, { limits: { maxFileBytes: 100 } });
    expect(big.files[0]!.reason).toBe('TOO_LARGE');
    expect(sink.stored).toHaveLength(0);
  });
});
