/**
 * One book: the stage timeline, counts, state flags, the actions the user may take now
 * (`allowedActions`), and the history (stage changes and the audit trail).
 */
import { get, post } from '../api.js';
import { bookFlags } from '../book-list.js';
import { announce, errorBox, field, formatSize, formatTime, h, poll, replace, table } from '../dom.js';
import { actions, auditActionTitle, correctionReasonTitles, physicalConditionTitles, registerTypeTitles, stages, stageTitles, uploadKinds } from '../labels.js';
import { entryReportReaders, scanReportReaders, uploadKindsOf } from '../roles.js';

export const title = 'Sổ';

/** @typedef {import('../book-list.js').BookView} BookView */

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 */
export async function render(main, ctx) {
  const bookId = ctx.params.bookId ?? '';
  const path = `/books/${encodeURIComponent(bookId)}`;
  const [book, history] = await Promise.all([get(path), get(`${path}/history`).catch((err) => ({ error: err }))]);
  draw(main, ctx, book, history);
}

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 * @param {BookView} book
 * @param {any} history
 */
function draw(main, ctx, book, history) {
  const role = ctx.session.user.role;
  const links = [];
  const kinds = uploadKindsOf[role] ?? [];
  if ((book.stage === 'entry' && kinds.includes('entry')) || (book.stage === 'scan' && kinds.includes('scans'))) {
    links.push(h('a', { class: 'button-link', href: `#/tai-len/${encodeURIComponent(book.bookId)}` }, 'Tải tệp lên cho sổ này'));
  }
  if ((book.stage === 'review' || book.stage === 'approval') && role === 'commune_officer') {
    links.push(
      h('a', { class: 'button-link', href: `#/kiem-tra/${encodeURIComponent(book.bookId)}` }, book.stage === 'review' ? 'Kiểm tra bản ghi' : 'Xem bản ghi'),
    );
  }
  replace(
    main,
    h('h1', {}, `Sổ ${book.bookId}`),
    h('p', { class: 'subtitle' }, `${registerTypeTitles[book.registerType] ?? book.registerType} · quyển số ${book.quyenSo} · xã ${book.unitCode}`),
    timeline(book),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { 'aria-labelledby': 'state-heading', class: 'card' },
        h('h2', { id: 'state-heading' }, 'Tình trạng'),
        h(
          'dl',
          { class: 'facts' },
          fact('Giai đoạn hiện tại', stageTitles[book.stage] ?? book.stage, 'book-stage'),
          fact('Vào giai đoạn lúc', formatTime(book.stageEnteredAt)),
          fact('Số bản ghi', String(book.counts.records), 'count-records'),
          fact('Số bản scan', String(book.counts.scans), 'count-scans'),
          book.review
            ? fact(
                'Đã kiểm tra',
                `${book.review.reviewed} bản ghi (${book.review.errors} có lỗi), cách kiểm tra: ${book.review.mode === 'sample' ? 'lấy mẫu' : 'toàn bộ'}`,
              )
            : null,
          book.reviewClaim ? fact('Đang được kiểm tra bởi', `${book.reviewClaim.by.username} đến ${formatTime(book.reviewClaim.until)}`) : null,
          book.approval ? fact('Phê duyệt', `${book.approval.by.username}, ${formatTime(book.approval.at)}`) : null,
          fact('Ghi nhận', bookFlags(book) || (book.stage === 'completed' ? 'Đã hoàn thành' : '—'), 'book-flags'),
          book.failure ? fact('Lỗi xử lý', `${book.failure.error}: ${book.failure.cause}`) : null,
          book.lastReturn
            ? fact(
                'Lần trả về gần nhất',
                `${actions[book.lastReturn.action]?.title ?? book.lastReturn.action} bởi ${book.lastReturn.by}: ${book.lastReturn.reason}`,
              )
            : null,
        ),
        links.length ? h('p', { class: 'links' }, ...links) : null,
        entryReportReaders.includes(role) && book.stage !== 'inventory'
          ? h('p', {}, h('a', { href: `#/tai-len/${encodeURIComponent(book.bookId)}?report=entry` }, 'Xem kết quả kiểm tra tệp nhập liệu'))
          : null,
        scanReportReaders.includes(role) && ['scan', 'review', 'approval', 'reconciliation', 'completed'].includes(book.stage)
          ? h('p', {}, h('a', { href: `#/tai-len/${encodeURIComponent(book.bookId)}?report=scans` }, 'Xem biên bản nghiệm thu bản scan'))
          : null,
      ),
      h(
        'section',
        { 'aria-labelledby': 'inventory-heading', class: 'card' },
        h('h2', { id: 'inventory-heading' }, 'Thông tin kiểm kê'),
        h(
          'dl',
          { class: 'facts' },
          fact('Năm mở sổ', String(book.yearOpened)),
          fact('Số trang', String(book.pageCount)),
          fact('Tổng số khi khóa sổ', book.closingTotal === null ? 'Không ghi' : String(book.closingTotal)),
          fact('Tình trạng vật lý', physicalConditionTitles[book.physicalCondition] ?? book.physicalCondition),
          fact('Nơi lưu giữ', book.custodyLocation),
          book.notes ? fact('Ghi chú', book.notes) : null,
        ),
      ),
    ),
    actionPanel(book, ctx, (fresh) => redraw(main, ctx, fresh)),
    historySection(history),
  );
}

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 * @param {BookView} book
 */
async function redraw(main, ctx, book) {
  const history = await get(`/books/${encodeURIComponent(book.bookId)}/history`).catch((err) => ({ error: err }));
  if (ctx.signal.aborted) return;
  draw(main, ctx, book, history);
}

/**
 * @param {string} term
 * @param {string} value
 * @param {string} [testId]
 */
function fact(term, value, testId) {
  return h('div', {}, h('dt', {}, term), h('dd', testId ? { 'data-testid': testId } : {}, value));
}

/** The stages in order, the current one marked. @param {BookView} book */
export function timeline(book) {
  const at = stages.indexOf(book.stage);
  return h(
    'nav',
    { 'aria-label': 'Các giai đoạn của sổ', class: 'timeline-nav' },
    h(
      'ol',
      { class: 'timeline' },
      ...stages.map((s, i) =>
        h(
          'li',
          { class: i < at ? 'done' : i === at ? 'current' : 'todo', 'aria-current': i === at ? 'step' : undefined, 'data-stage': s },
          h('span', { class: 'step-no', 'aria-hidden': 'true' }, String(i + 1)),
          h('span', { class: 'step-title' }, stageTitles[s] ?? s),
          h('span', { class: 'visually-hidden' }, i < at ? ' (đã xong)' : i === at ? ' (giai đoạn hiện tại)' : ' (chưa tới)'),
        ),
      ),
    ),
  );
}

/**
 * Buttons for the actions allowed now; reasons for returns and rejections; records for a return to Scan.
 * After an action (202), the page follows the book until the workflow has taken it up.
 * @param {BookView} book
 * @param {import('../app.js').PageContext} ctx
 * @param {(book: BookView) => void} onChanged
 */
export function actionPanel(book, ctx, onChanged) {
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const allowed = book.allowedActions.filter((a) => actions[a]);
  const needsReason = allowed.some((a) => actions[a]?.needsReason);
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 1000 });
  const records = h('input', { name: 'records', type: 'text', autocomplete: 'off', placeholder: '1/2018, 5/2018' });
  /** @param {string} action */
  const run = async (action) => {
    const body = /** @type {{ action: string, reason?: string, records?: string[] }} */ ({ action });
    if (actions[action]?.needsReason) {
      if (!reason.value.trim()) {
        replace(result, errorBox(new Error(`"${actions[action]?.title}" cần nêu lý do`)));
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      body.reason = reason.value.trim();
    }
    if (action === 'returnToScan') {
      body.records = records.value
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    }
    for (const b of panel.querySelectorAll('button')) b.setAttribute('disabled', '');
    try {
      await post(`/books/${encodeURIComponent(book.bookId)}/actions`, body);
      replace(result, h('p', { class: 'ok' }, `Đã ghi nhận "${actions[action]?.title ?? action}". Đang chờ quy trình chuyển giai đoạn…`));
      announce(`Đã ghi nhận: ${actions[action]?.title ?? action}`);
      const fresh = await poll(
        async () => {
          /** @type {BookView} */
          const b = await get(`/books/${encodeURIComponent(book.bookId)}`);
          return b.stage !== book.stage && (b.waiting || b.stage === 'completed' || b.failure) ? b : b.failure ? b : undefined;
        },
        { everyMs: 700, maxMs: 60_000, alive: () => !ctx.signal.aborted },
      );
      if (ctx.signal.aborted) return;
      if (fresh) {
        announce(`Sổ đã chuyển sang giai đoạn ${stageTitles[fresh.stage] ?? fresh.stage}`);
        onChanged(fresh);
      } else {
        replace(result, h('p', {}, 'Quy trình chưa chuyển giai đoạn; hãy tải lại trang sau ít phút.'));
      }
    } catch (err) {
      replace(result, errorBox(err));
      for (const b of panel.querySelectorAll('button')) b.removeAttribute('disabled');
    }
  };
  const panel = h(
    'section',
    { 'aria-labelledby': 'actions-heading', class: 'card actions' },
    h('h2', { id: 'actions-heading' }, 'Thao tác'),
    allowed.length
      ? [
          needsReason ? field('Lý do (bắt buộc khi trả về hoặc từ chối)', reason) : null,
          allowed.includes('returnToScan') ? field('Bản ghi có bản scan sai (khi trả về scan)', records, 'Số đăng ký, cách nhau bằng dấu phẩy') : null,
          h(
            'div',
            { class: 'button-row' },
            ...allowed.map((a) =>
              h(
                'button',
                { type: 'button', class: actions[a]?.needsReason ? 'secondary' : '', 'data-action': a, onclick: () => run(a) },
                actions[a]?.title ?? a,
              ),
            ),
          ),
        ]
      : h(
          'p',
          { class: 'muted' },
          book.pendingAction ? 'Đang chờ quy trình xử lý thao tác vừa ghi nhận.' : 'Bạn không có thao tác nào với sổ ở giai đoạn này.',
        ),
    result,
  );
  return panel;
}

/** @param {any} history */
function historySection(history) {
  if (history.error) {
    return h('section', { 'aria-labelledby': 'history-heading', class: 'card' }, h('h2', { id: 'history-heading' }, 'Lịch sử'), errorBox(history.error));
  }
  /** @type {{ at: string, from?: string, to?: string, by: string }[]} */
  const transitions = history.transitions ?? [];
  /** @type {{ at: string, action: string, actor: { username: string }, before?: any, after?: any }[]} */
  const audit = [...(history.audit ?? [])].reverse();
  return h(
    'section',
    { 'aria-labelledby': 'history-heading', class: 'card' },
    h('h2', { id: 'history-heading' }, 'Lịch sử'),
    transitions.length
      ? table(
          'Các lần chuyển giai đoạn',
          ['Thời điểm', 'Từ', 'Sang', 'Người/hệ thống'],
          transitions.map((t) => [formatTime(t.at), t.from ? (stageTitles[t.from] ?? t.from) : '—', t.to ? (stageTitles[t.to] ?? t.to) : '—', t.by]),
          { 'data-testid': 'transitions' },
        )
      : h('p', { class: 'muted' }, 'Sổ chưa chuyển giai đoạn lần nào.'),
    h(
      'details',
      { class: 'audit', open: audit.length <= 12 },
      h('summary', {}, `Nhật ký thao tác (${audit.length})`),
      table(
        'Nhật ký thao tác, mới nhất trước',
        ['Thời điểm', 'Thao tác', 'Người thực hiện', 'Chi tiết'],
        audit.map((e) => [formatTime(e.at), auditActionTitle(e.action), e.actor?.username ?? '', summarise(e)]),
        { 'data-testid': 'audit' },
      ),
    ),
  );
}

/**
 * A short, readable detail of an audit entry: what changed, before → after where the entry has both.
 * @param {{ action: string, before?: any, after?: any }} e
 */
function summarise(e) {
  const a = e.after ?? {};
  const b = e.before ?? {};
  /** @param {string | undefined} s */
  const stage = (s) => (s ? (stageTitles[s] ?? s) : '—');
  switch (e.action) {
    case 'book.inventoried':
      return `Quyển số ${a.quyenSo ?? ''}, ${a.pageCount ?? '?'} trang, tổng số khi khóa sổ: ${a.closingTotal ?? 'không ghi'}`;
    case 'stage.entered':
      return `${stage(b.stage)} → ${stage(a.stage)}`;
    case 'stage.stalled':
      return `Giai đoạn ${stage(a.stage)}: quá hạn ${a.stalled?.escalations ?? '?'} lần`;
    case 'upload.requested':
    case 'upload.received':
    case 'upload.completed':
      return [
        uploadKinds[/** @type {'entry' | 'scans'} */ (a.kind)]?.title ?? a.kind,
        typeof a.size === 'number' ? formatSize(a.size) : '',
        a.multipart ? `${a.multipart} phần` : '',
      ]
        .filter(Boolean)
        .join(', ');
    case 'entry.accepted':
      return `${a.records ?? '?'} bản ghi được ghi nhận${a.warnings ? `, ${a.warnings} cảnh báo` : ''}`;
    case 'entry.rejected':
      return `${a.rows ?? '?'} dòng, ${a.errors ?? '?'} lỗi: chưa bản ghi nào được ghi nhận`;
    case 'scan.complete':
    case 'scan.incomplete':
      return a.counts ? `${a.counts.accepted ?? 0} bản scan nhận, còn thiếu ${a.counts.missing ?? 0}` : '';
    case 'review.claimed':
      return a.until ? `Giữ sổ đến ${formatTime(a.until)}` : '';
    case 'record.corrected': {
      /** @type {string[]} */
      const reasons = a.reasons ?? [];
      const changes = Object.entries(a.fields ?? {}).map(([k, v], i) => {
        const why = reasons[i] ? ` (${correctionReasonTitles[reasons[i]] ?? reasons[i]})` : '';
        return `${k}: ${b.fields?.[k] ?? '—'} → ${v ?? '—'}${why}`;
      });
      return `Bản ghi ${a.so}: ${changes.join('; ')}`;
    }
    case 'record.reviewed':
      return `Bản ghi ${a.so}`;
    case 'workflow.failed':
      return a.failure ? `${a.failure.error}: ${a.failure.cause}` : '';
    case 'workflow.resumed':
      return a.resumeAt ? `Chạy lại từ giai đoạn ${stage(a.resumeAt)}` : '';
    default:
      if (e.action.startsWith('action.')) return a.pendingAction?.reason ? `Lý do: ${a.pendingAction.reason}` : '';
      return '';
  }
}
