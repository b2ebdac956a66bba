/**
 * The ops console in a real browser: executions by status (failed, stopped, timed out), an execution's
 * history with the failure's cause, stalled and failed books, resume, and the guard against a second
 * execution (the button is disabled while the book's execution runs; when the server refuses anyway,
 * its message is shown). Every test starts from a fresh page load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, newBookInventory, waitFor } from '../support/api-client.js';
import { createBook, waitForStage } from '../support/book-flow.js';
import { accessibilityProblems, goTo, openPage, screenshot, signIn, type TestPage, useBrowser } from '../support/browser.js';
import { useLocalStackEnv } from '../support/handler-env.js';
import { failedBook, markStalled, patchBook, stoppedBook } from './seed.js';

useLocalStackEnv();

describe('ops console', () => {
  const browser = useBrowser();
  const pages: TestPage[] = [];
  /**
   * A fresh ops page for each test: its own context, signed in, the console loaded from scratch (a
   * shared page would keep the previous test's tables, and `goTo` to the same hash does not reload).
   */
  const opsPage = async () => {
    const p = await openPage(browser());
    pages.push(p);
    await signIn(p.page, 'vanhanh');
    await goTo(p.page, '#/van-hanh');
    return p;
  };
  /** Failed at ValidateInventory: A is resumed from the page, B is resumed by someone else first. */
  let bookA: string;
  let bookB: string;
  /** Waiting in Entry (RUNNING) and flagged stalled. */
  let bookC: string;
  /** Its execution stopped (ABORTED) while waiting in Entry. */
  let bookD: string;
  const stop = { error: 'DungThuCong', cause: 'Dừng bằng tay khi thử bảng điều khiển vận hành' };

  beforeAll(async () => {
    const officer = await asUser('hotich.binhan');
    const broken = { closingTotal: null, physicalCondition: 'good', notes: '' };
    [bookA, bookB, { bookId: bookD }] = await Promise.all([
      failedBook(officer, newBookInventory(broken)),
      failedBook(officer, newBookInventory(broken)),
      stoppedBook(officer, newBookInventory(), stop),
    ]);
    // The inventory is fixed (data), so a resumed run passes validation.
    await patchBook(bookA, { closingTotal: 120 });
    await patchBook(bookB, { closingTotal: 120 });
    bookC = await createBook(officer);
    expect((await officer.post(`/books/${bookC}/actions`, { action: 'startDigitisation' })).status).toBe(202);
    await waitForStage(officer, bookC, 'entry');
    await markStalled(bookC, 2);
  });
  afterAll(() => {
    for (const p of pages) expect(p.errors, 'uncaught errors in the page').toEqual([]);
  });

  it('lists executions by status and shows a failed execution as a timeline with its error and cause', async () => {
    const { page } = await opsPage();
    const cause = ((await (await asUser('vanhanh')).get(`/books/${bookA}`)).body.failure.cause as string) ?? '';
    // Commune users read this cause on the book: Vietnamese, naming the field.
    expect(cause).toBe(
      'Thiếu "Tổng số sự kiện khi khóa sổ" (closingTotal) dù sổ ở tình trạng tốt (physicalCondition = good); ' +
        'Thiếu "Tổng số sự kiện khi khóa sổ" (closingTotal) mà không có ghi chú (notes) giải thích lý do',
    );
    await page.locator('[data-testid="executions"]').waitFor();
    await page.getByLabel('Trạng thái').selectOption('FAILED');
    await page.locator('[data-testid="executions"][data-status="FAILED"]').waitFor();
    const rowA = page.locator(`[data-testid="executions"] tr[data-book-id="${bookA}"]`);
    await expect.poll(() => rowA.count()).toBe(1);
    expect(await rowA.locator('.badge').textContent()).toBe('Lỗi');
    expect(await page.locator(`[data-testid="executions"] tr[data-book-id="${bookC}"]`).count()).toBe(0);

    await page.getByLabel('Trạng thái').selectOption('RUNNING');
    await page.locator('[data-testid="executions"][data-status="RUNNING"]').waitFor();
    await expect.poll(() => page.locator(`[data-testid="executions"] tr[data-book-id="${bookC}"]`).count()).toBe(1);
    expect(await rowA.count()).toBe(0);

    // By book: the filter keeps that book's executions only.
    await page.getByLabel('Trạng thái').selectOption('');
    await page.locator('[data-testid="executions"][data-status="ALL"]').waitFor();
    await page.getByLabel('Mã sổ').fill(bookA);
    await expect.poll(() => page.locator('[data-testid="executions"] tbody tr').count()).toBe(1);
    await rowA.getByRole('button', { name: /Xem diễn biến/ }).click();
    await expect.poll(() => page.locator('#execution-history [data-testid="execution-status"]').textContent()).toBe('Lỗi');
    const failed = page.locator('[data-testid="execution-events"] li.failed');
    await expect.poll(() => failed.count()).toBeGreaterThan(0);
    // The failed step names the error and says why: the cause recorded on the book, in full.
    const failedStep = page.locator('[data-testid="execution-events"] li.failed[data-type$="Failed"]', { hasText: 'InventoryInvalid' });
    expect(await failedStep.count()).toBe(1);
    expect(await failedStep.locator('.event-error').textContent()).toBe(`InventoryInvalid: ${cause}`);
    const states = await page.locator('[data-testid="execution-events"] li').evaluateAll((els: any[]) => els.map((e) => e.dataset.state).filter(Boolean));
    expect(states).toEqual(['ValidateInventory', 'RecordFailure', 'Failed']);
    // Every event on request.
    const before = await page.locator('[data-testid="execution-events"] li').count();
    await page.getByLabel('Hiện mọi sự kiện (mặc định: các bước và lỗi)').check();
    expect(await page.locator('[data-testid="execution-events"] li').count()).toBeGreaterThan(before);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'ops-01-failed-execution');
  });

  it("a failed book's page tells the commune officer why, in Vietnamese", async () => {
    const p = await openPage(browser());
    pages.push(p);
    await signIn(p.page, 'hotich.binhan', `#/so/${encodeURIComponent(bookA)}`);
    const failure = p.page.locator('dl.facts > div', { has: p.page.locator('dt', { hasText: 'Lỗi xử lý' }) }).locator('dd');
    await expect.poll(() => failure.textContent()).toContain('InventoryInvalid: Thiếu "Tổng số sự kiện khi khóa sổ" (closingTotal)');
    expect(await failure.textContent()).toContain('mà không có ghi chú (notes) giải thích lý do');
    expect(await p.page.locator('[data-testid="book-flags"]').textContent()).toContain('Lỗi: InventoryInvalid');
    await screenshot(p.page, 'ops-02-failed-book-page');
  });

  it('lists a stopped execution under "Đã dừng" (ABORTED); its timeline shows the stop with its error and cause', async () => {
    const { page } = await opsPage();
    await page.locator('[data-testid="executions"]').waitFor();
    await page.getByLabel('Trạng thái').selectOption('ABORTED');
    await page.locator('[data-testid="executions"][data-status="ABORTED"]').waitFor();
    const rowD = page.locator(`[data-testid="executions"] tr[data-book-id="${bookD}"]`);
    await expect.poll(() => rowD.count()).toBe(1);
    expect(await rowD.locator('.badge').textContent()).toBe('Đã dừng');
    expect(await rowD.locator('.badge').getAttribute('class')).toBe('badge aborted');
    for (const other of [bookA, bookC]) expect(await page.locator(`[data-testid="executions"] tr[data-book-id="${other}"]`).count()).toBe(0);

    await rowD.getByRole('button', { name: /Xem diễn biến/ }).click();
    await expect.poll(() => page.locator('#execution-history [data-testid="execution-status"]').textContent()).toBe('Đã dừng');
    expect(await page.locator('#execution-history .facts').textContent()).toContain(`${stop.error}: ${stop.cause}`);
    const aborted = page.locator('[data-testid="execution-events"] li[data-type="ExecutionAborted"]');
    expect(await aborted.count()).toBe(1);
    expect(await aborted.getAttribute('class')).toContain('failed');
    expect(await aborted.locator('.event-type').textContent()).toBe('Lượt xử lý bị dừng (ExecutionAborted)');
    expect(await aborted.locator('.event-error').textContent()).toBe(`${stop.error}: ${stop.cause}`);
    // It was stopped while waiting in Entry: the last step entered is WaitEntry.
    const states = await page.locator('[data-testid="execution-events"] li').evaluateAll((els: any[]) => els.map((e) => e.dataset.state).filter(Boolean));
    expect(states.at(-1)).toBe('WaitEntry');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'ops-03-aborted-execution');
  });

  it('lists a timed-out execution under "Quá thời gian" (TIMED_OUT): the API answer is stubbed, as no book execution can time out', async () => {
    // The book workflow has no execution-level timeout (each stage's timeout is caught and escalated), so
    // the stack never produces a TIMED_OUT book execution. This checks the page's side only: it asks for
    // status=TIMED_OUT and shows what comes back under its Vietnamese badge.
    const { page } = await opsPage();
    await page.locator('[data-testid="executions"]').waitFor();
    const arn = 'arn:aws:states:ap-southeast-1:000000000000:execution:HoTich-BookWorkflow:90101-KS-9.2018-2018-1';
    const asked: string[] = [];
    await page.route(
      (url) => url.pathname === '/ops/executions' && url.searchParams.get('status') === 'TIMED_OUT',
      async (route) => {
        asked.push(route.request().url());
        await route.fulfill({
          json: {
            executions: [
              {
                executionArn: arn,
                name: '90101-KS-9.2018-2018-1',
                bookId: '90101-KS-9.2018-2018',
                status: 'TIMED_OUT',
                startDate: '2025-01-02T01:00:00.000Z',
                stopDate: '2025-01-16T01:00:00.000Z',
              },
            ],
          },
        });
      },
    );
    await page.getByLabel('Trạng thái').selectOption('TIMED_OUT');
    await page.locator('[data-testid="executions"][data-status="TIMED_OUT"]').waitFor();
    expect(asked).toHaveLength(1);
    const row = page.locator('[data-testid="executions"] tr[data-book-id="90101-KS-9.2018-2018"]');
    expect(await row.locator('.badge').textContent()).toBe('Quá thời gian');
    expect(await row.locator('.badge').getAttribute('class')).toBe('badge timed_out');
    expect(await page.locator('[data-testid="executions"] tbody tr').count()).toBe(1);
    await screenshot(page, 'ops-04-timed-out-listed');
  });

  it('lists stalled and failed books; resume is disabled while the execution runs, works for a failed one, and a refusal is shown', async () => {
    const { page } = await opsPage();
    const table = page.locator('[data-testid="troubled-books"]');
    await table.waitFor();
    const row = (id: string) => table.locator(`tr[data-book-id="${id}"]`);
    await expect.poll(() => row(bookC).count()).toBe(1);
    expect(await row(bookC).textContent()).toContain('(2 lần)');
    expect(await row(bookC).locator('[data-testid="execution-status"]').textContent()).toContain('Đang chạy');
    expect(await row(bookC).locator(`button[data-resume="${bookC}"]`).isDisabled()).toBe(true);
    expect(await row(bookC).textContent()).toContain('Lượt xử lý đang chạy: không chạy lại được');
    for (const id of [bookA, bookB]) {
      expect(await row(id).textContent()).toContain('InventoryInvalid: Thiếu "Tổng số sự kiện khi khóa sổ" (closingTotal) dù sổ ở tình trạng tốt');
      expect(await row(id).locator('[data-testid="execution-status"]').textContent()).toContain('Lỗi');
      expect(await row(id).locator(`button[data-resume="${id}"]`).isEnabled()).toBe(true);
    }
    // A fresh load: no execution picked yet, so the history box still invites a choice.
    expect(await page.locator('#execution-history').textContent()).toContain('Chọn một lượt xử lý để xem diễn biến.');
    await screenshot(page, 'ops-05-troubled-books');

    // A: resumed from the page.
    await row(bookA).locator(`button[data-resume="${bookA}"]`).click();
    await expect.poll(() => row(bookA).locator('.row-result').textContent()).toContain(`Đã chạy lại: lượt mới ${bookA}-2`);
    expect(await row(bookA).locator(`button[data-resume="${bookA}"]`).isDisabled()).toBe(true);

    // B: someone else resumes it first; the page's button is still enabled, the server refuses the second run.
    const other = await asUser('vanhanh');
    expect((await other.post(`/ops/books/${bookB}/resume`)).status).toBe(202);
    await row(bookB).locator(`button[data-resume="${bookB}"]`).click();
    await expect.poll(() => row(bookB).locator('.row-result .error').textContent()).toContain('Sổ đang có một lượt xử lý chạy, không thể chạy lượt thứ hai');
    // The row then shows the execution that runs now, and the button stays off.
    await expect.poll(() => row(bookB).locator('[data-testid="execution-status"]').textContent()).toContain('Đang chạy');
    expect(await row(bookB).locator(`button[data-resume="${bookB}"]`).isDisabled()).toBe(true);
    await screenshot(page, 'ops-06-resume-refused');

    // Both now run (Entry): no longer failed, and looking A up shows the guard.
    const officer = await asUser('hotich.binhan');
    await waitForStage(officer, bookA, 'entry');
    await waitFor(async () => ((await officer.get(`/books/${bookB}`)).body.stage === 'entry' ? true : undefined), `${bookB} in entry`);
    await page.reload();
    await table.waitFor();
    expect(await row(bookC).count()).toBe(1);
    expect(await row(bookA).count()).toBe(0);
    await page.getByLabel('Tìm sổ theo mã').fill(bookA);
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    const looked = page.locator(`[data-testid="looked-up-book"] tr[data-book-id="${bookA}"]`);
    await expect.poll(() => looked.locator('[data-testid="execution-status"]').textContent()).toContain('Đang chạy');
    expect(await looked.locator(`button[data-resume="${bookA}"]`).isDisabled()).toBe(true);
  });
});
