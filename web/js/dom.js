/** Small DOM helpers: element building, announcements, errors, formatting. */
import { ApiError } from './api.js';

/**
 * @typedef {Record<string, any>} Attrs  Attributes; `on*` functions become listeners, `class`, `dataset`, boolean attributes.
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * Creates an element: `h('button', { type: 'button', onclick: fn }, 'Lưu')`.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el) /** @type {HTMLInputElement} */ (el).value = String(v);
    else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden' || k === 'required' || k === 'multiple') {
      if (v) el.setAttribute(k, '');
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {(Child | Child[])[]} children
 */
function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
}

/**
 * Replaces an element's content.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
export function $(selector, root = document) {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`Thiếu phần tử ${selector}`);
  return /** @type {HTMLElement} */ (el);
}

/**
 * Says something to screen-reader users (and shows it in the status line): results, saves, failures.
 * @param {string} text
 * @param {'polite' | 'assertive'} [urgency]
 */
export function announce(text, urgency = 'polite') {
  const region = document.getElementById(urgency === 'assertive' ? 'alert' : 'status');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick makes repeated messages announced again.
  setTimeout(() => {
    region.textContent = text;
  }, 30);
}

/**
 * An error shown to the user: the API's Vietnamese message and, when given, the list of issues.
 * @param {unknown} err
 * @returns {HTMLElement}
 */
export function errorBox(err) {
  const message = err instanceof Error ? err.message : String(err);
  const issues = err instanceof ApiError ? err.issues : [];
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', {}, message),
    issues.length
      ? h(
          'ul',
          { class: 'issues' },
          ...issues.map((i) => h('li', {}, i.path ? h('code', {}, i.path.replace(/^body\./, '')) : null, i.path ? ': ' : '', i.message)),
        )
      : null,
  );
}

/**
 * Shows an error in a container (replacing what it held), announced assertively.
 * @param {Element} container
 * @param {unknown} err
 */
export function showError(container, err) {
  replace(container, errorBox(err));
}

/**
 * @param {Element} container
 * @param {string} text
 */
export function showOk(container, text) {
  replace(container, h('p', { class: 'ok', role: 'status' }, text));
}

const datePart = new Intl.DateTimeFormat('vi-VN', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Asia/Ho_Chi_Minh' });
const timePart = new Intl.DateTimeFormat('vi-VN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'Asia/Ho_Chi_Minh' });

/** "24/11/2026 09:05:03", Vietnam time (as the registers and the reports use). @param {string | undefined | null} iso */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${datePart.format(d)} ${timePart.format(d)}`;
}

/** @param {number} bytes */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/**
 * A data table with a caption; rows of cells (nodes or text).
 * @param {string} caption
 * @param {string[]} headers
 * @param {(Child | Child[])[][]} rows
 * @param {Attrs} [attrs]
 */
export function table(caption, headers, rows, attrs = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      attrs,
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}

/**
 * A labelled form field. The input gets `id`, the label points at it; a hint is linked by aria-describedby.
 * @param {string} label
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} control
 * @param {string} [hint]
 */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/**
 * A select with options from a title map.
 * @param {Record<string, string>} titles
 * @param {Attrs} [attrs]
 * @param {string} [emptyLabel] An empty first option ("all").
 */
export function select(titles, attrs = {}, emptyLabel) {
  return h(
    'select',
    attrs,
    emptyLabel !== undefined ? h('option', { value: '' }, emptyLabel) : null,
    ...Object.entries(titles).map(([v, t]) => h('option', { value: v, selected: attrs.value === v }, t)),
  );
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every `everyMs` until it returns a value, the page moved on (`alive()` false) or `maxMs` passed.
 * @template T
 * @param {() => Promise<T | undefined>} check
 * @param {{ everyMs?: number, maxMs?: number, alive?: () => boolean }} [opts]
 * @returns {Promise<T | undefined>}
 */
export async function poll(check, { everyMs = 1500, maxMs = 10 * 60_000, alive = () => true } = {}) {
  const until = Date.now() + maxMs;
  while (Date.now() < until && alive()) {
    const v = await check();
    if (v !== undefined) return v;
    await sleep(everyMs);
  }
  return undefined;
}
