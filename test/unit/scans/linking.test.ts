import { beforeAll, describe, expect, it } from 'vitest';
import { buildLinkIndex, defaultScanName, expectedFileName, normaliseTenFile } from '../../../shared/scans/linking.js';
import { processScanArchiveBuffer } from '../../../shared/scans/process-scans.js';
import { makePdf, memorySink, zipOf } from './fixtures.js';

describe('expected file names', () => {
  it('default name is {so} with "/" → "-", and the pattern is configurable', () => {
    expect(defaultScanName('01/2018')).toBe('01-2018.pdf');
    expect(defaultScanName('7/2019', 'KS_{yyyy}_{n}.pdf')).toBe('KS_2019_7.pdf');
    expect(expectedFileName({ so: '01/2018', tenFile: null })).toBe('01-2018.pdf');
    expect(expectedFileName({ so: '01/2018', tenFile: '   ' })).toBe('01-2018.pdf');
  });

  it('TenFile is trimmed, loses any folder part, and gains ".pdf" when it has none', () => {
    expect(normaliseTenFile('  KS-01.pdf ')).toBe('KS-01.pdf');
    expect(normaliseTenFile('scan\\2018\\KS-01.PDF')).toBe('KS-01.PDF');
    expect(normaliseTenFile('01-2018(2)')).toBe('01-2018(2).pdf');
  });

  it('names compare case-insensitively and after NFC normalisation', () => {
    const index = buildLinkIndex([{ so: '01/2018', tenFile: 'Đỗ Thị Hường.pdf' }]);
    expect(index.link('đỗ thị hường.PDF')).toMatchObject({ kind: 'record', so: '01/2018' });
    expect(index.link('Đỗ Thị Hường.pdf'.normalize('NFD'))).toMatchObject({ kind: 'record', so: '01/2018' });
    expect(index.link('Do Thi Huong.pdf')).toMatchObject({ kind: 'none' });
  });

  it('a name expected by two records is ambiguous', () => {
    const index = buildLinkIndex([{ so: '01/2018', tenFile: '02-2018.pdf' }, { so: '02/2018' }]);
    expect(index.link('02-2018.pdf')).toEqual({ kind: 'ambiguous', sos: ['01/2018', '02/2018'] });
  });
});

describe('shared-page copies name(1).pdf … name(n).pdf', () => {
  let pdfs: Buffer[] = [];
  beforeAll(async () => {
    pdfs = await Promise.all([0, 1, 2, 3, 4].map((i) => makePdf({ label: `copy ${i}` })));
  });

  it('each copy links to the record whose TenFile names it', async () => {
    // Three events written on page 12; the contractor copied the page PDF once per event.
    const expected = [
      { so: '05/2018', tenFile: 'trang-12(1).pdf' },
      { so: '06/2018', tenFile: 'trang-12(2).pdf' },
      { so: '07/2018', tenFile: 'trang-12(3).pdf' },
    ];
    const zip = await zipOf([3, 1, 2].map((k) => ({ name: `trang-12(${k}).pdf`, data: pdfs[k]! })));
    const sink = memorySink();
    const run = await processScanArchiveBuffer(zip, expected, sink);
    expect(run.files.map((f) => [f.entryName, f.status, f.so])).toEqual([
      ['trang-12(3).pdf', 'accepted', '07/2018'],
      ['trang-12(1).pdf', 'accepted', '05/2018'],
      ['trang-12(2).pdf', 'accepted', '06/2018'],
    ]);
    expect(sink.stored.map((s) => s.target.so).sort()).toEqual(['05/2018', '06/2018', '07/2018']);
  });

  it('without TenFile a (k) copy cannot say which event it is: an orphan UNLINKED_SHARED_COPY, while the default name links', async () => {
    const expected = [{ so: '01/2018' }, { so: '02/2018' }];
    const zip = await zipOf([
      { name: '01-2018.pdf', data: pdfs[0]! },
      { name: '01-2018(1).pdf', data: pdfs[1]! },
      { name: '01-2018(2).pdf', data: pdfs[2]! },
    ]);
    const sink = memorySink();
    const run = await processScanArchiveBuffer(zip, expected, sink);
    expect(run.files.map((f) => [f.entryName, f.status, f.reason])).toEqual([
      ['01-2018.pdf', 'accepted', undefined],
      ['01-2018(1).pdf', 'orphan', 'UNLINKED_SHARED_COPY'],
      ['01-2018(2).pdf', 'orphan', 'UNLINKED_SHARED_COPY'],
    ]);
    expect(sink.stored).toHaveLength(1);
  });

  it('a copy links when TenFile of a record equals it, even if other records use default names', async () => {
    const expected = [{ so: '01/2018' }, { so: '02/2018', tenFile: '01-2018(2).pdf' }];
    const zip = await zipOf([
      { name: '01-2018.pdf', data: pdfs[0]! },
      { name: '01-2018(2).pdf', data: pdfs[1]! },
    ]);
    const run = await processScanArchiveBuffer(zip, expected, memorySink());
    expect(run.files.map((f) => [f.status, f.so])).toEqual([
      ['accepted', '01/2018'],
      ['accepted', '02/2018'],
    ]);
  });

  it('a file whose name two records expect is rejected AMBIGUOUS_NAME and stored for neither', async () => {
    const expected = [
      { so: '01/2018', tenFile: 'trang-3.pdf' },
      { so: '02/2018', tenFile: 'trang-3.pdf' },
    ];
    const sink = memorySink();
    const run = await processScanArchiveBuffer(await zipOf([{ name: 'trang-3.pdf', data: pdfs[0]! }]), expected, sink);
    expect(run.files[0]).toMatchObject({ status: 'rejected', reason: 'AMBIGUOUS_NAME' });
    expect(sink.stored).toHaveLength(0);
  });
});
