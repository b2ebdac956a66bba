/**
 * Browser tests: Playwright (playwright-core, no bundled browser) driving Debian's Chromium.
 * Chromium must be installed (`apt-get install chromium`; `.ci/run` does it): without it the tests
 * fail with that instruction, they are never skipped.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { repoRoot } from './stack-process.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without the background-networking flags Chromium keeps dialling Google, which this network refuses. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

/**
 * Starts Chromium. Playwright gives every launch a fresh, empty user-data dir (a temporary
 * `playwright_chromiumdev_profile-*` it deletes on close), so no state leaks between runs.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. The browser tests need Debian's chromium: run \`apt-get update && apt-get install -y chromium\` ` +
        '(CI: .ci/run installs it), or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * Registers the browser for a test file: launched once before the tests, closed after. A launch
 * failure (no Chromium) is rethrown by every test that asks for the browser, so each of them fails
 * with the message instead of being skipped as tests after a failed `beforeAll` are.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  let failure: Error | undefined;
  beforeAll(async () => {
    try {
      browser = await launchBrowser();
    } catch (err) {
      failure = err as Error;
    }
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (failure) throw failure;
    if (!browser) throw new Error('The browser was not started (useBrowser() must be called at the top of a describe block)');
    return browser;
  };
}

export const viewports = {
  desktop: { width: 1280, height: 800 },
  smallLaptop: { width: 1024, height: 640 },
} as const;

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors in the page (each test asserts there were none). */
  errors: string[];
  close(): Promise<void>;
}

/** A page in its own context (own sessionStorage/localStorage), with page errors collected. */
export async function openPage(browser: Browser, viewport: { width: number; height: number } = viewports.desktop): Promise<TestPage> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', acceptDownloads: true });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, context, errors, close: () => context.close() };
}

export function webUrl(): string {
  return inject('stack').urls.web.replace(/\/$/, '');
}

/** Signs in through the sign-in page's demo user list and waits for the header to show the user. */
export async function signIn(page: Page, username: string, hash = '') {
  await page.goto(`${webUrl()}/#/dang-nhap`);
  await page.locator(`button[data-username="${username}"]`).click();
  await page.locator('[data-testid="user-name"]', { hasText: username }).waitFor();
  if (hash) await goTo(page, hash);
}

/** Navigates to a hash route and waits for the page's heading to have replaced "Đang tải…". */
export async function goTo(page: Page, hash: string) {
  await page.goto(`${webUrl()}/${hash}`);
  await page.waitForFunction('document.querySelector("main h1") && !document.querySelector("main p.muted")?.textContent?.startsWith("Đang tải")');
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * Limits how fast the page may send request bodies (bytes per second), through the DevTools protocol's
 * network emulation; downloads stay unlimited. Chromium applies it to XMLHttpRequest uploads (a 2 MiB
 * POST at 256 KiB/s takes 8 s and fires ~80 upload progress events; unthrottled, on loopback, it fires one).
 */
export async function throttleUploads(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  return {
    off: async () => {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    },
  };
}

/**
 * Basic accessibility checks, run in the page: every form control has a label, every button and
 * link an accessible name, no positive tabindex, frames have titles, one h1, the landmarks exist,
 * the document has a language. Returns the problems found (expected: none).
 */
const A11Y_SCRIPT = `(() => {
  const problems = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
  const textOf = (id) => id.split(/\\s+/).map((i) => document.getElementById(i)?.textContent?.trim() ?? '').join(' ').trim();
  const hasName = (el) => {
    if ((el.getAttribute('aria-label') ?? '').trim()) return true;
    if (el.getAttribute('aria-labelledby') && textOf(el.getAttribute('aria-labelledby'))) return true;
    if ((el.getAttribute('title') ?? '').trim()) return true;
    return false;
  };
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const labelled = hasName(el) || (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')?.textContent?.trim()) || el.closest('label')?.textContent?.trim();
    if (!labelled) problems.push('form control without a label: ' + describe(el));
  }
  for (const el of document.querySelectorAll('button, a[href], [role="button"]')) {
    const name = hasName(el) || (el.textContent ?? '').trim() || el.querySelector('img[alt]:not([alt=""])');
    if (!name) problems.push('control without an accessible name: ' + describe(el));
  }
  for (const el of document.querySelectorAll('[tabindex]')) {
    if (Number(el.getAttribute('tabindex')) > 0) problems.push('tabindex > 0: ' + describe(el));
  }
  for (const el of document.querySelectorAll('img:not([alt])')) problems.push('image without alt: ' + describe(el));
  for (const el of document.querySelectorAll('iframe')) if (!(el.getAttribute('title') ?? '').trim()) problems.push('iframe without title');
  for (const el of document.querySelectorAll('progress')) if (!hasName(el)) problems.push('progress without a label');
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
  for (const [id, n] of ids) if (n > 1) problems.push('duplicate id: ' + id);
  if (document.querySelectorAll('h1').length !== 1) problems.push('expected one h1, found ' + document.querySelectorAll('h1').length);
  if (!document.documentElement.lang) problems.push('html without lang');
  for (const sel of ['main', 'header', 'footer']) if (!document.querySelector(sel)) problems.push('missing landmark ' + sel);
  if (!document.querySelector('[aria-live]')) problems.push('no aria-live region');
  return problems;
})()`;

export async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(A11Y_SCRIPT);
}

/** How far the page scrolls sideways (0 = no horizontal scroll). Wide tables scroll inside their own wrapper. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth');
}

/**
 * Every request the page makes, with its body size once finished (for "the file never passes through
 * the API"). Chromium does not report the size of Blob/FormData bodies (`sizes()` says 0), so the size
 * is the Content-Length the browser actually sent (from the raw request headers).
 */
export function recordRequests(page: Page) {
  const seen: { request: Request; url: string; method: string; bodySize?: number; status?: number }[] = [];
  page.on('request', (request) => {
    seen.push({ request, url: request.url(), method: request.method() });
  });
  page.on('requestfinished', async (request) => {
    const entry = seen.find((s) => s.request === request);
    if (!entry) return;
    try {
      const sent = Number((await request.allHeaders())['content-length'] ?? 0);
      entry.bodySize = Math.max(sent, (await request.sizes()).requestBodySize);
      entry.status = (await request.response())?.status();
    } catch {
      /* page closed */
    }
  });
  return seen;
}
