/**
 * One book through the pages, in a real browser: sign in, inventory, start, the entry workbook and the
 * scans uploaded through the upload form straight to S3, review with a correction, approval by another
 * officer, and the ops console showing the book's execution.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { asUser, waitFor } from '../support/api-client.js';
import { accessibilityProblems, goTo, openPage, recordRequests, screenshot, signIn, type TestPage, useBrowser, webUrl } from '../support/browser.js';
import { useLocalStackEnv } from '../support/handler-env.js';
import { entryWorkbook, XLSX } from '../support/entry-files.js';
import { pdfFor, zipOf } from '../support/scan-files.js';

useLocalStackEnv();

/**
 * Fetches a download link exactly as the page shows it and checks that it is a real .xlsx (200, the
 * spreadsheet content type, the file name offered, the zip magic number every .xlsx starts with); returns
 * it opened with exceljs.
 */
async function fetchXlsx(url: string, downloadName: string) {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  expect(res.headers.get('content-type')).toBe(XLSX);
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(downloadName)}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

/** A cell note's text, whether exceljs read it as a string or as rich text. */
function noteText(note: unknown): string {
  if (typeof note === 'string') return note;
  const texts = (note as { texts?: { text: string }[] } | undefined)?.texts ?? [];
  return texts.map((t) => t.text).join('');
}

/** How the pages show a time: dd/MM/yyyy HH:mm:ss in Asia/Ho_Chi_Minh (UTC+7 all year). */
function vietnamTime(iso: string) {
  const d = new Date(Date.parse(iso) + 7 * 3600_000);
  const p = (x: number) => String(x).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

describe('a book through the pages', () => {
  const browser = useBrowser();
  const pages: TestPage[] = [];
  const n = Math.floor(Math.random() * 9000) + 1;
  const year = 2017;
  const quyenSo = `${n}/${year}`;
  const bookId = `90101-KS-${n}.${year}-${year}`;
  /** What earlier steps did, for the history the book page shows at the end. */
  const done = { badWorkbookBytes: 0, goodWorkbookBytes: 0, zipBytes: 0, dateOfBirthBefore: '' };

  const open = async (username: string) => {
    const p = await openPage(browser());
    pages.push(p);
    await signIn(p.page, username);
    return p;
  };

  afterAll(() => {
    for (const p of pages) expect(p.errors, 'uncaught errors in the page').toEqual([]);
  });

  it('signs in from the demo users: the header shows user, role and unit; signing out forgets the token', async () => {
    const p = await openPage(browser());
    pages.push(p);
    const { page } = p;
    await page.goto(`${webUrl()}/`);
    await expect.poll(() => page.evaluate('location.hash')).toBe('#/dang-nhap');
    await page.locator('.user-choice').first().waitFor();
    expect(await page.locator('.user-choice').count()).toBe(10);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'journey-01-sign-in');

    await page.locator('button[data-username="hotich.binhan"]').click();
    await expect.poll(() => page.locator('[data-testid="user-name"]').textContent()).toContain('hotich.binhan');
    expect(await page.locator('[data-testid="user-role"]').textContent()).toBe('Công chức Tư pháp – Hộ tịch');
    await expect.poll(() => page.locator('[data-testid="user-unit"]').textContent()).toBe('90101 – Xã Bình An');
    expect(await page.evaluate('location.hash')).toBe('#/so');
    expect(await page.evaluate('JSON.parse(sessionStorage.getItem("hotich.session")).token.split(".").length')).toBe(3);

    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect.poll(() => page.evaluate('location.hash')).toBe('#/dang-nhap');
    expect(await page.evaluate('sessionStorage.getItem("hotich.session")')).toBeNull();
    expect(await page.locator('[data-testid="user-name"]').count()).toBe(0);
    // A protected page without a session goes to sign-in, then back to where the user wanted to go.
    await page.goto(`${webUrl()}/#/kiem-tra`);
    await expect.poll(() => page.evaluate('location.hash')).toBe('#/dang-nhap');
    await page.locator('button[data-username="hotich.binhan"]').click();
    await expect.poll(() => page.evaluate('location.hash')).toBe('#/kiem-tra');
  });

  it('an officer inventories the book through the form (a malformed quyển số is explained) and starts digitisation', async () => {
    const { page } = await open('hotich.binhan');
    await goTo(page, '#/so');
    await page.getByText('Kiểm kê sổ mới').click();
    const form = page.locator('form.grid-form');
    await form.getByLabel('Loại sổ').selectOption('KS');
    await form.getByLabel('Quyển số').fill(`${n}-${year}`);
    await form.getByLabel('Năm mở sổ').fill(String(year));
    await form.getByLabel('Số trang').fill('120');
    await form.getByLabel('Tổng số sự kiện khi khóa sổ').fill('3');
    await form.getByLabel('Tình trạng vật lý').selectOption('worn');
    await form.getByLabel('Nơi lưu giữ').fill('Tủ 3, kho lưu trữ UBND xã');
    await page.getByRole('button', { name: 'Lưu kiểm kê' }).click();

    const alert = page.locator('.create .error');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Quyển số phải có dạng n/yyyy');
    expect(await page.locator('form.grid-form [name="quyenSo"]').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'journey-02-inventory-error');

    await page.locator('form.grid-form [name="quyenSo"]').fill(quyenSo);
    await page.getByRole('button', { name: 'Lưu kiểm kê' }).click();
    await expect.poll(() => page.evaluate('decodeURIComponent(location.hash)')).toBe(`#/so/${bookId}`);
    await page.locator('[aria-current="step"]').waitFor();
    expect(await page.locator('[aria-current="step"]').getAttribute('data-stage')).toBe('inventory');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.locator('button[data-action="startDigitisation"]').click();
    await expect.poll(() => page.locator('[aria-current="step"]').getAttribute('data-stage'), { timeout: 30_000 }).toBe('entry');
    expect(await page.locator('[data-testid="book-stage"]').textContent()).toBe('Nhập liệu');
    expect(await page.locator('[data-testid="transitions"] tbody tr').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'journey-03-book-in-entry');
  });

  it('the clerk gets the template and uploads the workbook: errors come back as a table and a workbook; corrected, the book moves to Scan', async () => {
    const { urls } = inject('stack');
    const { page } = await open('nhaplieu.binhan');
    expect(await page.evaluate('location.hash')).toBe('#/tai-len');
    await page.locator('table.books').waitFor();
    await page.getByLabel('Quyển số', { exact: true }).fill(quyenSo);
    await expect.poll(() => page.locator('table.books tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: `Chọn sổ ${bookId} để tải lên` }).click();
    await page.locator('[data-testid="dropzone"]').waitFor();
    expect(await page.locator('#file-input').getAttribute('accept')).toContain('.xlsx');
    await expect.poll(() => page.locator('#processing-result').textContent()).toContain('Chưa có kết quả');

    const download = page.waitForEvent('download');
    await page.locator('a[data-template="KS"]').click();
    const template = await download;
    expect(template.suggestedFilename()).toBe('mau-nhap-lieu-KS.xlsx');
    const templateBytes = readFileSync((await template.path())!);
    expect(templateBytes.subarray(0, 2).toString()).toBe('PK');

    // A workbook with an impossible date of birth on its second record.
    const book = { registerType: 'KS' as const, quyenSo, yearOpened: year };
    const bad = await entryWorkbook(book, 3, (i): Record<string, string> => (i === 1 ? { nksNgaySinh: '31.02.2017' } : {}));
    const requests = recordRequests(page);
    await page.locator('#file-input').setInputFiles({ name: 'nhap-lieu-loi.xlsx', mimeType: XLSX, buffer: bad.bytes });
    const report = page.locator('[data-testid="entry-report"]');
    await expect.poll(() => report.getAttribute('data-status'), { timeout: 30_000 }).toBe('rejected');
    const issues = page.locator('[data-testid="entry-issues"] tbody tr', { hasText: 'nksNgaySinh' });
    await expect.poll(() => issues.count()).toBeGreaterThan(0);
    expect(await issues.first().textContent()).toContain('31.02.2017');
    // The error workbook, fetched with the very link the page shows: a real .xlsx that names the bad row.
    const errorLink = (await page.locator('[data-testid="error-workbook-link"]').getAttribute('href')) ?? '';
    expect(errorLink).toMatch(new RegExp(`^${urls.s3}/`));
    const [errorRow, errorColumn, , errorMessage, errorValue, errorRule] = await issues.first().locator('td').allTextContents();
    expect([errorColumn, errorValue]).toEqual(['nksNgaySinh', '31.02.2017']);
    const errorBook = await fetchXlsx(errorLink, `loi-nhap-lieu-${bookId}.xlsx`);
    const listed = errorBook.getWorksheet('Lỗi')!;
    const listedRows: unknown[][] = [];
    listed.eachRow((r, i) => {
      if (i > 1) listedRows.push([1, 2, 3, 4, 5].map((c) => r.getCell(c).value));
    });
    expect(listedRows).toContainEqual([Number(errorRow), 'nksNgaySinh', '31.02.2017', errorRule, errorMessage]);
    // On the data sheet, the cell itself is marked: red, with the message as its note.
    const data = errorBook.worksheets[0]!;
    const headers = (data.getRow(1).values as unknown[]).map(String);
    const cell = data.getRow(Number(errorRow)).getCell(headers.indexOf('nksNgaySinh'));
    expect(cell.value).toBe('31.02.2017');
    expect(noteText(cell.note)).toContain(errorMessage);
    expect((cell.fill as { fgColor?: { argb?: string } }).fgColor?.argb).toBe('FFFFC7CE');
    expect(await page.locator('[data-testid="upload-book-stage"]').textContent()).toContain('Nhập liệu');
    await screenshot(page, 'journey-04-entry-errors');

    const good = await entryWorkbook(book, 3);
    done.badWorkbookBytes = bad.bytes.length;
    done.goodWorkbookBytes = good.bytes.length;
    await page.locator('#file-input').setInputFiles({ name: 'nhap-lieu.xlsx', mimeType: XLSX, buffer: good.bytes });
    await expect.poll(() => report.getAttribute('data-status'), { timeout: 30_000 }).toBe('accepted');
    expect(await report.textContent()).toContain('3 bản ghi đã được ghi nhận');
    await expect.poll(() => page.locator('[data-testid="upload-book-stage"]').textContent(), { timeout: 30_000 }).toContain('Scan');
    await screenshot(page, 'journey-05-entry-accepted');
    // Both workbooks went to S3 in full; the API only saw small JSON.
    const toS3 = requests.filter((r) => r.url.startsWith(urls.s3) && r.method === 'POST');
    await expect.poll(() => toS3.filter((r) => r.bodySize !== undefined).length).toBe(2);
    expect(toS3.map((r) => r.bodySize)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(toS3[0]!.bodySize).toBeGreaterThanOrEqual(bad.bytes.length);
    expect(toS3[1]!.bodySize).toBeGreaterThanOrEqual(good.bytes.length);
    for (const r of requests.filter((x) => x.url.startsWith(urls.api))) expect(r.bodySize ?? 0, `${r.method} ${r.url}`).toBeLessThan(4096);
    const stored = (await (await asUser('hotich.binhan')).get(`/books/${bookId}`)).body;
    expect(stored).toMatchObject({ stage: 'scan', counts: { records: 3 } });
  });

  it('the contractor finds the book and uploads a zip straight to S3: progress 100 %, the acceptance report, the book in Review', async () => {
    const { urls } = inject('stack');
    const { page } = await open('scan.binhan');
    expect(await page.evaluate('location.hash')).toBe('#/tai-len');
    await page.locator('table.books').waitFor();
    await page.getByLabel('Quyển số', { exact: true }).fill(quyenSo);
    await expect.poll(() => page.locator('table.books tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: `Chọn sổ ${bookId} để tải lên` }).click();
    await page.locator('[data-testid="dropzone"]').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await expect.poll(() => page.locator('#processing-result').textContent()).toContain('Chưa có kết quả');

    const zip = await zipOf(await Promise.all([1, 2, 3].map(async (i) => ({ name: `${i}-${year}.pdf`, data: await pdfFor(`${bookId} ${i}/${year}`) }))));
    done.zipBytes = zip.length;
    const requests = recordRequests(page);
    await page.locator('#file-input').setInputFiles({ name: 'so-KS.zip', mimeType: 'application/zip', buffer: zip });

    const item = page.locator('li.upload-item[data-file-name="so-KS.zip"]');
    await expect.poll(() => item.locator('progress').evaluate((el: any) => el.value), { timeout: 30_000 }).toBe(100);
    expect(await item.locator('.pct').textContent()).toBe('100 %');
    await expect.poll(() => item.getAttribute('class')).toContain('done');

    const report = page.locator('[data-testid="scan-report"]');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-complete')).toBe('true');
    expect(await report.locator('[data-count="accepted"]').textContent()).toBe('3');
    expect(await report.locator('[data-count="missing"]').textContent()).toBe('0');
    // The acceptance report, fetched with the link the page shows: a real .xlsx about this delivery.
    const reportLink = (await page.locator('[data-testid="report-link"]').getAttribute('href')) ?? '';
    expect(reportLink).toMatch(new RegExp(`^${urls.s3}/`));
    const acceptance = await fetchXlsx(reportLink, `bien-ban-nghiem-thu-${bookId}.xlsx`);
    const facts = new Map<string, unknown>();
    acceptance.getWorksheet('Tổng hợp')!.eachRow((r) => facts.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(facts.get('Mã quyển sổ')).toBe(bookId);
    expect(facts.get('Kết luận')).toBe('ĐỦ: mọi bản ghi đã có tệp PDF hợp lệ');
    expect(facts.get('Tệp đạt (mới)')).toBe(3);
    expect(facts.get('Bản ghi thiếu bản quét')).toBe(0);
    const files: unknown[][] = [];
    acceptance.getWorksheet('Chi tiết tệp')!.eachRow((r, i) => {
      if (i > 1) files.push([2, 3, 4].map((c) => r.getCell(c).value));
    });
    expect(files).toEqual([1, 2, 3].map((i) => [`${i}-${year}.pdf`, `${i}/${year}`, 'Đạt']));
    await expect.poll(() => page.locator('[data-testid="upload-book-stage"]').textContent(), { timeout: 30_000 }).toContain('Kiểm tra, đối chiếu');
    await screenshot(page, 'journey-06-scans-uploaded');

    // The bytes went to S3, never to our API: one POST to the S3 endpoint carrying the whole zip,
    // and only small JSON requests to the API.
    await expect.poll(() => requests.filter((r) => r.url.startsWith(urls.s3) && r.method === 'POST' && r.bodySize !== undefined).length).toBe(1);
    const toS3 = requests.find((r) => r.url.startsWith(urls.s3) && r.method === 'POST')!;
    expect(toS3.bodySize).toBeGreaterThanOrEqual(zip.length);
    expect(toS3.status).toBe(204);
    const toApi = requests.filter((r) => r.url.startsWith(urls.api));
    expect(toApi.some((r) => r.method === 'POST' && r.url.endsWith(`/books/${bookId}/uploads`))).toBe(true);
    for (const r of toApi) expect(r.bodySize ?? 0, `${r.method} ${r.url}`).toBeLessThan(4096);

    await page.getByRole('link', { name: '(xem sổ)' }).click();
    await expect.poll(() => page.locator('[aria-current="step"]').getAttribute('data-stage')).toBe('review');
    expect(await page.locator('[data-testid="count-scans"]').textContent()).toBe('3');
  });

  it('a reviewer claims the book, corrects a field with a reason using the keyboard, marks the rest OK; a stale version is reloaded with a notice', async () => {
    const { urls } = inject('stack');
    const officer = await asUser('hotich.binhan');
    const before1 = (await officer.get(`/books/${bookId}/records/1-${year}`)).body;
    done.dateOfBirthBefore = before1.fields.nksNgaySinh ?? '';
    const { page } = await open('hotich.binhan');
    await goTo(page, '#/kiem-tra');
    await page.locator(`button[data-claim="${bookId}"]`).click();
    await expect.poll(() => page.evaluate('decodeURIComponent(location.hash)')).toBe(`#/kiem-tra/${bookId}/1-${year}`);
    await expect.poll(() => page.locator('[data-testid="record-meta"]').textContent()).toContain('chưa kiểm tra');
    expect(await page.locator('.record-fields h2').textContent()).toBe(`Bản ghi số 1/${year}`);
    expect(await page.locator('[data-testid="record-fields"]').textContent()).toContain(before1.fields.nksHoTen);
    expect(await page.locator('iframe.pdf').getAttribute('src')).toMatch(new RegExp(`^${urls.s3}/`));
    expect(await page.locator('iframe.pdf').getAttribute('title')).toBe(`Bản scan của bản ghi 1/${year}`);
    expect(await page.locator('.shortcuts').textContent()).toContain('Đánh dấu đúng');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'journey-07-review-record');

    // E opens the editor; a changed field needs a reason before it is saved.
    await page.locator('main h1').focus();
    await page.keyboard.press('e');
    const date = page.locator('input[data-field="nksNgaySinh"]');
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('INPUT');
    expect(await date.inputValue()).toBe(before1.fields.nksNgaySinh ?? '');
    await date.fill('12.03.2017');
    await date.press('Control+Enter');
    await expect.poll(() => page.locator('[data-testid="review-message"]').textContent()).toContain('Hãy chọn lý do sửa trường nksNgaySinh');
    await page.locator('select[data-reason-for="nksNgaySinh"]').selectOption('WRONG_DATE');
    await page.locator('input[name="note-nksNgaySinh"]').fill('Sổ ghi 12.03');
    await screenshot(page, 'journey-08-review-edit');
    await date.press('Control+Enter');
    await expect.poll(() => page.locator('[data-testid="review-message"]').textContent()).toContain('đã lưu 1 chỗ sửa');
    expect(await page.locator('[data-testid="corrections"] tbody tr').count()).toBe(1);

    const rec1 = (await officer.get(`/books/${bookId}/records/1-${year}`)).body;
    expect(rec1.fields.nksNgaySinh).toBe('12.03.2017');
    expect(rec1.corrections[0]).toMatchObject({
      field: 'nksNgaySinh',
      before: before1.fields.nksNgaySinh,
      after: '12.03.2017',
      reason: 'WRONG_DATE',
      note: 'Sổ ghi 12.03',
      by: { username: 'hotich.binhan' },
    });

    // J moves to record 2. Meanwhile the record changes elsewhere: the save is refused (409) and the record reloaded.
    await page.locator('main h1').focus();
    await page.keyboard.press('j');
    await expect.poll(() => page.locator('.record-fields h2').textContent()).toBe(`Bản ghi số 2/${year}`);
    const rec2 = (await officer.get(`/books/${bookId}/records/2-${year}`)).body;
    expect((await officer.call('PATCH', `/books/${bookId}/records/2-${year}`, { version: rec2.version, status: 'ok' })).status).toBe(200);
    await page.locator('main h1').focus();
    await page.keyboard.press('e');
    await page.locator('input[data-field="nksHoTen"]').fill('Nguyễn Văn Hai');
    await page.locator('select[data-reason-for="nksHoTen"]').selectOption('TYPO');
    await page.getByRole('button', { name: 'Lưu sửa' }).click();
    await expect.poll(() => page.locator('[data-testid="review-message"]').textContent()).toContain('vừa được thay đổi ở nơi khác');
    expect(await page.locator('[data-testid="record-meta"]').textContent()).toContain(`phiên bản ${rec2.version + 1}`);
    expect((await officer.get(`/books/${bookId}/records/2-${year}`)).body.fields.nksHoTen).toBe(rec2.fields.nksHoTen);
    await screenshot(page, 'journey-09-review-conflict');

    // K goes back, J forward again; O marks record 3 OK.
    await page.locator('main h1').focus();
    await page.keyboard.press('k');
    await expect.poll(() => page.locator('.record-fields h2').textContent()).toBe(`Bản ghi số 1/${year}`);
    await page.keyboard.press('j');
    await expect.poll(() => page.locator('.record-fields h2').textContent()).toBe(`Bản ghi số 2/${year}`);
    await page.keyboard.press('j');
    await expect.poll(() => page.locator('.record-fields h2').textContent()).toBe(`Bản ghi số 3/${year}`);
    await page.keyboard.press('o');
    await expect.poll(() => page.locator('[data-testid="review-progress"]').textContent()).toContain('Đã kiểm tra 3/3');
    expect((await officer.get(`/books/${bookId}/records/3-${year}`)).body.review).toMatchObject({ status: 'ok', by: { username: 'hotich.binhan' } });

    await page.locator('button[data-action="passReview"]').click();
    await expect.poll(() => page.evaluate('decodeURIComponent(location.hash)'), { timeout: 30_000 }).toBe(`#/so/${bookId}`);
    await expect.poll(() => page.locator('[aria-current="step"]').getAttribute('data-stage')).toBe('approval');
  });

  it('the reviewer may not approve (the refusal is shown); another officer approves from the approval list', async () => {
    const reviewer = await open('hotich.binhan');
    await goTo(reviewer.page, `#/so/${encodeURIComponent(bookId)}`);
    await reviewer.page.locator('button[data-action="approve"]').click();
    await expect.poll(() => reviewer.page.locator('.actions .error').textContent()).toContain('Người phê duyệt phải khác người nhập liệu và người kiểm tra');

    const { page } = await open('hotich2.binhan');
    await goTo(page, '#/kiem-tra');
    const row = page.locator('[data-testid="approval-list"] tr', { hasText: bookId });
    await row.getByRole('link', { name: `Xem và phê duyệt sổ ${bookId}` }).click();
    await page.locator('button[data-action="approve"]').waitFor();
    expect(await page.locator('button[data-action="reject"]').count()).toBe(1);
    await screenshot(page, 'journey-10-approval');
    await page.locator('button[data-action="approve"]').click();
    await expect.poll(() => page.evaluate('decodeURIComponent(location.hash)'), { timeout: 30_000 }).toBe(`#/so/${bookId}`);
    await expect.poll(() => page.locator('[aria-current="step"]').getAttribute('data-stage')).not.toBe('approval');
    const book = await waitFor(async () => {
      const b = (await (await asUser('hotich.binhan')).get(`/books/${bookId}`)).body;
      return b.approval ? b : undefined;
    }, 'approval recorded');
    expect(book.approval.by.username).toBe('hotich2.binhan');
  });

  it('the book page shows its history: the stage changes and the audit trail (time, action, who, what changed)', async () => {
    const officer = await asUser('hotich.binhan');
    // The approval's stage change is written by the workflow just after the approval itself.
    const history = await waitFor(async () => {
      const h = (await officer.get(`/books/${bookId}/history`)).body;
      return h.audit.some((e: any) => e.action === 'stage.entered' && e.after?.stage === 'reconciliation') ? h : undefined;
    }, 'approval moved the book on');
    const audit = history.audit as { at: string; action: string; after?: any }[];
    const { page } = await open('hotich.binhan');
    await goTo(page, `#/so/${encodeURIComponent(bookId)}`);
    const cellsOf = (selector: string) =>
      page.locator(`${selector} tbody tr`).evaluateAll((trs: any[]) => trs.map((tr) => [...tr.cells].map((c: any) => c.textContent as string)));

    // Stage changes, oldest first: when, from, to, and who decided.
    const transitions = await cellsOf('[data-testid="transitions"]');
    expect(transitions.map((r) => r.slice(1))).toEqual([
      ['Kiểm kê', 'Nhập liệu', 'hotich.binhan'],
      ['Nhập liệu', 'Scan', 'nhaplieu.binhan'],
      ['Scan', 'Kiểm tra, đối chiếu', 'scan.binhan'],
      ['Kiểm tra, đối chiếu', 'Phê duyệt', 'hotich.binhan'],
      ['Phê duyệt', 'Đối chiếu CSDLQGVDC', 'hotich2.binhan'],
    ]);
    const entered = audit.filter((e) => e.action === 'stage.entered');
    expect(transitions.map((r) => r[0])).toEqual(entered.map((e) => vietnamTime(e.at)));

    // The audit trail is folded away when long; opened, it lists every entry, newest first.
    const summary = page.locator('details.audit summary');
    expect(await summary.textContent()).toBe(`Nhật ký thao tác (${audit.length})`);
    await summary.click();
    await page.locator('[data-testid="audit"]').waitFor({ state: 'visible' });
    const rows = await cellsOf('[data-testid="audit"]');
    expect(rows.map((r) => r[0])).toEqual([...audit].reverse().map((e) => vietnamTime(e.at)));
    const claimedUntil = audit.find((e) => e.action === 'review.claimed')?.after?.until as string;
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    const xlsx = (bytes: number) => `Tệp Excel nhập liệu, ${kb(bytes)}`;
    const scans = `Bản scan (.zip hoặc .pdf), ${kb(done.zipBytes)}`;
    // Action, who, what changed (entries written in the same millisecond may come in either order).
    const byContent = (r: string[][]) => r.map((x) => x.join(' | ')).sort();
    expect(byContent(rows.map((r) => r.slice(1)))).toEqual(
      byContent([
        ['Kiểm kê sổ', 'hotich.binhan', `Quyển số ${quyenSo}, 120 trang, tổng số khi khóa sổ: 3`],
        ['Bắt đầu số hóa', 'hotich.binhan', ''],
        ['Chuyển giai đoạn', 'hotich.binhan', 'Kiểm kê → Nhập liệu'],
        ['Yêu cầu tải lên', 'nhaplieu.binhan', xlsx(done.badWorkbookBytes)],
        ['Đã nhận tệp', 'nhaplieu.binhan', xlsx(done.badWorkbookBytes)],
        ['Tệp nhập liệu có lỗi', 'nhaplieu.binhan', '3 dòng, 1 lỗi: chưa bản ghi nào được ghi nhận'],
        ['Yêu cầu tải lên', 'nhaplieu.binhan', xlsx(done.goodWorkbookBytes)],
        ['Đã nhận tệp', 'nhaplieu.binhan', xlsx(done.goodWorkbookBytes)],
        ['Tệp nhập liệu hợp lệ', 'nhaplieu.binhan', '3 bản ghi được ghi nhận'],
        ['Nhập liệu hợp lệ (tự động khi tệp Excel đạt kiểm tra)', 'nhaplieu.binhan', ''],
        ['Chuyển giai đoạn', 'nhaplieu.binhan', 'Nhập liệu → Scan'],
        ['Yêu cầu tải lên', 'scan.binhan', scans],
        ['Đã nhận tệp', 'scan.binhan', scans],
        ['Đủ bản scan', 'scan.binhan', '3 bản scan nhận, còn thiếu 0'],
        ['Đủ bản scan (tự động khi bộ bản scan đầy đủ)', 'scan.binhan', ''],
        ['Chuyển giai đoạn', 'scan.binhan', 'Scan → Kiểm tra, đối chiếu'],
        ['Nhận sổ để kiểm tra', 'hotich.binhan', `Giữ sổ đến ${vietnamTime(claimedUntil)}`],
        [
          'Sửa bản ghi',
          'hotich.binhan',
          `Bản ghi 1/${year}: nksNgaySinh: ${done.dateOfBirthBefore} → 12.03.2017 (Sai ngày tháng (ngày đăng ký, ngày sinh, ngày chết…))`,
        ],
        ['Đánh dấu bản ghi đúng', 'hotich.binhan', `Bản ghi 2/${year}`],
        ['Đánh dấu bản ghi đúng', 'hotich.binhan', `Bản ghi 3/${year}`],
        ['Đạt kiểm tra', 'hotich.binhan', ''],
        ['Chuyển giai đoạn', 'hotich.binhan', 'Kiểm tra, đối chiếu → Phê duyệt'],
        ['Phê duyệt', 'hotich2.binhan', ''],
        ['Lập gói dữ liệu xuất', 'hotich2.binhan', ''],
        ['Chuyển giai đoạn', 'hotich2.binhan', 'Phê duyệt → Đối chiếu CSDLQGVDC'],
      ]),
    );
    expect(done.dateOfBirthBefore).not.toBe('');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'journey-11-book-history');
  });

  it("ops: the console lists the book's execution and shows its history as a timeline", async () => {
    const ops = await asUser('vanhanh');
    const book = (await ops.get(`/books/${bookId}`)).body;
    const { page } = await open('vanhanh');
    expect(await page.evaluate('location.hash')).toBe('#/van-hanh');
    await page.locator('[data-testid="executions"]').waitFor();
    await page.getByLabel('Mã sổ').fill(bookId);
    const row = page.locator(`[data-testid="executions"] tr[data-book-id="${bookId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('button', { name: /Xem diễn biến/ }).click();
    const events = page.locator('[data-testid="execution-events"] li');
    await expect.poll(() => events.count()).toBeGreaterThan(5);
    const states = await page.locator('[data-testid="execution-events"] li').evaluateAll((els: any[]) => els.map((e) => e.dataset.state).filter(Boolean));
    for (const s of ['WaitEntry', 'WaitScan', 'WaitReview', 'WaitApproval']) expect(states).toContain(s);
    const status = (await ops.get(`/ops/executions/${encodeURIComponent(book.executionArn)}/history`)).body.status as string;
    expect(await page.locator('#execution-history [data-testid="execution-status"]').textContent()).toBe(status === 'RUNNING' ? 'Đang chạy' : 'Thành công');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'journey-12-ops-history');
  });
});
