/**
 * Review: the queue of books waiting for review (claim one), the books waiting for approval, and the
 * review screen: a record's fields beside its scan, mark OK or correct fields with a reason, keyboard
 * shortcuts, optimistic locking (a 409 reloads the record and says so).
 */
import { ApiError, get, patch, post, soPath } from '../api.js';
import { announce, errorBox, formatTime, h, replace, table } from '../dom.js';
import { correctionReasonTitles, registerTypeTitles, stageTitles } from '../labels.js';
import { actionPanel } from './book.js';

export const title = 'Kiểm tra, phê duyệt';

/** @typedef {import('../book-list.js').BookView} BookView */
/**
 * @typedef {object} BookRecord
 * @property {string} so
 * @property {number} rowNumber
 * @property {Record<string, string | null>} fields
 * @property {number} version
 * @property {{ key: string, fileName: string, pages: number } | undefined} [scan]
 * @property {{ status: 'ok' | 'corrected', by: { username: string }, at: string }} [review]
 * @property {{ field: string, before: string | null, after: string | null, reason: string, note?: string, by: { username: string }, at: string }[]} corrections
 * @property {boolean} [requiredInReview]
 * @property {string} [scanUrl]
 */

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 */
export async function render(main, ctx) {
  if (ctx.params.bookId) return reviewScreen(main, ctx, ctx.params.bookId, ctx.params.so ? ctx.params.so.replace('-', '/') : undefined);
  return queuePage(main, ctx);
}

// ---------------------------------------------------------------- queue and approvals

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 */
async function queuePage(main, ctx) {
  const me = ctx.session.user;
  const isOfficer = me.role === 'commune_officer';
  const [queue, approvals] = await Promise.all([
    /** @type {Promise<any[]>} */ (get('/review/queue')),
    isOfficer ? /** @type {Promise<BookView[]>} */ (get('/books?stage=approval')) : Promise.resolve([]),
  ]);
  const result = h('div', { 'aria-live': 'polite' });
  /** @param {string} bookId */
  const claim = async (bookId) => {
    try {
      await post(`/books/${encodeURIComponent(bookId)}/review/claim`);
      announce(`Đã nhận sổ ${bookId} để kiểm tra`);
      ctx.navigate(`#/kiem-tra/${encodeURIComponent(bookId)}`);
    } catch (err) {
      replace(result, errorBox(err));
    }
  };
  replace(
    main,
    h('h1', {}, title),
    h(
      'section',
      { 'aria-labelledby': 'queue-heading' },
      h('h2', { id: 'queue-heading' }, 'Sổ chờ kiểm tra (cũ nhất trước)'),
      result,
      queue.length
        ? table(
            'Hàng đợi kiểm tra',
            ['Mã sổ', 'Loại sổ', 'Quyển số', 'Bản ghi', 'Chờ từ', 'Cách kiểm tra', 'Người đang giữ', 'Thao tác'],
            queue.map((q) => [
              h('a', { href: `#/so/${encodeURIComponent(q.bookId)}` }, q.bookId),
              registerTypeTitles[q.registerType] ?? q.registerType,
              q.quyenSo,
              String(q.records),
              formatTime(q.waitingSince),
              q.reviewMode === 'sample' ? 'Lấy mẫu' : 'Toàn bộ',
              q.heldBy ? `${q.heldBy.username} (đến ${formatTime(q.heldBy.until)})` : 'Chưa ai nhận',
              !isOfficer
                ? ''
                : q.heldBy && q.heldBy.username !== me.username
                  ? h('span', { class: 'muted' }, 'Đang có người kiểm tra')
                  : q.heldBy
                    ? h('a', { class: 'button-link', href: `#/kiem-tra/${encodeURIComponent(q.bookId)}` }, 'Tiếp tục kiểm tra')
                    : h(
                        'button',
                        { type: 'button', 'data-claim': q.bookId, onclick: () => claim(q.bookId), 'aria-label': `Nhận kiểm tra sổ ${q.bookId}` },
                        'Nhận kiểm tra',
                      ),
            ]),
            { 'data-testid': 'review-queue' },
          )
        : h('p', {}, 'Không có sổ nào chờ kiểm tra.'),
    ),
    isOfficer
      ? h(
          'section',
          { 'aria-labelledby': 'approval-heading' },
          h('h2', { id: 'approval-heading' }, 'Sổ chờ phê duyệt'),
          h('p', { class: 'hint' }, 'Người phê duyệt phải khác người nhập liệu và người kiểm tra sổ.'),
          approvals.length
            ? table(
                'Sổ chờ phê duyệt',
                ['Mã sổ', 'Loại sổ', 'Quyển số', 'Bản ghi', 'Đã kiểm tra', 'Thao tác'],
                approvals.map((b) => [
                  h('a', { href: `#/so/${encodeURIComponent(b.bookId)}` }, b.bookId),
                  registerTypeTitles[b.registerType] ?? b.registerType,
                  b.quyenSo,
                  String(b.counts.records),
                  b.review ? `${b.review.reviewed} (${b.review.errors} lỗi)` : '',
                  h(
                    'a',
                    { class: 'button-link', href: `#/kiem-tra/${encodeURIComponent(b.bookId)}`, 'aria-label': `Xem và phê duyệt sổ ${b.bookId}` },
                    'Xem và phê duyệt',
                  ),
                ]),
                { 'data-testid': 'approval-list' },
              )
            : h('p', {}, 'Không có sổ nào chờ phê duyệt.'),
        )
      : null,
  );
}

// ---------------------------------------------------------------- the review screen

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 * @param {string} bookId
 * @param {string} [startSo]
 */
async function reviewScreen(main, ctx, bookId, startSo) {
  const me = ctx.session.user;
  const bookPath = `/books/${encodeURIComponent(bookId)}`;
  /** @type {BookView} */
  let book = await get(bookPath);
  /** @type {BookRecord[]} */
  const records = [];
  let cursor;
  do {
    const page = await get(`${bookPath}/records?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    records.push(...page.records);
    cursor = page.cursor;
  } while (cursor && records.length < 20_000);

  const reviewing = book.stage === 'review';
  const required = (/** @type {string} */ so) => book.review?.mode !== 'sample' || (book.review.sample ?? []).includes(so);
  let index = Math.max(0, startSo ? records.findIndex((r) => r.so === startSo) : records.findIndex((r) => !r.review && required(r.so)));
  /** @type {BookRecord | undefined} */
  let current;
  let editing = false;

  const claimBox = h('div', { class: 'claim', 'aria-live': 'polite' });
  const message = h('div', { class: 'review-message', 'aria-live': 'polite', 'data-testid': 'review-message' });
  const listEl = h('ol', { class: 'record-list' });
  const fieldsBox = h('div', { class: 'record-fields' });
  const scanBox = h('div', { class: 'record-scan' });
  const progress = h('p', { class: 'review-progress', 'data-testid': 'review-progress' });
  const okBtn = h('button', { type: 'button', 'data-key': 'o', onclick: () => markOk() }, 'Đúng (O)');
  const editBtn = h('button', { type: 'button', class: 'secondary', 'data-key': 'e', onclick: () => startEdit() }, 'Sửa (E)');
  const prevBtn = h('button', { type: 'button', class: 'secondary', onclick: () => go(index - 1) }, '← Trước (K)');
  const nextBtn = h('button', { type: 'button', class: 'secondary', onclick: () => go(index + 1) }, 'Sau (J) →');

  const held = () => book.reviewClaim && book.reviewClaim.by.username === me.username && book.reviewClaim.until > new Date().toISOString();
  const canEdit = () => reviewing && me.role === 'commune_officer' && held();

  const drawClaim = () => {
    if (!reviewing) {
      replace(claimBox, h('p', {}, `Sổ đang ở giai đoạn "${stageTitles[book.stage] ?? book.stage}": chỉ xem.`));
      return;
    }
    if (held()) {
      replace(
        claimBox,
        h('p', {}, `Bạn đang giữ sổ để kiểm tra đến ${formatTime(book.reviewClaim?.until)}. `),
        h('button', { type: 'button', class: 'secondary', onclick: () => claimAction('release') }, 'Trả sổ'),
        h('button', { type: 'button', class: 'secondary', onclick: () => claimAction('claim') }, 'Gia hạn'),
      );
    } else if (book.reviewClaim && book.reviewClaim.until > new Date().toISOString()) {
      replace(claimBox, h('p', { class: 'warn' }, `Sổ đang được ${book.reviewClaim.by.username} kiểm tra đến ${formatTime(book.reviewClaim.until)}.`));
    } else if (me.role === 'commune_officer') {
      replace(
        claimBox,
        h('p', {}, 'Bạn cần nhận sổ trước khi đánh dấu hoặc sửa bản ghi. '),
        h('button', { type: 'button', onclick: () => claimAction('claim') }, 'Nhận sổ để kiểm tra'),
      );
    } else replace(claimBox);
    okBtn.disabled = !canEdit();
    editBtn.disabled = !canEdit();
  };

  /** @param {'claim' | 'release'} what */
  const claimAction = async (what) => {
    try {
      await post(`${bookPath}/review/${what}`);
      book = await get(bookPath);
      drawClaim();
      announce(what === 'claim' ? 'Đã nhận sổ để kiểm tra' : 'Đã trả sổ');
    } catch (err) {
      replace(message, errorBox(err));
    }
  };

  const drawList = () => {
    const reviewed = records.filter((r) => r.review).length;
    const requiredPending = records.filter((r) => !r.review && required(r.so)).length;
    progress.textContent = `Đã kiểm tra ${reviewed}/${records.length} bản ghi; còn ${requiredPending} bản ghi bắt buộc.`;
    replace(
      listEl,
      ...records.map((r, i) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: `record-link ${r.review ? r.review.status : 'pending'}`,
              'aria-current': i === index ? 'true' : undefined,
              'data-so': r.so,
              onclick: () => go(i),
            },
            r.so,
            h('span', { class: 'visually-hidden' }, r.review ? (r.review.status === 'ok' ? ', đúng' : ', đã sửa') : ', chưa kiểm tra'),
            h('span', { 'aria-hidden': 'true', class: 'mark' }, r.review ? (r.review.status === 'ok' ? '✓' : '✎') : required(r.so) ? '•' : ''),
          ),
        ),
      ),
    );
  };

  /** @param {number} i */
  const go = async (i) => {
    if (!records.length) return;
    if (editing && !confirm('Bỏ các thay đổi chưa lưu?')) return;
    editing = false;
    index = Math.min(Math.max(i, 0), records.length - 1);
    replace(message);
    await loadCurrent();
  };

  const loadCurrent = async () => {
    const so = records[index]?.so;
    if (!so) return;
    history.replaceState(null, '', `#/kiem-tra/${encodeURIComponent(bookId)}/${soPath(so)}`);
    try {
      current = await get(`${bookPath}/records/${soPath(so)}`);
    } catch (err) {
      replace(fieldsBox, errorBox(err));
      return;
    }
    if (ctx.signal.aborted || !current) return;
    records[index] = { ...records[index], ...current };
    drawList();
    drawRecord();
    drawScan();
  };

  const drawRecord = () => {
    const r = current;
    if (!r) return;
    editing = false;
    okBtn.disabled = !canEdit();
    editBtn.disabled = !canEdit();
    prevBtn.disabled = index === 0;
    nextBtn.disabled = index >= records.length - 1;
    replace(
      fieldsBox,
      h('h2', { id: 'record-heading' }, `Bản ghi số ${r.so}`),
      h(
        'p',
        { class: 'record-meta', 'data-testid': 'record-meta' },
        `Dòng ${r.rowNumber} trong tệp nhập liệu · phiên bản ${r.version} · `,
        r.review ? `${r.review.status === 'ok' ? 'đã đánh dấu đúng' : 'đã sửa'} bởi ${r.review.by.username}` : 'chưa kiểm tra',
        r.requiredInReview === false ? ' · không bắt buộc (lấy mẫu)' : '',
      ),
      table(
        `Các trường của bản ghi ${r.so}`,
        ['Trường', 'Giá trị'],
        Object.entries(r.fields).map(([k, v]) => [h('code', {}, k), v ?? h('span', { class: 'muted' }, '(trống)')]),
        { class: 'fields', 'data-testid': 'record-fields' },
      ),
      r.corrections.length
        ? table(
            'Các lần sửa',
            ['Trường', 'Trước', 'Sau', 'Lý do', 'Người sửa', 'Lúc'],
            r.corrections.map((c) => [c.field, c.before ?? '', c.after ?? '', correctionReasonTitles[c.reason] ?? c.reason, c.by.username, formatTime(c.at)]),
            { 'data-testid': 'corrections' },
          )
        : null,
    );
  };

  const drawScan = () => {
    const r = current;
    if (!r) return;
    replace(
      scanBox,
      r.scanUrl
        ? [
            h('iframe', { src: r.scanUrl, title: `Bản scan của bản ghi ${r.so}`, class: 'pdf' }),
            h('p', {}, h('a', { href: r.scanUrl, target: '_blank', rel: 'noopener' }, 'Mở bản scan trong thẻ mới'), ` · ${r.scan?.pages ?? '?'} trang`),
          ]
        : h('p', { class: 'muted' }, 'Bản ghi chưa có bản scan.'),
    );
  };

  /** A 409 on a record: reload it and say why. @param {unknown} err */
  const onSaveError = async (err) => {
    if (err instanceof ApiError && err.status === 409 && err.details.currentVersion !== undefined) {
      await loadCurrent();
      replace(
        message,
        h(
          'div',
          { class: 'warn', role: 'alert' },
          h(
            'p',
            {},
            `Bản ghi vừa được thay đổi ở nơi khác (nay là phiên bản ${err.details.currentVersion}). Đã tải lại bản mới nhất: hãy xem lại rồi sửa tiếp.`,
          ),
        ),
      );
      return;
    }
    if (err instanceof ApiError && err.status === 409) {
      book = await get(bookPath).catch(() => book);
      drawClaim();
    }
    replace(message, errorBox(err));
  };

  const markOk = async () => {
    const r = current;
    if (!r || !canEdit() || editing) return;
    try {
      const saved = await patch(`${bookPath}/records/${soPath(r.so)}`, { version: r.version, status: 'ok' });
      records[index] = { ...records[index], ...saved };
      announce(`Bản ghi ${r.so}: đã đánh dấu đúng`);
      replace(message, h('p', { class: 'ok' }, `Bản ghi ${r.so}: đã đánh dấu đúng.`));
      const next = records.findIndex((x, i) => i > index && !x.review && required(x.so));
      if (next >= 0) {
        index = next;
        await loadCurrent();
      } else {
        current = { ...r, ...saved };
        drawList();
        drawRecord();
      }
    } catch (err) {
      await onSaveError(err);
    }
  };

  const startEdit = () => {
    const r = current;
    if (!r || !canEdit() || editing) return;
    editing = true;
    okBtn.disabled = true;
    editBtn.disabled = true;
    const reasonOptions = Object.entries(correctionReasonTitles);
    /** @type {{ field: string, input: HTMLInputElement | HTMLTextAreaElement, initial: string, reason: HTMLSelectElement, note: HTMLInputElement, row: HTMLElement }[]} */
    const rows = Object.entries(r.fields).map(([k, v], i) => {
      // Long or multi-line values (notes) get a textarea: an <input> would silently drop their line breaks.
      const multiline = (v ?? '').includes('\n') || (v ?? '').length > 80;
      const input = multiline
        ? h('textarea', { id: `edit-${i}`, name: k, rows: 3, 'data-field': k }, v ?? '')
        : h('input', { type: 'text', id: `edit-${i}`, name: k, value: v ?? '', autocomplete: 'off', 'data-field': k });
      // What the control holds before any edit: a change is a difference from this, not from the raw value.
      const initial = input.value;
      const reason = h(
        'select',
        { id: `reason-${i}`, name: `reason-${k}`, 'data-reason-for': k },
        h('option', { value: '' }, 'Chọn lý do sửa…'),
        ...reasonOptions.map(([code, t]) => h('option', { value: code }, t)),
      );
      const note = h('input', { type: 'text', id: `note-${i}`, name: `note-${k}`, autocomplete: 'off', maxlength: 500 });
      const extra = h(
        'div',
        { class: 'correction-extra', hidden: true },
        h('label', { for: reason.id }, `Lý do sửa ${k}`),
        reason,
        h('label', { for: note.id }, 'Ghi chú (không bắt buộc)'),
        note,
      );
      input.addEventListener('input', () => {
        extra.hidden = input.value === initial;
      });
      const row = h('div', { class: 'edit-row' }, h('label', { for: input.id }, h('code', {}, k)), input, extra);
      return { field: k, input, initial, reason, note, row };
    });
    const form = h(
      'form',
      {
        class: 'edit-form',
        'aria-label': `Sửa bản ghi ${r.so}`,
        onkeydown: (/** @type {KeyboardEvent} */ e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            editing = false;
            drawRecord();
            editBtn.focus();
          }
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            form.requestSubmit();
          }
        },
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const changed = rows.filter((x) => x.input.value !== x.initial);
          if (!changed.length) {
            replace(message, errorBox(new Error('Chưa có trường nào thay đổi.')));
            return;
          }
          const missingReason = changed.find((x) => !x.reason.value);
          if (missingReason) {
            missingReason.reason.setAttribute('aria-invalid', 'true');
            replace(message, errorBox(new Error(`Hãy chọn lý do sửa trường ${missingReason.field}.`)));
            missingReason.reason.focus();
            return;
          }
          const corrections = changed.map((x) => ({
            field: x.field,
            value: x.input.value.trim() === '' ? null : x.input.value,
            reason: x.reason.value,
            ...(x.note.value.trim() ? { note: x.note.value.trim() } : {}),
          }));
          try {
            const saved = await patch(`${bookPath}/records/${soPath(r.so)}`, { version: r.version, corrections });
            editing = false;
            current = { ...r, ...saved, scanUrl: r.scanUrl };
            records[index] = { ...records[index], ...saved };
            drawList();
            drawRecord();
            announce(`Bản ghi ${r.so}: đã lưu ${corrections.length} chỗ sửa`);
            replace(message, h('p', { class: 'ok' }, `Bản ghi ${r.so}: đã lưu ${corrections.length} chỗ sửa.`));
            editBtn.focus();
          } catch (err) {
            editing = false;
            await onSaveError(err);
          }
        },
      },
      h('h2', { id: 'record-heading' }, `Sửa bản ghi số ${r.so}`),
      h('p', { class: 'hint' }, 'Sửa giá trị rồi chọn lý do cho từng trường đã sửa. Ctrl+Enter để lưu, Esc để hủy.'),
      ...rows.map((x) => x.row),
      h(
        'div',
        { class: 'button-row' },
        h('button', { type: 'submit' }, 'Lưu sửa'),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              editing = false;
              drawRecord();
            },
          },
          'Hủy',
        ),
      ),
    );
    replace(fieldsBox, form);
    rows[0]?.input.focus();
  };

  /** Shortcuts: J/K next/previous, O = OK, E = edit; never while typing in a field. */
  const onKey = (/** @type {KeyboardEvent} */ e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = /** @type {HTMLElement} */ (e.target);
    if (t.closest('input, select, textarea, [contenteditable="true"]')) return;
    const k = e.key.toLowerCase();
    if (k === 'j') void go(index + 1);
    else if (k === 'k') void go(index - 1);
    else if (k === 'o') void markOk();
    else if (k === 'e') startEdit();
    else return;
    e.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  ctx.signal.addEventListener('abort', () => document.removeEventListener('keydown', onKey));

  replace(
    main,
    h('h1', {}, `Kiểm tra sổ ${bookId}`),
    h(
      'p',
      { class: 'subtitle' },
      `${registerTypeTitles[book.registerType] ?? book.registerType} · quyển số ${book.quyenSo} · giai đoạn: ${stageTitles[book.stage] ?? book.stage} · `,
      h('a', { href: `#/so/${encodeURIComponent(bookId)}` }, 'trang sổ'),
    ),
    claimBox,
    progress,
    message,
    h(
      'div',
      { class: 'review-layout' },
      h('nav', { class: 'records-nav', 'aria-label': 'Các bản ghi' }, listEl),
      h(
        'section',
        { class: 'record-pane', 'aria-labelledby': 'record-heading' },
        h('div', { class: 'button-row record-buttons' }, prevBtn, nextBtn, okBtn, editBtn),
        fieldsBox,
      ),
      h('section', { class: 'scan-pane', 'aria-label': 'Bản scan' }, scanBox),
    ),
    h(
      'details',
      { class: 'shortcuts', open: true },
      h('summary', {}, 'Phím tắt'),
      h(
        'dl',
        {},
        ...[
          ['J', 'Bản ghi sau'],
          ['K', 'Bản ghi trước'],
          ['O', 'Đánh dấu đúng và sang bản ghi chưa kiểm tra kế tiếp'],
          ['E', 'Sửa bản ghi'],
          ['Ctrl + Enter', 'Lưu sửa'],
          ['Esc', 'Hủy sửa'],
        ].map(([k, d]) => h('div', {}, h('dt', {}, h('kbd', {}, k ?? '')), h('dd', {}, d ?? ''))),
      ),
    ),
    actionPanel(book, ctx, (fresh) => ctx.navigate(`#/so/${encodeURIComponent(fresh.bookId)}`)),
  );
  drawClaim();
  drawList();
  if (records.length) await loadCurrent();
  else replace(fieldsBox, h('p', {}, 'Sổ chưa có bản ghi.'));
}
