/**
 * Ops console: workflow executions by status and by book, an execution's history as a timeline,
 * stalled and failed books, and resume (refused while the book's execution is still RUNNING).
 */
import { ApiError, get, post } from '../api.js';
import { announce, errorBox, field, formatTime, h, replace, select } from '../dom.js';
import { executionStatusTitles, stageTitles } from '../labels.js';

export const title = 'Vận hành';

/**
 * @typedef {{ executionArn: string, name: string, bookId: string, status: string, startDate?: string, stopDate?: string }} Execution
 * @typedef {{ id: number, type: string, timestamp?: string, state?: string, error?: string, cause?: string }} HistoryEvent
 * @typedef {import('../book-list.js').BookView} BookView
 */

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 */
export async function render(main, ctx) {
  const historyBox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'history-heading', id: 'execution-history' },
    h('h2', { id: 'history-heading' }, 'Diễn biến lượt xử lý'),
    h('p', { class: 'muted' }, 'Chọn một lượt xử lý để xem diễn biến.'),
  );
  const executions = executionsSection(ctx, (arn) => showHistory(historyBox, arn));
  const books = booksSection(ctx, (arn) => showHistory(historyBox, arn));
  replace(main, h('h1', {}, 'Bảng điều khiển vận hành'), books.element, h('div', { class: 'columns ops-columns' }, executions.element, historyBox));
  await Promise.all([executions.load(), books.load()]);
}

// ---------------------------------------------------------------- executions

/**
 * @param {import('../app.js').PageContext} ctx
 * @param {(arn: string) => void} onShow
 */
function executionsSection(ctx, onShow) {
  const statusSel = select(executionStatusTitles, { name: 'status', value: ctx.query.get('status') ?? '' }, 'Mọi trạng thái');
  const bookInput = h('input', { name: 'book', type: 'search', autocomplete: 'off', value: ctx.query.get('book') ?? '', placeholder: '90101-KS-01.2018-2018' });
  const out = h('div', { 'aria-live': 'polite' });
  const more = h('div');
  /** @type {Execution[]} */
  let items = [];
  /** @type {string | undefined} */
  let nextToken;
  /** The status filter the shown list was loaded with. */
  let loadedStatus = '';

  const draw = () => {
    const q = bookInput.value.trim().toLowerCase();
    const shown = items.filter((e) => !q || e.bookId.toLowerCase().includes(q) || e.name.toLowerCase().includes(q));
    replace(
      out,
      h('p', { class: 'count' }, `${shown.length} lượt${q ? ` khớp "${bookInput.value.trim()}"` : ''} (đã tải ${items.length})`),
      shown.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { 'data-testid': 'executions', 'data-status': loadedStatus || 'ALL' },
              h('caption', {}, 'Các lượt xử lý, mới nhất trước'),
              h('thead', {}, h('tr', {}, ...['Sổ', 'Lượt', 'Trạng thái', 'Bắt đầu', 'Kết thúc', ''].map((t) => h('th', { scope: 'col' }, t)))),
              h(
                'tbody',
                {},
                ...shown.map((e) =>
                  h(
                    'tr',
                    { 'data-execution': e.name, 'data-book-id': e.bookId },
                    h('th', { scope: 'row' }, h('a', { href: `#/so/${encodeURIComponent(e.bookId)}` }, e.bookId)),
                    h('td', {}, e.name.slice(e.bookId.length + 1) || e.name),
                    h('td', {}, h('span', { class: `badge ${e.status.toLowerCase()}` }, executionStatusTitles[e.status] ?? e.status)),
                    h('td', {}, formatTime(e.startDate)),
                    h('td', {}, formatTime(e.stopDate)),
                    h(
                      'td',
                      {},
                      h(
                        'button',
                        { type: 'button', class: 'secondary', onclick: () => onShow(e.executionArn), 'aria-label': `Xem diễn biến lượt ${e.name}` },
                        'Diễn biến',
                      ),
                    ),
                  ),
                ),
              ),
            ),
          )
        : h('p', {}, 'Không có lượt xử lý nào.'),
    );
    replace(more, nextToken ? h('button', { type: 'button', class: 'secondary', onclick: () => load(true) }, 'Tải thêm') : null);
  };

  let seq = 0;
  /** @param {boolean} [append] */
  const load = async (append = false) => {
    const mine = ++seq;
    const q = new URLSearchParams({ limit: '50' });
    if (statusSel.value) q.set('status', statusSel.value);
    if (append && nextToken) q.set('nextToken', nextToken);
    try {
      const r = await get(`/ops/executions?${q}`);
      if (mine !== seq) return; // a newer request (another filter) answers instead
      items = append ? [...items, ...r.executions] : r.executions;
      nextToken = r.nextToken;
      loadedStatus = q.get('status') ?? '';
      if (!ctx.signal.aborted) draw();
    } catch (err) {
      replace(out, errorBox(err));
    }
  };

  statusSel.addEventListener('change', () => void load());
  bookInput.addEventListener('input', draw);
  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'executions-heading' },
    h('h2', { id: 'executions-heading' }, 'Lượt xử lý'),
    h(
      'form',
      {
        class: 'filters',
        role: 'search',
        'aria-label': 'Lọc lượt xử lý',
        onsubmit: (/** @type {Event} */ e) => {
          e.preventDefault();
          void load();
        },
      },
      field('Trạng thái', statusSel),
      field('Mã sổ', bookInput),
      h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Tải lại')),
    ),
    out,
    more,
  );
  return { element, load };
}

/**
 * @param {HTMLElement} box
 * @param {string} arn
 */
async function showHistory(box, arn) {
  replace(box, h('h2', { id: 'history-heading' }, 'Diễn biến lượt xử lý'), h('p', { class: 'muted' }, 'Đang tải…'));
  try {
    /** @type {{ executionArn: string, status: string, startDate?: string, stopDate?: string, error?: string, cause?: string, events: HistoryEvent[] }} */
    const r = await get(`/ops/executions/${encodeURIComponent(arn)}/history`);
    const name = arn.split(':').at(-1) ?? arn;
    const list = h('ol', { class: 'event-timeline', 'data-testid': 'execution-events' });
    const allBox = h('input', { type: 'checkbox', id: 'all-events' });
    const allToggle = h('div', { class: 'field checkbox' }, allBox, h('label', { for: 'all-events' }, 'Hiện mọi sự kiện (mặc định: các bước và lỗi)'));
    const drawEvents = () => {
      const shown = allBox.checked ? r.events : r.events.filter((e) => /StateEntered$|^Execution|Failed|TimedOut|Aborted/.test(e.type));
      replace(
        list,
        ...shown.map((e) =>
          h(
            'li',
            { class: /Failed|TimedOut|Aborted/.test(e.type) ? 'event failed' : 'event', 'data-type': e.type, 'data-state': e.state ?? '' },
            h('time', { datetime: e.timestamp ?? '' }, formatTime(e.timestamp)),
            h('span', { class: 'event-type' }, eventTitle(e.type)),
            e.state ? h('span', { class: 'event-state' }, e.state) : null,
            e.error ? h('span', { class: 'event-error' }, `${e.error}${e.cause ? `: ${e.cause}` : ''}`) : null,
          ),
        ),
      );
    };
    allBox.addEventListener('change', drawEvents);
    drawEvents();
    replace(
      box,
      h('h2', { id: 'history-heading', tabindex: '-1' }, `Diễn biến lượt ${name}`),
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', {}, 'Trạng thái'), h('dd', { 'data-testid': 'execution-status' }, executionStatusTitles[r.status] ?? r.status)),
        h('div', {}, h('dt', {}, 'Bắt đầu'), h('dd', {}, formatTime(r.startDate))),
        r.stopDate ? h('div', {}, h('dt', {}, 'Kết thúc'), h('dd', {}, formatTime(r.stopDate))) : null,
        r.error ? h('div', {}, h('dt', {}, 'Lỗi'), h('dd', {}, `${r.error}${r.cause ? `: ${r.cause}` : ''}`)) : null,
      ),
      allToggle,
      h('div', { class: 'event-scroll', tabindex: '0', role: 'region', 'aria-label': `Các sự kiện của lượt ${name}` }, list),
    );
    /** @type {HTMLElement} */ (box.querySelector('h2'))?.focus();
  } catch (err) {
    replace(box, h('h2', { id: 'history-heading' }, 'Diễn biến lượt xử lý'), errorBox(err));
  }
}

/** A readable title for a Step Functions history event type. @param {string} type */
function eventTitle(type) {
  /** @type {Record<string, string>} */
  const titles = {
    ExecutionStarted: 'Bắt đầu lượt xử lý',
    ExecutionSucceeded: 'Lượt xử lý thành công',
    ExecutionFailed: 'Lượt xử lý lỗi',
    ExecutionAborted: 'Lượt xử lý bị dừng',
    ExecutionTimedOut: 'Lượt xử lý quá thời gian',
    TaskStateEntered: 'Vào bước',
    ChoiceStateEntered: 'Rẽ nhánh',
    PassStateEntered: 'Bước chuyển',
    WaitStateEntered: 'Chờ',
    ParallelStateEntered: 'Bước song song',
    MapStateEntered: 'Bước lặp',
    FailStateEntered: 'Kết thúc lỗi',
    SucceedStateEntered: 'Kết thúc',
    TaskFailed: 'Bước lỗi',
    LambdaFunctionFailed: 'Hàm lỗi',
    TaskTimedOut: 'Bước quá thời gian',
  };
  return titles[type] ? `${titles[type]} (${type})` : type;
}

// ---------------------------------------------------------------- stalled and failed books, resume

/**
 * @param {import('../app.js').PageContext} ctx
 * @param {(arn: string) => void} onShow
 */
function booksSection(ctx, onShow) {
  const out = h('div', { 'aria-live': 'polite' });
  const lookupInput = h('input', { name: 'bookId', type: 'search', autocomplete: 'off', placeholder: '90101-KS-01.2018-2018' });
  const lookupOut = h('div', { 'aria-live': 'polite' });

  /**
   * One book's row: stage, flags, its execution's status and the resume button (disabled while RUNNING).
   * @param {BookView} b
   */
  const bookRow = async (b) => {
    /** @type {string | undefined} */
    let status;
    if (b.executionArn) {
      status = await get(`/ops/executions/${encodeURIComponent(b.executionArn)}/history`)
        .then((/** @type {{ status: string }} */ r) => r.status)
        .catch((/** @type {unknown} */ err) => (err instanceof ApiError && err.status === 404 ? 'KHÔNG CÓ' : undefined));
    }
    const result = h('div', { class: 'row-result', 'aria-live': 'polite' });
    const running = status === 'RUNNING';
    const statusText = h('span', { class: 'execution-status-text' }, status ? (executionStatusTitles[status] ?? status) : b.executionArn ? '?' : 'Chưa có');
    /** After a resume (or a refusal): the book's current execution and whether it runs. */
    const refreshStatus = async () => {
      try {
        /** @type {BookView} */
        const fresh = await get(`/books/${encodeURIComponent(b.bookId)}`);
        const now = fresh.executionArn ? (await get(`/ops/executions/${encodeURIComponent(fresh.executionArn)}/history`)).status : undefined;
        statusText.textContent = now ? (executionStatusTitles[now] ?? now) : 'Chưa có';
        button.disabled = now === 'RUNNING';
      } catch {
        /* the message shown already says what happened */
      }
    };
    const button = h(
      'button',
      {
        type: 'button',
        'data-resume': b.bookId,
        disabled: running,
        'aria-describedby': running ? `why-${b.bookId}` : undefined,
        onclick: async () => {
          button.disabled = true;
          try {
            /** @type {BookView} */
            const fresh = await post(`/ops/books/${encodeURIComponent(b.bookId)}/resume`);
            replace(
              result,
              h(
                'p',
                { class: 'ok' },
                `Đã chạy lại: lượt mới ${fresh.executionArn?.split(':').at(-1) ?? ''}, từ giai đoạn ${stageTitles[fresh.stage] ?? fresh.stage}.`,
              ),
            );
            announce(`Đã chạy lại sổ ${b.bookId}`);
            await refreshStatus();
          } catch (err) {
            replace(result, errorBox(err));
            // A 409 means an execution is running now (someone else resumed it): show that, keep the button off.
            if (err instanceof ApiError && err.status === 409) await refreshStatus();
            else button.disabled = false;
          }
        },
      },
      'Chạy lại',
    );
    return h(
      'tr',
      { 'data-book-id': b.bookId },
      h('th', { scope: 'row' }, h('a', { href: `#/so/${encodeURIComponent(b.bookId)}` }, b.bookId)),
      h('td', {}, stageTitles[b.stage] ?? b.stage),
      h('td', {}, b.stalled ? `Từ ${formatTime(b.stalled.since)} (${b.stalled.escalations} lần)` : ''),
      h('td', {}, b.failure ? `${b.failure.error}: ${b.failure.cause}` : ''),
      h(
        'td',
        { 'data-testid': 'execution-status' },
        statusText,
        b.executionArn
          ? [
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  class: 'link-button',
                  onclick: () => onShow(/** @type {string} */ (b.executionArn)),
                  'aria-label': `Xem diễn biến lượt của sổ ${b.bookId}`,
                },
                'diễn biến',
              ),
            ]
          : null,
      ),
      h('td', {}, button, running ? h('span', { class: 'hint', id: `why-${b.bookId}` }, ' Lượt xử lý đang chạy: không chạy lại được') : null, result),
    );
  };

  /**
   * @param {string} caption
   * @param {HTMLTableRowElement[]} rows
   * @param {string} testId
   */
  const booksTable = (caption, rows, testId) =>
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': testId },
        h('caption', {}, caption),
        h('thead', {}, h('tr', {}, ...['Sổ', 'Giai đoạn', 'Quá hạn', 'Lỗi', 'Lượt xử lý', 'Chạy lại'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...rows),
      ),
    );

  const load = async () => {
    try {
      /** @type {BookView[]} */
      const all = await get('/books');
      const troubled = all.filter((b) => b.stalled || b.failure).sort((a, b) => a.bookId.localeCompare(b.bookId));
      const rows = await Promise.all(troubled.map(bookRow));
      if (ctx.signal.aborted) return;
      replace(
        out,
        troubled.length
          ? booksTable('Sổ quá hạn hoặc lỗi', /** @type {HTMLTableRowElement[]} */ (rows), 'troubled-books')
          : h('p', {}, 'Không có sổ nào quá hạn hoặc lỗi.'),
      );
    } catch (err) {
      replace(out, errorBox(err));
    }
  };

  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': 'troubled-heading' },
    h('h2', { id: 'troubled-heading' }, 'Sổ quá hạn, sổ lỗi'),
    out,
    h(
      'form',
      {
        class: 'filters',
        'aria-label': 'Tìm một sổ',
        onsubmit: async (/** @type {Event} */ e) => {
          e.preventDefault();
          const id = lookupInput.value.trim();
          if (!id) return;
          try {
            const b = await get(`/books/${encodeURIComponent(id)}`);
            replace(lookupOut, booksTable(`Sổ ${id}`, [/** @type {HTMLTableRowElement} */ (await bookRow(b))], 'looked-up-book'));
          } catch (err) {
            replace(lookupOut, errorBox(err));
          }
        },
      },
      field('Tìm sổ theo mã', lookupInput),
      h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Tìm')),
    ),
    lookupOut,
  );
  return { element, load };
}
