/**
 * Every page, as each role sees it, at 1280×800 and on a small laptop (1024×640): labels, accessible
 * names, no positive tabindex, landmarks, one h1, and no sideways scrolling of the layout. Plus the
 * keyboard basics: the skip link comes first, focus goes to the heading after a route change.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bookWithRecords, deliverScans, waitForStage } from '../support/book-flow.js';
import { accessibilityProblems, goTo, horizontalOverflow, openPage, screenshot, signIn, useBrowser, viewports, webUrl } from '../support/browser.js';
import { useLocalStackEnv } from '../support/handler-env.js';

useLocalStackEnv();

describe('accessibility and layout of every page', () => {
  const browser = useBrowser();
  /** A book in Review (claimed by the officer) and one still in Scan. */
  let reviewBook: string;
  let scanBook: string;

  beforeAll(async () => {
    const inReview = await bookWithRecords(2);
    reviewBook = inReview.bookId;
    await deliverScans(inReview.a.contractor, reviewBook, ['1/2018', '2/2018']);
    await waitForStage(inReview.a.officer, reviewBook, 'review');
    expect((await inReview.a.officer.post(`/books/${reviewBook}/review/claim`)).status).toBe(200);
    scanBook = (await bookWithRecords(1)).bookId;
  });

  /** Page visits per user: the hash, what to wait for, an optional step that opens more of the page. */
  const visits = () => [
    { name: 'sign-in', user: undefined, hash: '#/dang-nhap', ready: '.user-choice' },
    { name: 'books-officer', user: 'hotich.binhan', hash: '#/so', ready: 'table.books', open: '.create summary' },
    { name: 'book', user: 'hotich.binhan', hash: `#/so/${encodeURIComponent(reviewBook)}`, ready: '[aria-current="step"]' },
    { name: 'upload-pick', user: 'hotich.binhan', hash: '#/tai-len', ready: 'table.books' },
    { name: 'upload-contractor', user: 'scan.binhan', hash: `#/tai-len/${encodeURIComponent(scanBook)}`, ready: '[data-testid="dropzone"]' },
    { name: 'review-queue', user: 'hotich.binhan', hash: '#/kiem-tra', ready: '[data-testid="review-queue"]' },
    {
      name: 'review-record-edit',
      user: 'hotich.binhan',
      hash: `#/kiem-tra/${encodeURIComponent(reviewBook)}`,
      ready: 'iframe.pdf',
      open: 'button[data-key="e"]',
    },
    { name: 'ops', user: 'vanhanh', hash: '#/van-hanh', ready: '[data-testid="executions"]', open: '[data-testid="executions"] button' },
    { name: 'books-district', user: 'tuphap.binhminh', hash: '#/so', ready: 'table.books' },
  ];

  for (const [size, viewport] of Object.entries(viewports)) {
    it(`at ${viewport.width}×${viewport.height}: no accessibility problems and no horizontal scroll on any page`, async () => {
      const found: Record<string, unknown> = {};
      let signedInAs: string | undefined;
      const p = await openPage(browser(), viewport);
      try {
        for (const v of visits()) {
          if (v.user !== signedInAs) {
            if (v.user) await signIn(p.page, v.user);
            else await p.page.goto(`${webUrl()}/#/dang-nhap`);
            signedInAs = v.user;
          }
          await goTo(p.page, v.hash);
          await p.page.locator(v.ready).first().waitFor();
          if (v.open) {
            await p.page.locator(v.open).first().click();
            await p.page.waitForTimeout(300);
          }
          const problems = await accessibilityProblems(p.page);
          const overflow = await horizontalOverflow(p.page);
          if (problems.length || overflow > 0) found[`${v.user ?? 'anonymous'} ${v.hash}`] = { problems, overflow };
          await screenshot(p.page, `a11y-${size}-${v.name}`);
        }
        expect(found).toEqual({});
        expect(p.errors).toEqual([]);
      } finally {
        await p.close();
      }
    });
  }

  it('keyboard: the skip link comes first and moves focus to the content; after navigation focus is on the heading', async () => {
    const p = await openPage(browser(), viewports.smallLaptop);
    const { page } = p;
    await signIn(page, 'hotich.binhan');
    // In-app navigation: focus moves to the new page's heading.
    await page.locator('#nav a', { hasText: 'Sổ hộ tịch' }).click();
    await page
      .locator(`a[href="#/so/${encodeURIComponent(reviewBook)}"]`)
      .first()
      .click();
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe(`Sổ ${reviewBook}`);
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('H1');

    // A fresh load leaves focus at the top: the first Tab reaches the skip link.
    await page.reload();
    await page.locator('[aria-current="step"]').waitFor();
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('BODY');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Bỏ qua, đến nội dung chính');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');
    expect(await page.evaluate('location.hash')).toBe(`#/so/${encodeURIComponent(reviewBook)}`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('Boolean(document.activeElement?.closest("main"))')).toBe(true);

    // The navigation is reachable by keyboard and marks the current page.
    await page.locator('#nav a', { hasText: 'Kiểm tra, phê duyệt' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('location.hash')).toBe('#/kiem-tra');
    // The hash changes first; the router then renders the page and the navigation.
    await expect.poll(() => page.locator('#nav a[aria-current="page"]').textContent()).toBe('Kiểm tra, phê duyệt');
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('H1');
    expect(p.errors).toEqual([]);
    await p.close();
  });
});
