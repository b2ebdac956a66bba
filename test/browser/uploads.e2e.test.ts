/**
 * The upload page in a real browser: progress as the bytes go (uploads throttled in the browser), a
 * single POST retried by the page and resumed with "Tiếp tục", multipart uploads of large zips (a failed
 * part retried, an interrupted upload resumed after a reload), drag and drop, files of the wrong type, and
 * an entry workbook refused as a whole.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { asUser } from '../support/api-client.js';
import { bookWithRecords, createBook, waitForStage } from '../support/book-flow.js';
import { accessibilityProblems, goTo, openPage, recordRequests, screenshot, signIn, type TestPage, throttleUploads, useBrowser } from '../support/browser.js';
import { useLocalStackEnv } from '../support/handler-env.js';
import { pdfFor, zipOf } from '../support/scan-files.js';
import { repoRoot } from '../support/stack-process.js';

useLocalStackEnv();

const tmp = path.join(repoRoot, 'test-results', 'upload-files');
const partOf = (url: string) => Number(new URL(url).searchParams.get('partNumber') ?? 0);
const MiB = 1024 * 1024;

/** A zip with the PDFs of records 1/2018 and 2/2018 and `notesBytes` of contractor notes (random, so incompressible). */
async function scansZip(bookId: string, file: string, notesBytes: number) {
  const zip = await zipOf([
    { name: '1-2018.pdf', data: await pdfFor(`${bookId} 1`) },
    { name: '2-2018.pdf', data: await pdfFor(`${bookId} 2`) },
    { name: 'ghi-chu-nha-thau.bin', data: randomBytes(notesBytes) },
  ]);
  mkdirSync(tmp, { recursive: true });
  const p = path.join(tmp, file);
  writeFileSync(p, zip);
  return { path: p, size: zip.length };
}

/** A zip over the multipart threshold (16 MiB): 17 MiB of notes, 3 parts of 8 MiB. */
const bigZip = (bookId: string, file: string) => scansZip(bookId, file, 17 * MiB);

/**
 * Records every text the upload row of `fileName` shows in its percentage and its status line, from
 * now on: a MutationObserver on the upload list, installed before the file is chosen, so that the row's
 * very first "0 %" and every later value are seen. Returns a reader of what was recorded.
 */
async function watchUploadRow(page: Page, fileName: string) {
  await page.evaluate(`(() => {
    const name = ${JSON.stringify(fileName)};
    const seen = { pct: [], status: [] };
    (window.__shownByRow ??= {})[name] = seen;
    const list = document.querySelector('ul.upload-list');
    if (!list) throw new Error('no upload list on the page');
    const keep = (values, text) => { if (text != null && values.at(-1) !== text) values.push(text); };
    new MutationObserver(() => {
      const row = [...list.querySelectorAll('li.upload-item')].find((li) => li.dataset.fileName === name);
      if (!row) return;
      keep(seen.pct, row.querySelector('.pct')?.textContent);
      keep(seen.status, row.querySelector('.upload-status')?.textContent);
    }).observe(list, { subtree: true, childList: true, characterData: true });
  })()`);
  return () => page.evaluate<{ pct: string[]; status: string[] }>(`window.__shownByRow[${JSON.stringify(fileName)}]`);
}

/**
 * The percentages shown rose one by one to 100 %: strictly increasing, ending at 100, with at least
 * `between` values strictly between 0 and 100 (all of them, by the order, shown before 100 %).
 */
function expectRisingProgress(shown: string[], between: number) {
  const values = shown.map((t) => Number(/^(\d+) %$/.exec(t)?.[1] ?? Number.NaN));
  expect(values.every(Number.isFinite), `percentages shown: ${shown.join(' | ')}`).toBe(true);
  expect(values[0], shown.join(' | ')).toBe(0);
  expect(values.at(-1), shown.join(' | ')).toBe(100);
  for (let i = 1; i < values.length; i++) expect(values[i], `shown in this order: ${shown.join(' | ')}`).toBeGreaterThan(values[i - 1]!);
  expect(values.filter((v) => v > 0 && v < 100).length, `percentages shown: ${shown.join(' | ')}`).toBeGreaterThanOrEqual(between);
}

async function openUpload(page: Page, bookId: string) {
  await goTo(page, `#/tai-len/${encodeURIComponent(bookId)}`);
  await page.locator('[data-testid="dropzone"]').waitFor();
}

describe('upload page', () => {
  const browser = useBrowser();
  const pages: TestPage[] = [];
  const contractorPage = async () => {
    const p = await openPage(browser());
    pages.push(p);
    await signIn(p.page, 'scan.binhan');
    return p.page;
  };

  afterAll(() => {
    for (const p of pages) expect(p.errors, 'uncaught errors in the page').toEqual([]);
  });

  it('progress follows the bytes of a single POST: throttled to 1 MiB/s, the page shows rising percentages before 100 %', async () => {
    const { urls } = inject('stack');
    const { a, bookId } = await bookWithRecords(2);
    const file = await scansZip(bookId, 'so-cham.zip', 3 * MiB);
    const page = await contractorPage();
    await openUpload(page, bookId);
    const shown = await watchUploadRow(page, 'so-cham.zip');
    const requests = recordRequests(page);
    const throttle = await throttleUploads(page, MiB);
    await page.locator('#file-input').setInputFiles(file.path);
    const item = page.locator('li.upload-item[data-file-name="so-cham.zip"]');
    // Half-way through, the bar and its text agree on a value strictly between 0 and 100.
    await expect.poll(() => item.locator('progress').evaluate((el: any) => el.value), { timeout: 20_000 }).toBeGreaterThan(30);
    const midway = { bar: await item.locator('progress').evaluate((el: any) => el.value as number), text: await item.locator('.pct').textContent() };
    expect(midway.bar).toBeLessThan(100);
    await screenshot(page, 'uploads-05-progress-midway');
    await expect.poll(() => item.getAttribute('class'), { timeout: 30_000 }).toContain('done');
    await throttle.off();
    expect(midway.text).toMatch(/^\d+ %$/);
    // 3 MiB at 1 MiB/s: about 30 progress events; at least 10 distinct percentages on the way.
    expectRisingProgress((await shown()).pct, 10);
    expect((await shown()).pct).toContain(midway.text);
    const report = page.locator('[data-testid="scan-report"]');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-complete')).toBe('true');
    const posts = requests.filter((r) => r.method === 'POST' && r.url.startsWith(urls.s3));
    expect(posts).toHaveLength(1);
    expect(requests.some((r) => r.method === 'PUT' && r.url.startsWith(urls.s3))).toBe(false);
    await waitForStage(a.officer, bookId, 'review');
  });

  it('progress of a multipart upload adds up the parts as they go, not only when each part completes', async () => {
    const { a, bookId } = await bookWithRecords(2);
    const file = await bigZip(bookId, 'so-lon-cham.zip');
    const page = await contractorPage();
    await openUpload(page, bookId);
    const shown = await watchUploadRow(page, 'so-lon-cham.zip');
    const throttle = await throttleUploads(page, 4 * MiB);
    await page.locator('#file-input').setInputFiles(file.path);
    const item = page.locator('li.upload-item[data-file-name="so-lon-cham.zip"]');
    await expect.poll(() => item.getAttribute('class'), { timeout: 60_000 }).toContain('done');
    await throttle.off();
    // Part completions alone would show at most 2 values between 0 and 100 (3 parts); the bytes show many.
    expectRisingProgress((await shown()).pct, 10);
    expect((await shown()).status).toContain('Đang ghép các phần…');
    const report = page.locator('[data-testid="scan-report"]');
    await report.waitFor({ timeout: 60_000 });
    expect(await report.getAttribute('data-complete')).toBe('true');
    await waitForStage(a.officer, bookId, 'review');
  });

  /** A book in Scan with one record, the contractor's upload page open and watched, ready for 1-2018.pdf. */
  async function onePdfScene() {
    const { urls } = inject('stack');
    const { a, bookId } = await bookWithRecords(1);
    const page = await contractorPage();
    await openUpload(page, bookId);
    const shown = await watchUploadRow(page, '1-2018.pdf');
    const requests = recordRequests(page);
    const toS3 = (url: URL) => url.href.startsWith(urls.s3);
    return { urls, a, bookId, page, shown, requests, toS3 };
  }

  it('a single POST cut off by the network is retried by the page on its own; the file arrives and is processed', async () => {
    const { urls, a, bookId, page, shown, requests, toS3 } = await onePdfScene();
    let posts = 0;
    await page.route(toS3, async (route: Route) => {
      if (route.request().method() === 'POST' && posts++ === 0) await route.abort('connectionreset');
      else await route.continue();
    });
    await page.locator('#file-input').setInputFiles({ name: '1-2018.pdf', mimeType: 'application/pdf', buffer: await pdfFor(`${bookId} 1`) });
    const item = page.locator('li.upload-item[data-file-name="1-2018.pdf"]');
    await expect.poll(() => item.getAttribute('class'), { timeout: 30_000 }).toContain('done');
    const statuses = (await shown()).status;
    expect(statuses).toContain('Đang tải lên…');
    expect(statuses).toContain('Đang thử lại (lần 2)…');
    expect(statuses.indexOf('Đang thử lại (lần 2)…')).toBeGreaterThan(statuses.indexOf('Đang tải lên…'));
    expect(statuses).not.toContain('Đang thử lại (lần 3)…');
    expect(await item.getByRole('button', { name: /Tiếp tục/ }).count()).toBe(0);
    const report = page.locator('[data-testid="scan-report"]');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-complete')).toBe('true');
    expect(await report.locator('[data-count="accepted"]').textContent()).toBe('1');
    await screenshot(page, 'uploads-06-post-retried');
    expect(posts).toBe(2);
    // One presigned POST asked for; the second attempt reused it and S3 took it.
    expect(requests.filter((r) => r.method === 'POST' && r.url.endsWith(`/books/${bookId}/uploads`))).toHaveLength(1);
    await expect.poll(() => requests.filter((r) => r.method === 'POST' && r.url.startsWith(urls.s3)).map((r) => r.status)).toEqual([undefined, 204]);
    await waitForStage(a.officer, bookId, 'review');
  });

  it('a single POST that fails on every attempt stops with "Tiếp tục"; clicked once the network is back, the file arrives', async () => {
    const { urls, a, bookId, page, shown, requests, toS3 } = await onePdfScene();
    // The S3 endpoint is unreachable for the page.
    await page.route(toS3, (route: Route) => route.abort('connectionrefused'));
    await page.locator('#file-input').setInputFiles({ name: '1-2018.pdf', mimeType: 'application/pdf', buffer: await pdfFor(`${bookId} 1`) });
    const item = page.locator('li.upload-item[data-file-name="1-2018.pdf"]');
    await expect.poll(() => item.getAttribute('class'), { timeout: 30_000 }).toContain('failed');
    expect((await shown()).status).toEqual(expect.arrayContaining(['Đang thử lại (lần 2)…', 'Đang thử lại (lần 3)…', 'Đang thử lại (lần 4)…']));
    expect(await item.locator('.upload-status').textContent()).toContain('Không kết nối được kho lưu trữ sau 4 lần thử');
    expect(requests.filter((r) => r.method === 'POST' && r.url.startsWith(urls.s3))).toHaveLength(4);
    const resume = item.getByRole('button', { name: 'Tiếp tục tải lên 1-2018.pdf' });
    expect(await resume.count()).toBe(1);
    expect(await page.locator('#processing-result').textContent()).toContain('Chưa có kết quả');
    await screenshot(page, 'uploads-07-post-failed');

    await page.unroute(toS3);
    await resume.click();
    await expect.poll(() => item.getAttribute('class'), { timeout: 30_000 }).toContain('done');
    expect(await resume.count()).toBe(0);
    const report = page.locator('[data-testid="scan-report"]');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-complete')).toBe('true');
    await screenshot(page, 'uploads-08-post-resumed');
    await expect.poll(() => requests.filter((r) => r.method === 'POST' && r.url.startsWith(urls.s3) && r.status === 204).length).toBe(1);
    await waitForStage(a.officer, bookId, 'review');
  });

  it('a large zip goes to S3 in parts; a part that fails is retried on its own', async () => {
    const { urls } = inject('stack');
    const { a, bookId } = await bookWithRecords(2);
    const file = await bigZip(bookId, 'so-lon-1.zip');
    const page = await contractorPage();
    await openUpload(page, bookId);
    const requests = recordRequests(page);
    let dropped = 0;
    await page.route(
      (url) => url.href.startsWith(urls.s3) && partOf(url.href) === 2,
      async (route: Route) => {
        if (route.request().method() === 'PUT' && dropped === 0) {
          dropped++;
          await route.abort('connectionreset');
        } else await route.continue();
      },
    );
    await page.locator('#file-input').setInputFiles(file.path);
    const item = page.locator('li.upload-item[data-file-name="so-lon-1.zip"]');
    await expect.poll(() => item.locator('progress').evaluate((el: any) => el.value), { timeout: 60_000 }).toBe(100);
    await expect.poll(() => item.getAttribute('class'), { timeout: 30_000 }).toContain('done');
    const report = page.locator('[data-testid="scan-report"]');
    await report.waitFor({ timeout: 60_000 });
    expect(await report.getAttribute('data-complete')).toBe('true');
    await screenshot(page, 'uploads-01-multipart');

    const puts = requests.filter((r) => r.method === 'PUT' && r.url.startsWith(urls.s3));
    expect(puts.map((r) => partOf(r.url)).sort()).toEqual([1, 2, 2, 3]);
    expect(dropped).toBe(1);
    await expect.poll(() => puts.filter((r) => r.status === 200).reduce((n, r) => n + (r.bodySize ?? 0), 0)).toBe(file.size);
    for (const r of requests.filter((x) => x.url.startsWith(urls.api))) expect(r.bodySize ?? 0, `${r.method} ${r.url}`).toBeLessThan(4096);
    await waitForStage(a.officer, bookId, 'review');
  });

  it('an interrupted multipart upload resumes after a reload, sending only the missing parts', async () => {
    const { urls } = inject('stack');
    const { a, bookId } = await bookWithRecords(2);
    const file = await bigZip(bookId, 'so-lon-2.zip');
    const page = await contractorPage();
    await openUpload(page, bookId);
    // Part 3 never gets through (the connection keeps dropping): after its retries the upload stops.
    const blockPart3 = (url: URL) => url.href.startsWith(urls.s3) && partOf(url.href) === 3;
    await page.route(blockPart3, (route: Route) => route.abort('connectionreset'));
    await page.locator('#file-input').setInputFiles(file.path);
    const item = page.locator('li.upload-item[data-file-name="so-lon-2.zip"]');
    await expect.poll(() => item.getAttribute('class'), { timeout: 60_000 }).toContain('failed');
    expect(await item.locator('.upload-status').textContent()).toContain('Không gửi được phần 3');
    expect(await item.getByRole('button', { name: 'Tiếp tục tải lên so-lon-2.zip' }).count()).toBe(1);
    expect(await item.locator('progress').evaluate((el: any) => el.value)).toBeLessThan(100);
    await screenshot(page, 'uploads-02-interrupted');

    // The tab is reloaded; the page remembers the unfinished upload. The same file, picked again, resumes.
    await page.unroute(blockPart3);
    await page.reload();
    await page.locator('[data-testid="dropzone"]').waitFor();
    await expect.poll(() => page.locator('[data-pending="so-lon-2.zip"]').count()).toBe(1);
    const requests = recordRequests(page);
    await page.locator('#file-input').setInputFiles(file.path);
    const again = page.locator('li.upload-item[data-file-name="so-lon-2.zip"]');
    await expect.poll(() => again.locator('progress').evaluate((el: any) => el.value), { timeout: 60_000 }).toBe(100);
    const report = page.locator('[data-testid="scan-report"]');
    await report.waitFor({ timeout: 60_000 });
    expect(await report.getAttribute('data-complete')).toBe('true');
    const puts = requests.filter((r) => r.method === 'PUT' && r.url.startsWith(urls.s3));
    expect(puts.map((r) => partOf(r.url))).toEqual([3]);
    expect(requests.some((r) => r.method === 'GET' && /\/uploads\/[0-9a-f-]{36}\/parts$/.test(r.url))).toBe(true);
    expect(requests.some((r) => r.method === 'POST' && r.url.endsWith(`/books/${bookId}/uploads`))).toBe(false);
    expect(await page.evaluate('Object.keys(localStorage).filter((k) => k.startsWith("hotich.upload.")).length')).toBe(0);
    await waitForStage(a.officer, bookId, 'review');
  });

  it('a PDF dropped on the drop zone completes a one-record book; a file of the wrong type is refused on the page', async () => {
    const { urls } = inject('stack');
    const { a, bookId } = await bookWithRecords(1);
    const page = await contractorPage();
    await openUpload(page, bookId);
    const requests = recordRequests(page);
    const pdf = (await pdfFor(`${bookId} 1`)).toString('base64');
    const dataTransfer = await page.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(pdf)}), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], '1-2018.pdf', { type: 'application/pdf' }));
      dt.items.add(new File(['ghi chú'], 'ghi-chu.txt', { type: 'text/plain' }));
      return dt;
    })()`);
    const zone = page.locator('[data-testid="dropzone"]');
    await zone.dispatchEvent('dragover', { dataTransfer });
    expect(await zone.getAttribute('class')).toContain('over');
    await zone.dispatchEvent('drop', { dataTransfer });

    const refused = page.locator('li.upload-item[data-file-name="ghi-chu.txt"]');
    expect(await refused.locator('.upload-status').textContent()).toBe('Không nhận: chỉ nhận tệp .zip, .pdf');
    const item = page.locator('li.upload-item[data-file-name="1-2018.pdf"]');
    await expect.poll(() => item.locator('progress').evaluate((el: any) => el.value), { timeout: 30_000 }).toBe(100);
    const report = page.locator('[data-testid="scan-report"]');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-complete')).toBe('true');
    await expect.poll(() => page.locator('[data-testid="upload-book-stage"]').textContent(), { timeout: 30_000 }).toContain('Kiểm tra, đối chiếu');
    await screenshot(page, 'uploads-03-drop');

    const uploadRequests = requests.filter((r) => r.method === 'POST' && r.url.endsWith(`/books/${bookId}/uploads`));
    expect(uploadRequests.map((r) => JSON.parse(r.request.postData() ?? '{}').fileName)).toEqual(['1-2018.pdf']);
    expect(requests.filter((r) => r.method === 'POST' && r.url.startsWith(urls.s3))).toHaveLength(1);
    await waitForStage(a.officer, bookId, 'review');
  });

  it('entry: a workbook that is not the Ministry template goes to S3 and is refused as a whole, with the reason; the book stays in Entry', async () => {
    const { urls } = inject('stack');
    const officer = await asUser('hotich.binhan');
    const bookId = await createBook(officer);
    expect((await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' })).status).toBe(202);
    await waitForStage(officer, bookId, 'entry');
    const p = await openPage(browser());
    pages.push(p);
    const { page } = p;
    await signIn(page, 'nhaplieu.binhan');
    await openUpload(page, bookId);
    await expect.poll(() => page.locator('#processing-result').textContent()).toContain('Chưa có kết quả');
    expect(await accessibilityProblems(page)).toEqual([]);

    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Trang tính 1').addRow(['Họ tên', 'Ngày sinh']).commit();
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const requests = recordRequests(page);
    await page
      .locator('#file-input')
      .setInputFiles({ name: 'bang-tu-lam.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx });
    const item = page.locator('li.upload-item[data-file-name="bang-tu-lam.xlsx"]');
    await expect.poll(() => item.locator('progress').evaluate((el: any) => el.value), { timeout: 30_000 }).toBe(100);
    const report = page.locator('[data-testid="entry-report"]');
    await expect.poll(() => report.getAttribute('data-status'), { timeout: 30_000 }).toBe('rejected');
    const text = (await report.textContent()) ?? '';
    expect(text).toMatch(/Tệp bị từ chối: .{10,}|Tệp có \d+ lỗi/);
    expect(text).toContain('bang-tu-lam.xlsx');
    expect(await page.locator('[data-testid="upload-book-stage"]').textContent()).toContain('Nhập liệu');
    await screenshot(page, 'uploads-04-entry-refused');

    await expect.poll(() => requests.filter((r) => r.method === 'POST' && r.url.startsWith(urls.s3) && r.status === 204).length).toBe(1);
    const toS3 = requests.find((r) => r.method === 'POST' && r.url.startsWith(urls.s3))!;
    expect(toS3.bodySize).toBeGreaterThanOrEqual(xlsx.length);
    const asked = requests.find((r) => r.method === 'POST' && r.url.endsWith(`/books/${bookId}/uploads`));
    expect(JSON.parse(asked?.request.postData() ?? '{}')).toMatchObject({ kind: 'entry', fileName: 'bang-tu-lam.xlsx', size: xlsx.length });
    expect((await officer.get(`/books/${bookId}`)).body.stage).toBe('entry');
  });
});
