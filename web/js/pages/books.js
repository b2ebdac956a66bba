/** The books of the user's unit, and the inventory form for commune officers (`POST /books`). */
import { get, post } from '../api.js';
import { bookFinder } from '../book-list.js';
import { announce, errorBox, field, h, replace, select } from '../dom.js';
import { physicalConditionTitles, registerTypeTitles } from '../labels.js';

export const title = 'Sổ hộ tịch';

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 */
export async function render(main, ctx) {
  const finder = bookFinder({
    caption: 'Sổ của đơn vị',
    actionHeader: 'Mở',
    signal: ctx.signal,
    action: (b) => h('a', { href: `#/so/${encodeURIComponent(b.bookId)}`, 'aria-label': `Mở sổ ${b.bookId}` }, 'Chi tiết'),
  });
  const isOfficer = ctx.session.user.role === 'commune_officer';
  replace(
    main,
    h('h1', {}, title),
    isOfficer ? await createSection(ctx) : null,
    h('section', { 'aria-labelledby': 'books-heading' }, h('h2', { id: 'books-heading' }, 'Danh sách sổ'), finder.element),
  );
  await finder.reload();
}

/** @param {import('../app.js').PageContext} ctx */
async function createSection(ctx) {
  /** @type {{ code: string, name: string, level: string, validTo: string | null }[]} */
  const units = await get('/units').catch(() => []);
  const today = new Date().toISOString().slice(0, 10);
  const communes = units.filter((u) => u.level === 'commune' && (u.validTo === null || u.validTo >= today || u.code === ctx.session.user.unit));
  const unitSel = h(
    'select',
    { name: 'unitCode', required: true },
    ...(communes.length ? communes : [{ code: ctx.session.user.unit, name: '' }]).map((u) =>
      h('option', { value: u.code, selected: u.code === ctx.session.user.unit }, u.name ? `${u.code} – ${u.name}` : u.code),
    ),
  );
  const f = {
    unitCode: unitSel,
    registerType: select(registerTypeTitles, { name: 'registerType', required: true }),
    quyenSo: h('input', { name: 'quyenSo', type: 'text', required: true, autocomplete: 'off', placeholder: '02/2018' }),
    yearOpened: h('input', { name: 'yearOpened', type: 'number', required: true, min: 1945, max: 2100, inputmode: 'numeric' }),
    pageCount: h('input', { name: 'pageCount', type: 'number', required: true, min: 1, max: 2000, inputmode: 'numeric' }),
    closingTotal: h('input', { name: 'closingTotal', type: 'number', min: 0, max: 20000, inputmode: 'numeric' }),
    physicalCondition: select(physicalConditionTitles, { name: 'physicalCondition', required: true }),
    custodyLocation: h('input', { name: 'custodyLocation', type: 'text', required: true, maxlength: 200 }),
    notes: h('textarea', { name: 'notes', rows: 2, maxlength: 2000 }),
  };
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'grid-form',
      novalidate: true,
      'aria-labelledby': 'create-heading',
      onsubmit: async (/** @type {SubmitEvent} */ e) => {
        e.preventDefault();
        for (const el of Object.values(f)) el.removeAttribute('aria-invalid');
        const num = (/** @type {HTMLInputElement} */ el) => (el.value.trim() === '' ? Number.NaN : Number(el.value));
        const body = {
          unitCode: f.unitCode.value,
          registerType: f.registerType.value,
          quyenSo: f.quyenSo.value.trim(),
          yearOpened: num(f.yearOpened),
          pageCount: num(f.pageCount),
          closingTotal: f.closingTotal.value.trim() === '' ? null : num(f.closingTotal),
          physicalCondition: f.physicalCondition.value,
          custodyLocation: f.custodyLocation.value.trim(),
          notes: f.notes.value.trim(),
        };
        // Numbers the browser could not read are sent as null so the API names the field.
        const payload = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'number' && Number.isNaN(v) ? null : v]));
        try {
          const book = await post('/books', payload);
          announce(`Đã kiểm kê sổ ${book.bookId}`);
          ctx.navigate(`#/so/${encodeURIComponent(book.bookId)}`);
        } catch (err) {
          replace(result, errorBox(err));
          const issues = /** @type {{ issues?: { path?: string }[] }} */ (err).issues ?? [];
          /** @type {HTMLElement | null} */
          let first = null;
          for (const i of issues) {
            const name = (i.path ?? '').replace(/^body\./, '').split('.')[0] ?? '';
            const el = /** @type {Record<string, HTMLElement>} */ (f)[name];
            if (el) {
              el.setAttribute('aria-invalid', 'true');
              first ??= el;
            }
          }
          (first ?? /** @type {HTMLElement | null} */ (result.querySelector('[role="alert"]')))?.focus();
        }
      },
    },
    field('Xã (mã đơn vị)', f.unitCode),
    field('Loại sổ', f.registerType),
    field('Quyển số', f.quyenSo, 'Dạng n/yyyy, như ghi trên bìa sổ'),
    field('Năm mở sổ', f.yearOpened),
    field('Số trang', f.pageCount),
    field('Tổng số sự kiện khi khóa sổ', f.closingTotal, 'Để trống nếu sổ không ghi; khi đó cần ghi chú'),
    field('Tình trạng vật lý', f.physicalCondition),
    field('Nơi lưu giữ', f.custodyLocation),
    field('Ghi chú', f.notes),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit' }, 'Lưu kiểm kê')),
  );
  return h(
    'section',
    { 'aria-labelledby': 'create-heading', class: 'card' },
    h('details', { class: 'create' }, h('summary', {}, h('h2', { id: 'create-heading' }, 'Kiểm kê sổ mới')), form, result),
  );
}
