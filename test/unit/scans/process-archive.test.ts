import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../shared/errors.js';
import { type ByteSource, bufferByteSource } from '../../../shared/scans/byte-source.js';
import { ByteSourceError, InvalidArchive } from '../../../shared/scans/errors.js';
import { processScanArchive, processScanArchiveBuffer, type ScanOptions } from '../../../shared/scans/process-scans.js';
import type { FileOutcome, ScanRun } from '../../../shared/scans/scan-outcome.js';
import { localHeaderOffset, makePdf, manyEntriesZip, memorySink, patchZip, records, zipOf } from './fixtures.js';

let pdf: Buffer[] = [];
beforeAll(async () => {
  pdf = await Promise.all(Array.from({ length: 8 }, (_, i) => makePdf({ label: `scan ${i}`, pages: 1 + (i % 3) })));
});

const expected5 = records(5);

async function run(zip: Buffer, expected = expected5, options: ScanOptions = {}) {
  const sink = memorySink();
  const result = await processScanArchiveBuffer(zip, expected, sink, options);
  // Whatever the input, only records of the book can be written.
  const sos = new Set(expected.map((r) => r.so));
  for (const s of sink.stored) expect(sos.has(s.target.so)).toBe(true);
  return { result, sink };
}

const byName = (r: ScanRun, name: string): FileOutcome => {
  const f = r.files.find((x) => x.entryName === name);
  if (!f) throw new Error(`no outcome for ${name}: ${r.files.map((x) => x.entryName).join(', ')}`);
  return f;
};

describe('happy path', () => {
  it('a zip of valid PDFs named by TenFile and by default names: all accepted, each stored under its record', async () => {
    const expected = [{ so: '01/2018' }, { so: '02/2018' }, { so: '03/2018', tenFile: 'KS-2018-003.pdf' }, { so: '04/2018', tenFile: 'Nguyễn Văn Ánh.pdf' }];
    const zip = await zipOf([
      { name: '01-2018.pdf', data: pdf[0]! },
      { name: '02-2018.pdf', data: pdf[1]!, compress: false },
      { name: 'KS-2018-003.pdf', data: pdf[2]! },
      { name: 'Nguyễn Văn Ánh.pdf', data: pdf[3]! },
    ]);
    const { result, sink } = await run(zip, expected);
    expect(result.files.map((f) => [f.entryName, f.status, f.so])).toEqual([
      ['01-2018.pdf', 'accepted', '01/2018'],
      ['02-2018.pdf', 'accepted', '02/2018'],
      ['KS-2018-003.pdf', 'accepted', '03/2018'],
      ['Nguyễn Văn Ánh.pdf', 'accepted', '04/2018'],
    ]);
    expect(sink.stored.map((s) => s.target)).toEqual([
      { so: '01/2018', fileName: '01-2018.pdf' },
      { so: '02/2018', fileName: '02-2018.pdf' },
      { so: '03/2018', fileName: 'KS-2018-003.pdf' },
      { so: '04/2018', fileName: 'Nguyễn Văn Ánh.pdf' },
    ]);
    expect(sink.stored[0]!.data.equals(pdf[0]!)).toBe(true);
    expect(sink.stored[1]!.meta).toMatchObject({ size: pdf[1]!.length, pages: 2 });
    expect(sink.stored[1]!.meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.stats).toMatchObject({ entries: 4, uploadBytes: zip.length, storedBytes: pdf.slice(0, 4).reduce((a, b) => a + b.length, 0) });
  });

  it('folders are skipped and files inside them link by their base name', async () => {
    const zip = await zipOf([{ dir: 'So KS 2018/' }, { name: 'So KS 2018/01-2018.pdf', data: pdf[0]! }]);
    const { result, sink } = await run(zip);
    expect(result.skipped).toEqual([{ entryName: 'So KS 2018/', reason: 'DIRECTORY' }]);
    expect(byName(result, 'So KS 2018/01-2018.pdf')).toMatchObject({ status: 'accepted', so: '01/2018' });
    expect(sink.stored).toHaveLength(1);
  });

  it('operating-system files (__MACOSX, .DS_Store, Thumbs.db) are skipped, not reported as orphans', async () => {
    const zip = await zipOf([
      { name: '01-2018.pdf', data: pdf[0]! },
      { name: '__MACOSX/._01-2018.pdf', data: Buffer.from('apple double') },
      { name: '.DS_Store', data: Buffer.from('x') },
      { name: 'Thumbs.db', data: Buffer.from('x') },
    ]);
    const { result } = await run(zip);
    expect(result.files.map((f) => f.entryName)).toEqual(['01-2018.pdf']);
    expect(result.skipped.map((s) => s.reason)).toEqual(['SYSTEM_FILE', 'SYSTEM_FILE', 'SYSTEM_FILE']);
  });
});

describe('hostile entries are rejected one by one, nothing stored for them, the rest still processed', () => {
  it('zip bomb declared in the headers: refused without inflating', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const zip = await zipOf([
      { name: '01-2018.pdf', data: zeros },
      { name: '02-2018.pdf', data: pdf[1]! },
    ]);
    expect(zip.length).toBeLessThan(200_000);
    const { result, sink } = await run(zip);
    expect(byName(result, '01-2018.pdf')).toMatchObject({ status: 'rejected', reason: 'ZIP_BOMB', so: '01/2018' });
    expect(byName(result, '02-2018.pdf').status).toBe('accepted');
    expect(sink.stored.map((s) => s.target.so)).toEqual(['02/2018']);
    expect(result.stats.inflatedBytes).toBe(pdf[1]!.length);
  });

  it('zip bomb with a lying header: stopped while inflating, after about ratioGraceBytes', async () => {
    const zeros = Buffer.alloc(50 * 1024 * 1024);
    const zip = patchZip(await zipOf([{ name: '01-2018.pdf', data: zeros }]), 0, { uncompressedSize: 1000 });
    const { result, sink } = await run(zip);
    expect(byName(result, '01-2018.pdf')).toMatchObject({ status: 'rejected', reason: 'ZIP_BOMB', so: '01/2018' });
    expect(sink.stored).toHaveLength(0);
    // Actual inflated bytes were counted, and inflation stopped once the ratio passed 100:1 (~5 MB of
    // zeros for a ~50 kB entry), long before 50 MB.
    const compressed = zip.readUInt32LE(zip.readUInt32LE(zip.length - 22 + 16) + 20);
    expect(result.stats.inflatedBytes).toBeGreaterThanOrEqual(100 * compressed);
    expect(result.stats.inflatedBytes).toBeLessThan(100 * compressed + 256 * 1024);
    expect(result.stats.inflatedBytes).toBeLessThan(6 * 1024 * 1024);
  });

  it('a file over maxFileBytes is TOO_LARGE, whether its header says so or lies', async () => {
    const big = await makePdf({ payloadBytes: 30_000 });
    const honest = await zipOf([{ name: '01-2018.pdf', data: big, compress: false }]);
    expect(byName((await run(honest, expected5, { limits: { maxFileBytes: 20_000 } })).result, '01-2018.pdf')).toMatchObject({
      reason: 'TOO_LARGE',
      detail: expect.stringContaining('declared'),
    });
    // Stored and bigger than the limit: refused from its compressed size, before reading it.
    expect(
      byName((await run(patchZip(honest, 0, { uncompressedSize: 100 }), expected5, { limits: { maxFileBytes: 20_000 } })).result, '01-2018.pdf'),
    ).toMatchObject({
      reason: 'TOO_LARGE',
      detail: expect.stringContaining('compressed'),
    });
    // Deflated, small when compressed, header lying: refused while inflating.
    const lying = patchZip(await zipOf([{ name: '01-2018.pdf', data: Buffer.alloc(30_000, 0x20) }]), 0, { uncompressedSize: 100 });
    const { result } = await run(lying, expected5, { limits: { maxFileBytes: 20_000 } });
    expect(byName(result, '01-2018.pdf')).toMatchObject({ status: 'rejected', reason: 'TOO_LARGE', detail: expect.stringContaining('inflated') });
    expect(result.stats.inflatedBytes).toBe(20_000);
  });

  it('the total expanded size of the archive is bounded: entries past the budget are ARCHIVE_LIMIT', async () => {
    const zip = await zipOf([0, 1, 2, 3].map((i) => ({ name: `0${i + 1}-2018.pdf`, data: pdf[i]! })));
    const budget = pdf[0]!.length + pdf[1]!.length + 10;
    const { result, sink } = await run(zip, expected5, { limits: { maxTotalBytes: budget } });
    expect(result.files.map((f) => f.reason ?? f.status)).toEqual(['accepted', 'accepted', 'ARCHIVE_LIMIT', 'ARCHIVE_LIMIT']);
    expect(sink.stored).toHaveLength(2);
    expect(result.stats.inflatedBytes).toBeLessThanOrEqual(budget + 16 * 1024);
  });

  it('entries whose data overlap (the overlapping-files bomb) are ZIP_BOMB', async () => {
    const zip = await zipOf([
      { name: '01-2018.pdf', data: pdf[0]! },
      { name: '02-2018.pdf', data: pdf[1]! },
    ]);
    const overlapped = patchZip(zip, 1, { localHeaderOffset: localHeaderOffset(zip, 0) });
    const { result, sink } = await run(overlapped);
    expect(result.files.map((f) => f.reason)).toEqual(['ZIP_BOMB', 'ZIP_BOMB']);
    expect(sink.stored).toHaveLength(0);
  });

  it('path traversal: "..", absolute paths, drive letters, backslashes', async () => {
    const names = ['../../etc/01-2018.pdf', '/abs/02-2018.pdf', 'C:/win/03-2018.pdf', 'sub\\..\\04-2018.pdf'];
    // yazl refuses such names: write placeholders of the same length, then patch the bytes in.
    const placeholders = names.map((n, i) => `${String(i).repeat(n.length - 4)}.pdf`);
    let zip = await zipOf([...placeholders.map((name, i) => ({ name, data: pdf[i]! })), { name: '05-2018.pdf', data: pdf[4]! }]);
    names.forEach((n, i) => {
      zip = patchZip(zip, i, { name: Buffer.from(n) });
    });
    const { result, sink } = await run(zip);
    for (const n of names) expect(byName(result, n)).toMatchObject({ status: 'rejected', reason: 'PATH_TRAVERSAL' });
    expect(byName(result, '05-2018.pdf').status).toBe('accepted');
    expect(sink.stored.map((s) => s.target.so)).toEqual(['05/2018']);
  });

  it('control characters in a name are UNSAFE_NAME', async () => {
    const zip = patchZip(await zipOf([{ name: '01-2018.pdf', data: pdf[0]! }]), 0, { name: Buffer.from('01-2018\u0000pdf') });
    expect(byName((await run(zip)).result, '01-2018\u0000pdf')).toMatchObject({ status: 'rejected', reason: 'UNSAFE_NAME' });
  });

  it('symlink entries (Unix mode in the external attributes) are SYMLINK, even when the name matches a record', async () => {
    const zip = await zipOf([
      { name: '01-2018.pdf', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
      { name: '02-2018.pdf', data: pdf[1]!, mode: 0o100644 },
    ]);
    const { result, sink } = await run(zip);
    expect(byName(result, '01-2018.pdf')).toMatchObject({ status: 'rejected', reason: 'SYMLINK' });
    expect(byName(result, '02-2018.pdf').status).toBe('accepted');
    expect(sink.stored).toHaveLength(1);
  });

  it('an archive inside the archive is NESTED_ARCHIVE, by name or by content', async () => {
    const inner = await zipOf([{ name: '03-2018.pdf', data: pdf[2]! }]);
    const zip = await zipOf([
      { name: 'them.zip', data: inner },
      { name: '01-2018.pdf', data: inner },
    ]);
    const { result, sink } = await run(zip);
    expect(result.files.map((f) => [f.entryName, f.reason])).toEqual([
      ['them.zip', 'NESTED_ARCHIVE'],
      ['01-2018.pdf', 'NESTED_ARCHIVE'],
    ]);
    expect(sink.stored).toHaveLength(0);
  });

  it('non-PDF content renamed .pdf, other extensions, zero-byte files, truncated and encrypted PDFs', async () => {
    const s = pdf[3]!.toString('latin1');
    const encrypted = Buffer.from(s.replace('/Root', '/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>\n/Root'), 'latin1');
    const zip = await zipOf([
      { name: '01-2018.pdf', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) },
      { name: 'ghi-chu.txt', data: Buffer.from('ghi chú') },
      { name: '02-2018.pdf', data: Buffer.alloc(0) },
      { name: '03-2018.pdf', data: pdf[2]!.subarray(0, pdf[2]!.length - 40) },
      { name: '04-2018.pdf', data: encrypted },
      { name: '05-2018.pdf', data: pdf[4]! },
    ]);
    const { result, sink } = await run(zip);
    expect(result.files.map((f) => [f.entryName, f.status, f.reason])).toEqual([
      ['01-2018.pdf', 'rejected', 'NOT_PDF'],
      ['ghi-chu.txt', 'rejected', 'WRONG_EXTENSION'],
      ['02-2018.pdf', 'rejected', 'EMPTY_FILE'],
      ['03-2018.pdf', 'rejected', 'CORRUPT_PDF'],
      ['04-2018.pdf', 'rejected', 'ENCRYPTED_PDF'],
      ['05-2018.pdf', 'accepted', undefined],
    ]);
    // Rejected files that named a record say which, for the missing list.
    expect(byName(result, '03-2018.pdf').so).toBe('03/2018');
    expect(sink.stored.map((x) => x.target.so)).toEqual(['05/2018']);
  });

  it('encrypted zip entries are ENCRYPTED_ENTRY', async () => {
    const zip = patchZip(await zipOf([{ name: '01-2018.pdf', data: pdf[0]! }]), 0, { setFlags: 0x1 });
    expect(byName((await run(zip)).result, '01-2018.pdf')).toMatchObject({ status: 'rejected', reason: 'ENCRYPTED_ENTRY' });
  });

  it('an unsupported compression method is UNSUPPORTED_COMPRESSION; a CRC mismatch is CORRUPT_ENTRY', async () => {
    const zip = await zipOf([
      { name: '01-2018.pdf', data: pdf[0]! },
      { name: '02-2018.pdf', data: pdf[1]!, compress: false },
    ]);
    const bzip2 = patchZip(zip, 0, { compressionMethod: 12 });
    expect(byName((await run(bzip2)).result, '01-2018.pdf').reason).toBe('UNSUPPORTED_COMPRESSION');
    // Flip one byte of the stored entry's data (inside its %PDF header comment line).
    const flipped = Buffer.from(zip);
    const dataStart = localHeaderOffset(zip, 1) + 30 + '02-2018.pdf'.length + zip.readUInt16LE(localHeaderOffset(zip, 1) + 28);
    flipped[dataStart + 10] = flipped[dataStart + 10]! ^ 0xff;
    const { result } = await run(flipped);
    expect(byName(result, '02-2018.pdf')).toMatchObject({ status: 'rejected', reason: 'CORRUPT_ENTRY', detail: 'CRC-32 mismatch' });
    expect(byName(result, '01-2018.pdf').status).toBe('accepted');
  });

  it('deflate data that does not inflate is CORRUPT_ENTRY', async () => {
    const zip = await zipOf([{ name: '01-2018.pdf', data: pdf[0]! }]);
    const broken = Buffer.from(zip);
    const start = localHeaderOffset(zip, 0) + 30 + '01-2018.pdf'.length + zip.readUInt16LE(localHeaderOffset(zip, 0) + 28);
    broken.fill(0xff, start, start + 8);
    expect(byName((await run(broken)).result, '01-2018.pdf')).toMatchObject({ status: 'rejected', reason: 'CORRUPT_ENTRY' });
  });

  it('names equal up to case or Unicode normalisation (NFC vs NFD) are duplicates: none of them is stored', async () => {
    const nfc = 'Lê Thị Ánh.pdf'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    const expected = [...records(2), { so: '03/2018', tenFile: nfc }];
    const zip = await zipOf([
      { name: '01-2018.pdf', data: pdf[0]! },
      { name: 'b/01-2018.PDF', data: pdf[1]! },
      { name: nfc, data: pdf[2]! },
      { name: nfd, data: pdf[3]! },
      { name: '02-2018.pdf', data: pdf[4]! },
    ]);
    const { result, sink } = await run(zip, expected);
    expect(result.files.map((f) => f.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'accepted']);
    expect(result.files.slice(0, 4).every((f) => f.reason === 'DUPLICATE_NAME')).toBe(true);
    expect(byName(result, nfd).so).toBe('03/2018');
    expect(sink.stored.map((s) => s.target.so)).toEqual(['02/2018']);
  });

  it('a PDF named for no record is an orphan (validated, not stored)', async () => {
    const zip = await zipOf([{ name: '99-2018.pdf', data: pdf[0]! }]);
    const { result, sink } = await run(zip);
    expect(result.files[0]).toMatchObject({ status: 'orphan', reason: 'NO_MATCHING_RECORD', pages: 1 });
    expect(sink.stored).toHaveLength(0);
  });
});

describe('Vietnamese file names and zip name encodings', () => {
  const name = 'Trần Thị Ngọc Ánh.pdf';
  const expected = [{ so: '01/2018', tenFile: name }];

  it('UTF-8 flagged names link without warnings', async () => {
    const { result } = await run(await zipOf([{ name, data: pdf[0]! }]), expected);
    expect(result.files[0]).toMatchObject({ entryName: name, status: 'accepted', so: '01/2018', warnings: [] });
  });

  it('UTF-8 bytes without the UTF-8 flag (would be CP437 mojibake) are recovered as UTF-8, with a warning', async () => {
    const zip = patchZip(await zipOf([{ name, data: pdf[0]! }]), 0, { clearFlags: 0x800 });
    const { result } = await run(zip, expected);
    expect(result.files[0]).toMatchObject({ entryName: name, status: 'accepted', so: '01/2018', warnings: [{ code: 'NAME_RECOVERED_UTF8' }] });
  });

  it('names macOS writes in NFD link to NFC TenFile values', async () => {
    const { result } = await run(await zipOf([{ name: name.normalize('NFD'), data: pdf[0]! }]), expected);
    expect(result.files[0]).toMatchObject({ status: 'accepted', so: '01/2018' });
  });

  it('bytes that are not UTF-8 are read as CP437 (the zip default), with a warning', async () => {
    // "Caf\x82.pdf" is "Café.pdf" in CP437 and invalid UTF-8.
    const raw = Buffer.from([0x43, 0x61, 0x66, 0x82, 0x2e, 0x70, 0x64, 0x66]);
    const zip = patchZip(await zipOf([{ name: 'Cafe.pdf', data: pdf[0]! }]), 0, { name: raw, clearFlags: 0x800 });
    const { result } = await run(zip, [{ so: '01/2018', tenFile: 'Café.pdf' }]);
    expect(result.files[0]).toMatchObject({ entryName: 'Café.pdf', status: 'accepted', warnings: [{ code: 'NAME_LEGACY_ENCODING' }] });
  });
});

describe('archive-level failures', () => {
  it('a file that is not a zip is one InvalidArchive (an InvalidInput with a Vietnamese message), nothing stored', async () => {
    const sink = memorySink();
    const err = await processScanArchiveBuffer(Buffer.from('đây không phải tệp zip'.repeat(100)), expected5, sink).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArchive);
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err).toMatchObject({ name: 'InvalidArchive', code: 'InvalidArchive', status: 400, reason: 'NOT_ZIP', details: { reason: 'NOT_ZIP' } });
    expect(err.message).toMatch(/^Tệp bản quét không hợp lệ: /);
    expect(sink.stored).toHaveLength(0);
    await expect(processScanArchiveBuffer(Buffer.alloc(0), expected5, sink)).rejects.toMatchObject({ reason: 'NOT_ZIP' });
  });

  it('a truncated zip (end cut off) is NOT_ZIP; a broken central directory is CORRUPT_ARCHIVE, before anything is stored', async () => {
    const zip = await zipOf([0, 1, 2].map((i) => ({ name: `0${i + 1}-2018.pdf`, data: pdf[i]! })));
    await expect(run(zip.subarray(0, zip.length - 30))).rejects.toMatchObject({ name: 'InvalidArchive', reason: 'NOT_ZIP' });
    // Break the third central-directory record's signature: the first two must not be stored either.
    const broken = Buffer.from(zip);
    const cd = broken.readUInt32LE(broken.length - 22 + 16);
    const third = broken.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 46 + 1 + 46);
    broken.writeUInt32LE(0xdeadbeef, broken.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), third));
    const sink = memorySink();
    await expect(processScanArchiveBuffer(broken, expected5, sink)).rejects.toMatchObject({ reason: 'CORRUPT_ARCHIVE' });
    expect(sink.stored).toHaveLength(0);
  });

  it('strong encryption (flag 0x40) is refused by the central-directory reader: UNSUPPORTED_ARCHIVE', async () => {
    const zip = patchZip(await zipOf([{ name: '01-2018.pdf', data: pdf[0]! }]), 0, { setFlags: 0x41 });
    await expect(run(zip)).rejects.toMatchObject({ reason: 'UNSUPPORTED_ARCHIVE' });
  });

  it('100,000 tiny entries: refused as a whole from the declared count, fast, without reading the entries', async () => {
    const zip = manyEntriesZip(100_000, (i) => `${i}.pdf`);
    let reads = 0;
    const base = bufferByteSource(zip);
    const counting: ByteSource = {
      size: base.size,
      read: (o, l) => {
        reads++;
        return base.read(o, l);
      },
    };
    const t0 = performance.now();
    const err = await processScanArchive(counting, expected5, memorySink()).catch((e) => e);
    expect(err).toMatchObject({ name: 'InvalidArchive', reason: 'TOO_MANY_ENTRIES' });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(reads).toBeLessThanOrEqual(2);
  });

  it('with the limit raised, 100,000 entries are judged on metadata alone in bounded time', async () => {
    const zip = manyEntriesZip(100_000, (i) => `${i}.txt`);
    const t0 = performance.now();
    const { result } = await run(zip, expected5, { limits: { maxEntries: 200_000 } });
    expect(result.files).toHaveLength(100_000);
    expect(result.files.every((f) => f.reason === 'WRONG_EXTENSION')).toBe(true);
    expect(result.stats.inflatedBytes).toBe(0);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  it('a failing ByteSource propagates (the task is retried), it is never a per-file rejection', async () => {
    const zip = await zipOf([0, 1].map((i) => ({ name: `0${i + 1}-2018.pdf`, data: pdf[i]! })));
    const base = bufferByteSource(zip);
    let calls = 0;
    const flaky: ByteSource = {
      size: base.size,
      read: (o, l) => (++calls > 1 ? Promise.reject(new Error('SlowDown')) : base.read(o, l)),
    };
    // One block holds the whole zip; the second block read (the entry data) would need a new read.
    await expect(processScanArchive(flaky, expected5, memorySink(), { limits: { readBlockBytes: 256, readCacheBlocks: 1 } })).rejects.toBeInstanceOf(
      ByteSourceError,
    );
  });

  it('malformed records are the caller’s bug: InvalidInput, before reading anything', async () => {
    const zip = await zipOf([{ name: '01-2018.pdf', data: pdf[0]! }]);
    await expect(run(zip, [{ so: '../../x' }])).rejects.toBeInstanceOf(InvalidInput);
    await expect(run(zip, [{ so: '01/2018' }, { so: '01/2018', tenFile: 'a.pdf' }])).rejects.toThrow(/trùng/);
  });
});

describe('block reads over the ByteSource', () => {
  it('small blocks and a one-block cache give the same result as reading from memory', async () => {
    const zip = await zipOf(pdf.slice(0, 5).map((data, i) => ({ name: `0${i + 1}-2018.pdf`, data })));
    const a = (await run(zip)).result;
    const b = (await run(zip, expected5, { limits: { readBlockBytes: 97, readCacheBlocks: 1 } })).result;
    expect(b.files).toEqual(a.files);
    expect(a.files.every((f) => f.status === 'accepted')).toBe(true);
  });

  it('the deflate bomb helper really is a bomb (guards the test above)', () => {
    expect(deflateRawSync(Buffer.alloc(1024 * 1024)).length).toBeLessThan(2000);
  });
});
