import { describe, expect, it } from 'vitest';
import { checkPdf } from '../../../shared/scans/pdf-check.js';
import { processSinglePdf } from '../../../shared/scans/process-scans.js';
import { makePdf, memorySink } from './fixtures.js';

/** Adds an /Encrypt dictionary next to /Root in the last trailer (or xref stream dictionary). */
function fakeEncrypt(pdf: Buffer): Buffer {
  const s = pdf.toString('latin1');
  const at = s.lastIndexOf('/Root');
  const enc = '/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>\n';
  return Buffer.from(s.slice(0, at) + enc + s.slice(at), 'latin1');
}

describe('checkPdf', () => {
  it('accepts PDFs with a classic xref table and with a cross-reference stream, counting pages', async () => {
    expect(await checkPdf(await makePdf({ pages: 3 }))).toEqual({ ok: true, pages: 3 });
    expect(await checkPdf(await makePdf({ pages: 2, objectStreams: true }))).toEqual({ ok: true, pages: 2 });
  });

  it('an empty buffer is EMPTY_FILE', async () => {
    expect(await checkPdf(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'EMPTY_FILE' });
  });

  it('other content renamed .pdf is NOT_PDF; an archive inside is NESTED_ARCHIVE', async () => {
    expect(await checkPdf(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toMatchObject({
      ok: false,
      reason: 'NOT_PDF',
      detail: expect.stringContaining('JPEG'),
    });
    expect(await checkPdf(Buffer.from('Xin chào, đây không phải PDF'))).toMatchObject({ ok: false, reason: 'NOT_PDF' });
    expect(await checkPdf(Buffer.from('PK\u0003\u0004rest'))).toMatchObject({ ok: false, reason: 'NESTED_ARCHIVE' });
  });

  it('an /Encrypt dictionary in the trailer is ENCRYPTED_PDF (classic table and xref stream)', async () => {
    const classic = fakeEncrypt(await makePdf());
    expect(classic.toString('latin1')).toContain('/Encrypt');
    expect(await checkPdf(classic)).toMatchObject({ ok: false, reason: 'ENCRYPTED_PDF' });
    expect(await checkPdf(fakeEncrypt(await makePdf({ objectStreams: true })))).toMatchObject({ ok: false, reason: 'ENCRYPTED_PDF' });
  });

  it('a truncated PDF is CORRUPT_PDF even though pdf-lib would load what is left', async () => {
    const pdf = await makePdf({ pages: 2, payloadBytes: 20_000 });
    const cut = pdf.subarray(0, Math.floor(pdf.length * 0.7));
    expect(await checkPdf(cut)).toMatchObject({ ok: false, reason: 'CORRUPT_PDF', detail: expect.stringContaining('%%EOF') });
  });

  it('a cross-reference table that points at the wrong bytes is CORRUPT_PDF', async () => {
    const pdf = await makePdf({ pages: 2 });
    const s = pdf.toString('latin1');
    // Move object 2 back by one byte: its xref entry no longer points at "2 0 obj".
    // A byte added before `xref` keeps startxref right, so only the entry is wrong.
    const broken = Buffer.from(s.replace('endobj\n\n2 0 obj', 'endobj\n2 0 obj').replace('\nxref', '\n\nxref'), 'latin1');
    expect(broken.length).toBe(pdf.length);
    expect(await checkPdf(broken)).toMatchObject({ ok: false, reason: 'CORRUPT_PDF', detail: expect.stringContaining('object 2') });
    // startxref pointing nowhere.
    const nowhere = Buffer.from(s.replace(/startxref\s+\d+/, 'startxref\n5'), 'latin1');
    expect(await checkPdf(nowhere)).toMatchObject({ ok: false, reason: 'CORRUPT_PDF' });
  });

  it('garbage inside an object is CORRUPT_PDF', async () => {
    const s = (await makePdf()).toString('latin1');
    // Same length, so the xref stays right; the catalog dictionary is no longer parseable.
    const broken = Buffer.from(s.replace('/Type /Catalog', '<<<<< )))) ]]]'), 'latin1');
    expect(await checkPdf(broken)).toMatchObject({ ok: false, reason: 'CORRUPT_PDF' });
  });

  it('a PDF without pages is NO_PAGES', async () => {
    expect(await checkPdf(await makePdf({ pages: 0 }))).toMatchObject({ ok: false, reason: 'NO_PAGES' });
  });
});

describe('size per page against guidance 1437 (~100 kB per A4 page)', () => {
  const expected = [{ so: '01/2018' }];

  it('above kbPerPageWarning the file is accepted with a LARGE_PAGES warning', async () => {
    const pdf = await makePdf({ pages: 1, payloadBytes: 150_000 });
    const run = await processSinglePdf('01-2018.pdf', pdf, expected, memorySink());
    expect(run.files[0]).toMatchObject({ status: 'accepted', warnings: [{ code: 'LARGE_PAGES' }] });
  });

  it('the threshold is configurable, and a file under it has no warning', async () => {
    const pdf = await makePdf({ pages: 1, payloadBytes: 150_000 });
    const run = await processSinglePdf('01-2018.pdf', pdf, expected, memorySink(), { limits: { kbPerPageWarning: 200 } });
    expect(run.files[0]).toMatchObject({ status: 'accepted', warnings: [] });
    const small = await processSinglePdf('01-2018.pdf', await makePdf({ pages: 2, payloadBytes: 150_000 }), expected, memorySink());
    expect(small.files[0]!.warnings).toEqual([]);
  });
});
