/**
 * The single-page shell: hash routes (so the pages can be served as static files from S3/CloudFront
 * without rewrites), the header with the signed-in user, the role's navigation, focus management.
 */
import { get, setUnauthorizedHandler } from './api.js';
import { completeSignIn, currentSession, forgetSession, signOut } from './auth/index.js';
import { $, announce, errorBox, h, replace } from './dom.js';
import { roleTitles } from './labels.js';
import { homeOf, navItems } from './roles.js';
import * as bookPage from './pages/book.js';
import * as booksPage from './pages/books.js';
import * as opsPage from './pages/ops.js';
import * as reviewPage from './pages/review.js';
import * as signinPage from './pages/signin.js';
import * as uploadPage from './pages/upload.js';

/**
 * @typedef {object} PageContext
 * @property {import('./auth/session.js').Session} session
 * @property {Record<string, string>} params
 * @property {URLSearchParams} query
 * @property {AbortSignal} signal   Aborted when the user leaves the page (stops polling, key handlers).
 * @property {(hash: string) => void} navigate
 */

/**
 * @typedef {object} Page
 * @property {string} title
 * @property {(main: HTMLElement, ctx: PageContext) => Promise<void> | void} render
 */

/** @type {{ pattern: RegExp, names: string[], page: Page, public?: boolean, nav?: string }[]} */
const routes = [
  { pattern: /^\/dang-nhap$/, names: [], page: signinPage, public: true },
  { pattern: /^\/so$/, names: [], page: booksPage, nav: '/so' },
  { pattern: /^\/so\/([^/]+)$/, names: ['bookId'], page: bookPage, nav: '/so' },
  { pattern: /^\/tai-len$/, names: [], page: uploadPage, nav: '/tai-len' },
  { pattern: /^\/tai-len\/([^/]+)$/, names: ['bookId'], page: uploadPage, nav: '/tai-len' },
  { pattern: /^\/kiem-tra$/, names: [], page: reviewPage, nav: '/kiem-tra' },
  { pattern: /^\/kiem-tra\/([^/]+)$/, names: ['bookId'], page: reviewPage, nav: '/kiem-tra' },
  { pattern: /^\/kiem-tra\/([^/]+)\/([^/]+)$/, names: ['bookId', 'so'], page: reviewPage, nav: '/kiem-tra' },
  { pattern: /^\/van-hanh$/, names: [], page: opsPage, nav: '/van-hanh' },
];

/** @type {AbortController | undefined} */
let current;
/** On the first page load focus stays at the top (the skip link comes first); after in-app navigation it moves to the new heading. */
let firstRender = true;

/** @param {string} hash */
function navigate(hash) {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

async function route() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const raw = location.hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?');
  const session = currentSession();
  const main = $('#main');
  renderUser(session);
  if (pathPart === '/' || pathPart === '') {
    navigate(session ? homeOf(session.user.role) : '#/dang-nhap');
    return;
  }
  const match = routes.map((r) => ({ r, m: r.pattern.exec(pathPart) })).find((x) => x.m);
  renderNav(session, match?.r.nav);
  if (!match) {
    replace(main, h('h1', {}, 'Không tìm thấy trang'), h('p', {}, h('a', { href: '#/' }, 'Về trang đầu')));
    focusHeading(main);
    return;
  }
  if (!match.r.public && !session) {
    sessionStorage.setItem('hotich.after-sign-in', `#${raw}`);
    navigate('#/dang-nhap');
    return;
  }
  const params = Object.fromEntries(match.r.names.map((n, i) => [n, decodeURIComponent(match.m?.[i + 1] ?? '')]));
  document.title = `${match.r.page.title} · Số hóa sổ hộ tịch`;
  replace(main, h('h1', {}, match.r.page.title), h('p', { class: 'muted' }, 'Đang tải…'));
  try {
    await match.r.page.render(main, {
      session: /** @type {import('./auth/session.js').Session} */ (session ?? currentSession()),
      params,
      query: new URLSearchParams(queryPart),
      signal: controller.signal,
      navigate,
    });
  } catch (err) {
    if (controller.signal.aborted) return;
    replace(main, h('h1', {}, match.r.page.title), errorBox(err));
  }
  if (!controller.signal.aborted && !firstRender) focusHeading(main);
  firstRender = false;
}

/** After a route change, focus goes to the page's heading (screen readers hear where they are). @param {HTMLElement} main */
function focusHeading(main) {
  const h1 = main.querySelector('h1');
  if (!h1) return;
  h1.setAttribute('tabindex', '-1');
  h1.focus({ preventScroll: false });
}

/** Names of the units users belong to, fetched once (`GET /units`). @type {Map<string, string>} */
const unitNames = new Map();

/** @param {import('./auth/session.js').Session | null} session */
function renderUser(session) {
  const box = $('#user-box');
  if (!session) {
    replace(box);
    return;
  }
  const u = session.user;
  const unitName = h('span', { class: 'unit-name' }, unitNames.get(u.unit) ? ` – ${unitNames.get(u.unit)}` : '');
  if (!unitNames.has(u.unit)) {
    unitNames.set(u.unit, '');
    get('/units')
      .then((/** @type {{ code: string, name: string }[]} */ units) => {
        const name = units.find((x) => x.code === u.unit)?.name ?? '';
        unitNames.set(u.unit, name);
        if (name) unitName.textContent = ` – ${name}`;
      })
      .catch(() => unitNames.delete(u.unit));
  }
  replace(
    box,
    h(
      'dl',
      { class: 'who', 'aria-label': 'Người dùng đang đăng nhập' },
      h('div', {}, h('dt', {}, 'Người dùng'), h('dd', { 'data-testid': 'user-name' }, u.displayName ? `${u.displayName} (${u.username})` : u.username)),
      h('div', {}, h('dt', {}, 'Vai trò'), h('dd', { 'data-testid': 'user-role' }, roleTitles[u.role] ?? u.role)),
      h('div', {}, h('dt', {}, 'Đơn vị'), h('dd', { 'data-testid': 'user-unit' }, u.unit, unitName)),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          await signOut();
          announce('Đã đăng xuất');
          navigate('#/dang-nhap');
        },
      },
      'Đăng xuất',
    ),
  );
}

/**
 * @param {import('./auth/session.js').Session | null} session
 * @param {string | undefined} active
 */
function renderNav(session, active) {
  const nav = $('#nav');
  if (!session) {
    nav.hidden = true;
    replace(nav);
    return;
  }
  nav.hidden = false;
  const items = navItems.filter((i) => i.roles.includes(session.user.role));
  replace(nav, h('ul', {}, ...items.map((i) => h('li', {}, h('a', { href: `#${i.path}`, 'aria-current': i.path === active ? 'page' : undefined }, i.title)))));
}

setUnauthorizedHandler(() => {
  forgetSession();
  announce('Phiên đăng nhập đã hết hạn, hãy đăng nhập lại', 'assertive');
  navigate('#/dang-nhap');
});

// The skip link must not change the hash (that is the router's).
$('#skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  const main = $('#main');
  main.focus();
});

window.addEventListener('hashchange', () => void route());
await completeSignIn();
void route();
