/**
 * Finding a book: the unit's books from `GET /books?unit=&stage=`, narrowed on the page by register
 * type, year and quyển số. Used by the book list and the upload page.
 */
import { get } from './api.js';
import { errorBox, field, h, replace, select } from './dom.js';
import { registerTypeTitles, stageTitles } from './labels.js';

/**
 * @typedef {object} BookView
 * @property {string} bookId
 * @property {string} unitCode
 * @property {string} registerType
 * @property {string} quyenSo
 * @property {number} yearOpened
 * @property {number} pageCount
 * @property {number | null} closingTotal
 * @property {string} physicalCondition
 * @property {string} custodyLocation
 * @property {string} notes
 * @property {string} stage
 * @property {number} version
 * @property {string} stageEnteredAt
 * @property {string} [executionArn]
 * @property {{ action: string, reason?: string, by: { username: string }, at: string }} [pendingAction]
 * @property {{ since: string, escalations: number }} [stalled]
 * @property {{ error: string, cause: string, at: string }} [failure]
 * @property {{ from: string, action: string, reason: string, records?: string[], by: string, at: string }} [lastReturn]
 * @property {{ records: number, scans: number, uploads: number }} counts
 * @property {{ mode: string, sample?: string[], reviewers: string[], reviewed: number, errors: number }} [review]
 * @property {{ by: { username: string }, until: string }} [reviewClaim]
 * @property {{ by: { username: string }, at: string }} [approval]
 * @property {boolean} waiting
 * @property {string[]} allowedActions
 */

/**
 * @typedef {object} FinderOptions
 * @property {string[]} [stages]       Stages offered in the stage filter (default: all).
 * @property {string} [stage]          Initially selected stage.
 * @property {string} [unit]
 * @property {(b: BookView) => (Node | string)} action  The last cell of each row (a link or a button).
 * @property {string} caption
 * @property {string} [actionHeader]
 * @property {AbortSignal} signal
 */

/**
 * @param {FinderOptions} opts
 * @returns {{ element: HTMLElement, reload: () => Promise<void> }}
 */
export function bookFinder(opts) {
  const stageOptions = Object.fromEntries((opts.stages ?? Object.keys(stageTitles)).map((s) => [s, stageTitles[s] ?? s]));
  const stageSel = select(stageOptions, { name: 'stage', value: opts.stage ?? '' }, 'Tất cả giai đoạn');
  const unitInput = h('input', {
    name: 'unit',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'off',
    value: opts.unit ?? '',
    pattern: '[0-9A-Z]{1,12}',
    size: 8,
  });
  const typeSel = select(registerTypeTitles, { name: 'registerType' }, 'Tất cả loại sổ');
  const yearInput = h('input', { name: 'year', type: 'number', min: 1945, max: 2100, inputmode: 'numeric' });
  const quyenInput = h('input', { name: 'quyenSo', type: 'search', autocomplete: 'off', placeholder: 'vd. 02/2018' });
  const stalledBox = h('input', { name: 'stalled', type: 'checkbox', id: `f-stalled-${Math.random().toString(36).slice(2, 9)}` });
  const out = h('div', { class: 'finder-result', 'aria-live': 'polite' });
  /** @type {BookView[]} */
  let books = [];

  const draw = () => {
    const type = typeSel.value;
    const year = yearInput.value.trim();
    const quyen = quyenInput.value.trim().toLowerCase();
    const shown = books
      .filter((b) => !type || b.registerType === type)
      .filter((b) => !year || String(b.yearOpened) === year || b.quyenSo.endsWith(`/${year}`))
      .filter((b) => !quyen || b.quyenSo.toLowerCase().includes(quyen) || b.bookId.toLowerCase().includes(quyen))
      .filter((b) => !stalledBox.checked || b.stalled || b.failure)
      .sort((a, b) => a.bookId.localeCompare(b.bookId));
    replace(
      out,
      h('p', { class: 'count' }, `${shown.length} / ${books.length} sổ`),
      shown.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'books' },
              h('caption', {}, opts.caption),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...['Mã sổ', 'Loại sổ', 'Quyển số', 'Năm mở', 'Giai đoạn', 'Bản ghi', 'Bản scan', 'Tình trạng', opts.actionHeader ?? ''].map((t) =>
                    h('th', { scope: 'col' }, t),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                ...shown.map((b) =>
                  h(
                    'tr',
                    { 'data-book-id': b.bookId },
                    h('th', { scope: 'row' }, h('a', { href: `#/so/${encodeURIComponent(b.bookId)}` }, b.bookId)),
                    h('td', {}, registerTypeTitles[b.registerType] ?? b.registerType),
                    h('td', {}, b.quyenSo),
                    h('td', {}, String(b.yearOpened)),
                    h('td', {}, stageTitles[b.stage] ?? b.stage),
                    h('td', { class: 'num' }, String(b.counts.records)),
                    h('td', { class: 'num' }, String(b.counts.scans)),
                    h('td', {}, bookFlags(b)),
                    h('td', {}, opts.action(b)),
                  ),
                ),
              ),
            ),
          )
        : h('p', {}, 'Không có sổ nào khớp điều kiện lọc.'),
    );
  };

  const reload = async () => {
    const q = new URLSearchParams();
    if (unitInput.value.trim()) q.set('unit', unitInput.value.trim());
    if (stageSel.value) q.set('stage', stageSel.value);
    replace(out, h('p', { class: 'muted' }, 'Đang tải danh sách sổ…'));
    try {
      books = await get(`/books${q.size ? `?${q}` : ''}`);
      if (opts.stages && !stageSel.value) books = books.filter((b) => opts.stages?.includes(b.stage));
      if (!opts.signal.aborted) draw();
    } catch (err) {
      replace(out, errorBox(err));
    }
  };

  for (const el of [typeSel, yearInput, quyenInput, stalledBox]) el.addEventListener('input', draw);
  stageSel.addEventListener('change', () => void reload());
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': 'Tìm sổ',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        void reload();
      },
    },
    field('Đơn vị (mã)', unitInput, 'Để trống: đơn vị của bạn'),
    field('Giai đoạn', stageSel),
    field('Loại sổ', typeSel),
    field('Năm', yearInput),
    field('Quyển số', quyenInput),
    h('div', { class: 'field checkbox' }, stalledBox, h('label', { for: stalledBox.id }, 'Chỉ sổ quá hạn hoặc lỗi')),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Tải lại')),
  );
  return { element: h('div', { class: 'finder' }, form, out), reload };
}

/** @param {BookView} b */
export function bookFlags(b) {
  /** @type {string[]} */
  const flags = [];
  if (b.failure) flags.push(`Lỗi: ${b.failure.error}`);
  if (b.stalled) flags.push(`Quá hạn (${b.stalled.escalations} lần)`);
  if (b.pendingAction) flags.push('Đang chuyển giai đoạn');
  if (b.lastReturn && b.lastReturn.from !== b.stage) flags.push(`Bị trả về: ${b.lastReturn.reason}`);
  if (!flags.length && b.stage !== 'inventory' && b.stage !== 'completed' && b.waiting) flags.push('Chờ xử lý');
  return flags.join('; ');
}
