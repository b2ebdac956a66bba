/** Sign-in. Locally: pick a demo user. With a redirect provider (Cognito hosted UI): one button. */
import { currentSession, provider, takeSignInFailure } from '../auth/index.js';
import { announce, errorBox, h, replace } from '../dom.js';
import { roleTitles } from '../labels.js';
import { homeOf } from '../roles.js';

export const title = 'Đăng nhập';

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 */
export async function render(main, ctx) {
  const p = provider();
  const session = currentSession();
  const result = h('div', { class: 'result' });
  /** @param {string} username */
  const signIn = async (username) => {
    try {
      const s = await p.signIn(username);
      if (!s) return;
      announce(`Đã đăng nhập: ${s.user.displayName ?? s.user.username}`);
      const next = sessionStorage.getItem('hotich.after-sign-in');
      sessionStorage.removeItem('hotich.after-sign-in');
      ctx.navigate(next && next !== '#/dang-nhap' ? next : homeOf(s.user.role));
    } catch (err) {
      replace(result, errorBox(err));
    }
  };

  if (p.kind === 'redirect') {
    const failed = takeSignInFailure();
    replace(
      main,
      h('h1', {}, title),
      h('p', { class: 'note' }, 'Đăng nhập bằng tài khoản được cấp, với mật khẩu và mã xác thực hai lớp, trên trang đăng nhập của hệ thống.'),
      session ? h('p', {}, `Bạn đang đăng nhập là ${session.user.username}.`) : null,
      h('button', { type: 'button', 'data-testid': 'sign-in-redirect', onclick: () => signIn('') }, 'Đăng nhập bằng tài khoản được cấp'),
      result,
    );
    if (failed) replace(result, errorBox(failed));
    return;
  }

  const users = await p.users?.();
  replace(
    main,
    h('h1', {}, title),
    h(
      'p',
      { class: 'note' },
      'Môi trường chạy thử trên máy: chọn một người dùng demo. Khi triển khai, trang này chuyển sang đăng nhập tài khoản được cấp (có xác thực hai lớp).',
    ),
    session ? h('p', {}, 'Bạn đang đăng nhập là ', h('strong', {}, session.user.username), '. Chọn người dùng khác để đổi.') : null,
    h(
      'ul',
      { class: 'user-list', 'aria-label': 'Người dùng demo' },
      ...(users ?? []).map((u) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'user-choice', 'data-username': u.username, onclick: () => signIn(u.username) },
            h('span', { class: 'user-display' }, u.displayName),
            h('span', { class: 'user-meta' }, `${u.username} · ${roleTitles[u.role] ?? u.role} · đơn vị ${u.unit}`),
          ),
        ),
      ),
    ),
    result,
  );
}
