/**
 * Upload: find the book, download the entry template, drop the Excel workbook or the scans (zip / PDFs).
 * Each file goes straight to S3 (see uploader.js) with its own progress bar; then the processing result
 * is polled and shown as it arrives (scan acceptance report, entry check report).
 */
import { ApiError, download, get } from '../api.js';
import { bookFinder } from '../book-list.js';
import { announce, errorBox, formatSize, formatTime, h, poll, replace, table } from '../dom.js';
import { registerTypeTitles, scanCountTitles, scanFileStatusTitles, scanReasonTitles, stageTitles, uploadKinds } from '../labels.js';
import { uploadKindsOf } from '../roles.js';
import { forgetUpload, unfinishedUploads, uploadFile } from '../uploader.js';

export const title = 'Tải lên';

/** @typedef {import('../book-list.js').BookView} BookView */

/** Uploads in flight (the page warns before a reload or close would cut them). */
let inFlight = 0;
window.addEventListener('beforeunload', (e) => {
  if (inFlight > 0) e.preventDefault();
});

/**
 * @param {HTMLElement} main
 * @param {import('../app.js').PageContext} ctx
 */
export async function render(main, ctx) {
  const role = ctx.session.user.role;
  const kinds = uploadKindsOf[role] ?? [];
  const bookId = ctx.params.bookId;
  if (!bookId) {
    const stages = [kinds.includes('entry') ? 'entry' : null, kinds.includes('scans') ? 'scan' : null].filter((s) => s !== null);
    const finder = bookFinder({
      caption: 'Sổ đang chờ tải tệp lên',
      stages: stages.length ? stages : undefined,
      actionHeader: 'Chọn',
      signal: ctx.signal,
      action: (b) =>
        h('a', { class: 'button-link', href: `#/tai-len/${encodeURIComponent(b.bookId)}`, 'aria-label': `Chọn sổ ${b.bookId} để tải lên` }, 'Chọn'),
    });
    replace(
      main,
      h('h1', {}, title),
      kinds.length ? null : h('p', { class: 'error' }, 'Vai trò của bạn không tải tệp lên.'),
      h('section', { 'aria-labelledby': 'pick-heading' }, h('h2', { id: 'pick-heading' }, 'Chọn sổ'), finder.element),
    );
    await finder.reload();
    return;
  }

  /** @type {BookView} */
  const book = await get(`/books/${encodeURIComponent(bookId)}`);
  const kind = book.stage === 'entry' ? 'entry' : book.stage === 'scan' ? 'scans' : undefined;
  const reportKind = ctx.query.get('report') === 'entry' ? 'entry' : ctx.query.get('report') === 'scans' ? 'scans' : (kind ?? 'scans');
  const canUpload = kind !== undefined && kinds.includes(kind);
  const resultBox = h('div', { id: 'processing-result', 'aria-live': 'polite' });
  const stageLine = h('p', { 'data-testid': 'upload-book-stage' }, `Giai đoạn hiện tại: ${stageTitles[book.stage] ?? book.stage}`);

  replace(
    main,
    h('h1', {}, title),
    h(
      'section',
      { 'aria-labelledby': 'pick-heading', class: 'card' },
      h('h2', { id: 'pick-heading' }, 'Sổ'),
      h(
        'p',
        {},
        h('a', { href: `#/so/${encodeURIComponent(book.bookId)}` }, book.bookId),
        ` · ${registerTypeTitles[book.registerType] ?? book.registerType} · quyển số ${book.quyenSo} · ${book.counts.records} bản ghi`,
      ),
      stageLine,
      h('p', {}, h('a', { href: '#/tai-len' }, 'Chọn sổ khác')),
    ),
    kinds.includes('entry') ? templateSection(book) : null,
    canUpload && kind
      ? dropSection(book, kind, ctx, (uploadId) => followResult(book, kind, uploadId, resultBox, stageLine, ctx))
      : h(
          'section',
          { class: 'card', 'aria-labelledby': 'drop-heading' },
          h('h2', { id: 'drop-heading' }, 'Tệp'),
          h(
            'p',
            {},
            kind ? 'Vai trò của bạn không tải loại tệp này lên.' : `Sổ đang ở giai đoạn "${stageTitles[book.stage] ?? book.stage}": không nhận tệp tải lên.`,
          ),
        ),
    h('section', { 'aria-labelledby': 'result-heading', class: 'card' }, h('h2', { id: 'result-heading' }, 'Kết quả xử lý'), resultBox),
  );
  await showLatest(book, reportKind, resultBox);
}

/** @param {BookView} book */
function templateSection(book) {
  const msg = h('div', { 'aria-live': 'polite' });
  const file = `${book.registerType}.xlsx`;
  return h(
    'section',
    { 'aria-labelledby': 'template-heading', class: 'card' },
    h('h2', { id: 'template-heading' }, 'Mẫu nhập liệu'),
    h(
      'p',
      {},
      'Nhập liệu theo mẫu của Bộ Tư pháp cho loại sổ này: ',
      h(
        'a',
        {
          href: `#/tai-len/${encodeURIComponent(book.bookId)}`,
          'data-template': book.registerType,
          onclick: async (/** @type {Event} */ e) => {
            e.preventDefault();
            try {
              await download(`/templates/${encodeURIComponent(file)}`, `mau-nhap-lieu-${book.registerType}.xlsx`);
              replace(msg);
            } catch (err) {
              replace(msg, errorBox(err instanceof ApiError && err.status === 404 ? new Error('Mẫu cho loại sổ này chưa có trên máy chủ.') : err));
            }
          },
        },
        `Tải mẫu ${registerTypeTitles[book.registerType] ?? book.registerType} (${file})`,
      ),
    ),
    msg,
  );
}

/**
 * The drop zone (also a plain file picker, for keyboard users) and the list of files with progress.
 * @param {BookView} book
 * @param {'entry' | 'scans'} kind
 * @param {import('../app.js').PageContext} ctx
 * @param {(uploadId: string) => Promise<boolean>} onUploaded Resolves when the result is there (true) or the wait ended.
 */
function dropSection(book, kind, ctx, onUploaded) {
  const rules = uploadKinds[kind];
  const username = ctx.session.user.username;
  const input = h('input', { type: 'file', id: 'file-input', class: 'file-input', accept: rules.accept, multiple: kind === 'scans' });
  const list = h('ul', { class: 'upload-list', 'aria-label': 'Tệp tải lên' });
  const pending = unfinishedUploads(username, book.bookId);
  const pendingBox = h(
    'div',
    { class: 'pending' },
    pending.length
      ? h(
          'div',
          { class: 'note', role: 'note' },
          h('p', {}, 'Có lượt tải lên dở dang. Chọn lại đúng tệp đó để tiếp tục từ phần còn thiếu:'),
          h(
            'ul',
            {},
            ...pending.map((r) =>
              h(
                'li',
                { 'data-pending': r.fileName },
                `${r.fileName} (${formatSize(r.size)}, bắt đầu ${formatTime(r.startedAt)}) `,
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'link-button',
                    onclick: (/** @type {Event} */ e) => {
                      forgetUpload(username, r);
                      /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (e.currentTarget).closest('li'))?.remove();
                    },
                  },
                  'Bỏ lượt này',
                ),
              ),
            ),
          ),
        )
      : null,
  );

  /** @param {File[]} files */
  const addFiles = (files) => {
    for (const file of files) {
      const ext = file.name.slice(file.name.lastIndexOf('.')).toLowerCase();
      const progress = h('progress', { max: 100, value: 0, 'aria-label': `Tiến độ tải lên ${file.name}` });
      const pct = h('span', { class: 'pct' }, '0 %');
      const status = h('span', { class: 'upload-status' }, 'Chờ');
      const actions = h('span', { class: 'upload-actions' });
      const item = h(
        'li',
        { class: 'upload-item', 'data-file-name': file.name },
        h('span', { class: 'file-name' }, file.name),
        h('span', { class: 'file-size' }, formatSize(file.size)),
        progress,
        pct,
        status,
        actions,
      );
      list.append(item);
      if (!rules.extensions.includes(ext)) {
        item.classList.add('failed');
        replace(status, `Không nhận: chỉ nhận tệp ${rules.extensions.join(', ')}`);
        continue;
      }
      const run = async () => {
        replace(actions);
        item.classList.remove('failed', 'done');
        inFlight++;
        try {
          const r = await uploadFile(
            { bookId: book.bookId, kind, file, username },
            {
              onProgress: (loaded, total) => {
                const p = total ? Math.floor((loaded / total) * 100) : 100;
                progress.value = p;
                pct.textContent = `${p} %`;
              },
              onStatus: (text) => {
                status.textContent = text;
              },
            },
          );
          item.classList.add('done');
          status.textContent = 'Đã tải lên kho lưu trữ; đang chờ xử lý';
          announce(`Đã tải lên ${file.name}`);
          void onUploaded(r.uploadId).then((done) => {
            if (done) status.textContent = 'Đã xử lý: xem kết quả bên dưới';
          });
        } catch (err) {
          item.classList.add('failed');
          replace(status, errorBox(err));
          announce(`Tải lên ${file.name} không thành công`, 'assertive');
          replace(actions, h('button', { type: 'button', class: 'secondary', onclick: run, 'aria-label': `Tiếp tục tải lên ${file.name}` }, 'Tiếp tục'));
        } finally {
          inFlight--;
        }
      };
      void run();
    }
  };

  input.addEventListener('change', () => {
    addFiles([...(input.files ?? [])]);
    input.value = '';
  });
  const zone = h(
    'div',
    { class: 'dropzone', 'data-testid': 'dropzone' },
    h(
      'label',
      { for: 'file-input' },
      h('strong', {}, kind === 'scans' ? 'Kéo thả bản scan (.zip hoặc .pdf) vào đây' : 'Kéo thả tệp Excel nhập liệu (.xlsx) vào đây'),
      h('span', {}, 'hoặc'),
      h('span', { class: 'pick' }, kind === 'scans' ? 'Chọn tệp…' : 'Chọn tệp Excel…'),
    ),
    input,
    h(
      'p',
      { class: 'hint' },
      kind === 'scans'
        ? 'Một tệp PDF cho mỗi bản ghi, đặt tên theo số đăng ký (ví dụ 12/2018 → 12-2018.pdf), gửi riêng hoặc nén trong một tệp .zip.'
        : 'Tệp .xlsx theo mẫu.',
    ),
  );
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    addFiles([...(e.dataTransfer?.files ?? [])]);
  });
  return h('section', { 'aria-labelledby': 'drop-heading', class: 'card' }, h('h2', { id: 'drop-heading' }, rules.title), pendingBox, zone, list);
}

/**
 * The latest result on opening the page.
 * @param {BookView} book
 * @param {'entry' | 'scans'} kind
 * @param {HTMLElement} box
 */
async function showLatest(book, kind, box) {
  try {
    const report = await get(`/books/${encodeURIComponent(book.bookId)}/${kind === 'entry' ? 'entry-report' : 'scan-report'}`);
    replace(box, kind === 'entry' ? entryReport(report) : scanReport(report));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) replace(box, h('p', { class: 'muted' }, 'Chưa có kết quả.'));
    else if (err instanceof ApiError && err.status === 403) replace(box, h('p', { class: 'muted' }, 'Vai trò của bạn không xem kết quả xử lý.'));
    else replace(box, errorBox(err));
  }
}

/**
 * After an upload: poll its result until it is there, then follow the book's stage.
 * @param {BookView} book
 * @param {'entry' | 'scans'} kind
 * @param {string} uploadId
 * @param {HTMLElement} box
 * @param {HTMLElement} stageLine
 * @param {import('../app.js').PageContext} ctx
 * @returns {Promise<boolean>} Whether the result arrived.
 */
async function followResult(book, kind, uploadId, box, stageLine, ctx) {
  replace(box, h('p', { class: 'muted' }, 'Đang xử lý tệp… kết quả sẽ hiện ở đây.'));
  const path = `/books/${encodeURIComponent(book.bookId)}/${kind === 'entry' ? 'entry-report' : 'scan-report'}`;
  const alive = () => !ctx.signal.aborted;
  let notYet = false;
  const report = await poll(
    async () => {
      try {
        const r = await get(path);
        if (kind === 'scans' && r.uploadId !== uploadId) return undefined;
        if (kind === 'entry' && r.uploadId && r.uploadId !== uploadId) return undefined;
        return r;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) {
          if (!notYet) replace(box, h('p', { class: 'muted' }, 'Chưa có kết quả. Đang chờ máy chủ xử lý…'));
          notYet = true;
          return undefined;
        }
        replace(box, errorBox(err));
        return undefined;
      }
    },
    { everyMs: 1000, maxMs: 15 * 60_000, alive },
  );
  if (!report || !alive()) return false;
  replace(box, kind === 'entry' ? entryReport(report) : scanReport(report));
  announce(
    kind === 'scans' ? (report.complete ? 'Bộ bản scan đã đủ' : 'Bộ bản scan chưa đủ, xem biên bản nghiệm thu') : 'Đã có kết quả kiểm tra tệp nhập liệu',
  );
  // Then the book: a complete delivery (a valid workbook) moves it on.
  if (kind === 'scans' ? report.complete : report.status === 'accepted') void followStage(book, stageLine, alive);
  return true;
}

/**
 * @param {BookView} book
 * @param {HTMLElement} stageLine
 * @param {() => boolean} alive
 */
async function followStage(book, stageLine, alive) {
  const moved = await poll(
    async () => {
      /** @type {BookView} */
      const b = await get(`/books/${encodeURIComponent(book.bookId)}`);
      return b.stage !== book.stage ? b : undefined;
    },
    { everyMs: 1000, maxMs: 120_000, alive },
  );
  if (moved && alive()) {
    replace(
      stageLine,
      `Giai đoạn hiện tại: ${stageTitles[moved.stage] ?? moved.stage} `,
      h('a', { href: `#/so/${encodeURIComponent(book.bookId)}` }, '(xem sổ)'),
    );
    announce(`Sổ đã chuyển sang giai đoạn ${stageTitles[moved.stage] ?? moved.stage}`);
  }
}

/**
 * The scan acceptance report: complete or not, counts, each refused file with its reason, what is missing.
 * @param {any} r
 */
export function scanReport(r) {
  /** @type {{ entryName: string, status: string, reason?: string, so?: string }[]} */
  const files = r.files ?? [];
  /** @type {{ so: string, expectedName: string }[]} */
  const missing = r.missing ?? [];
  return h(
    'div',
    { class: 'report', 'data-testid': 'scan-report', 'data-upload-id': r.uploadId, 'data-complete': String(Boolean(r.complete)) },
    h(
      'p',
      { class: r.complete ? 'ok' : 'warn' },
      r.archiveError
        ? `Tệp bị từ chối: ${r.archiveError.message}`
        : r.complete
          ? 'Đủ bản scan cho mọi bản ghi.'
          : `Chưa đủ bản scan: còn thiếu ${missing.length} bản ghi.`,
    ),
    h('p', {}, `Đợt giao: ${r.fileName ?? ''}, xử lý lúc ${formatTime(r.at)}`),
    r.reportUrl ? h('p', {}, h('a', { href: r.reportUrl, download: '', 'data-testid': 'report-link' }, 'Tải biên bản nghiệm thu (Excel)')) : null,
    h(
      'dl',
      { class: 'counts' },
      ...Object.entries(r.counts ?? {}).map(([k, v]) => h('div', {}, h('dt', {}, scanCountTitles[k] ?? k), h('dd', { 'data-count': k }, String(v)))),
    ),
    files.length
      ? table(
          'Các tệp trong đợt giao',
          ['Tệp', 'Kết quả', 'Bản ghi', 'Lý do'],
          files.map((f) => [f.entryName, scanFileStatusTitles[f.status] ?? f.status, f.so ?? '', f.reason ? (scanReasonTitles[f.reason] ?? f.reason) : '']),
          { 'data-testid': 'scan-files' },
        )
      : null,
    missing.length
      ? table(
          'Bản ghi còn thiếu bản scan',
          ['Số đăng ký', 'Tên tệp cần có'],
          missing.map((m) => [m.so, m.expectedName]),
          { 'data-testid': 'scan-missing' },
        )
      : null,
  );
}

/**
 * The entry workbook check: status, counts, each issue with row/column/message, the error workbook.
 * @param {any} r
 */
export function entryReport(r) {
  /** @type {{ row?: number, column?: string, ruleId: string, severity: string, message: string, value?: string }[]} */
  const issues = r.issues ?? [];
  const accepted = r.status === 'accepted';
  const summary = r.summary ?? {};
  return h(
    'div',
    { class: 'report', 'data-testid': 'entry-report', 'data-status': r.status ?? '', 'data-upload-id': r.uploadId ?? '' },
    h(
      'p',
      { class: accepted ? 'ok' : 'warn' },
      r.fileError
        ? `Tệp bị từ chối: ${r.fileError.message}`
        : accepted
          ? `Tệp hợp lệ: ${summary.rows ?? '?'} bản ghi đã được ghi nhận${summary.warnings ? ` (${summary.warnings} cảnh báo)` : ''}.`
          : `Tệp có ${summary.errors ?? issues.length} lỗi: cần sửa và tải lại. Chưa bản ghi nào được ghi nhận.`,
    ),
    r.fileName ? h('p', {}, `Tệp: ${r.fileName}${r.at ? `, xử lý lúc ${formatTime(r.at)}` : ''}`) : null,
    r.errorWorkbookUrl
      ? h('p', {}, h('a', { href: r.errorWorkbookUrl, download: '', 'data-testid': 'error-workbook-link' }, 'Tải tệp Excel đánh dấu lỗi'))
      : null,
    issues.length
      ? table(
          `Lỗi và cảnh báo (${issues.length}${r.issuesTruncated ? '+' : ''})`,
          ['Dòng', 'Cột', 'Mức', 'Nội dung', 'Giá trị', 'Quy tắc'],
          issues.map((i) => [
            i.row === undefined ? '' : String(i.row),
            i.column ?? '',
            i.severity === 'error' ? 'Lỗi' : i.severity === 'warning' ? 'Cảnh báo' : i.severity,
            i.message,
            i.value ?? '',
            i.ruleId,
          ]),
          { 'data-testid': 'entry-issues' },
        )
      : r.fileError
        ? null
        : h('p', {}, 'Không có lỗi.'),
  );
}
