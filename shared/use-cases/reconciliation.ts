/**
 * Reconciliation with the National Population Database (issue 6, procedures 1292/1050): the police's
 * register extract is matched against an approved book's people; MATCHED takes the 12-digit ID,
 * MISMATCH goes on the tracking list for police and officer to resolve, NOT_FOUND is exported for new
 * entries and later receives the assigned ID. The book completes when every person is settled.
 */
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit.js';
import { retryOnConflict } from '../aws/retry.js';
import { getObjectStream, presignGet, putObject } from '../aws/s3-objects.js';
import type { Book } from '../books/book.js';
import { getBook, listBooksOfCommune, saveBook } from '../books/book-repo.js';
import { assertUnitInScope, assertVisible } from '../books/book-rules.js';
import { getConfig } from '../config.js';
import { ActionNotAllowed, Forbidden, InvalidInput } from '../errors.js';
import { buildIndex, matchRecords } from '../matching/engine.js';
import type { PopulationEntry } from '../matching/schema.js';
import { csvRows, parseExtractRows, xlsxRows } from '../reconciliation/extract.js';
import { findCurrentExtract, putExtractVersion } from '../reconciliation/extract-repo.js';
import type { AssignedIdsRequest, ResolutionRequest } from '../reconciliation/requests.js';
import { subjectsOf } from '../reconciliation/subjects.js';
import { type BookRecord, isSettled, type SubjectReconciliation } from '../records/record.js';
import { allRecords, getRecord, saveRecord } from '../records/record-repo.js';
import type { RequestContext } from '../request-context.js';
import { communesInScope } from '../units/unit.js';
import { listUnits } from '../units/unit-repo.js';
import type { Upload } from '../uploads/upload.js';
import { systemPrincipal } from '../users/user.js';
import { submitSystemAction } from './submit-action.js';

/** Extract upload processor: validate every row; valid → a new current version for the unit, then match waiting books. */
export async function processExtractUpload(upload: Upload): Promise<{ status: 'accepted' | 'rejected'; outcome: Record<string, unknown> }> {
  const config = getConfig();
  const chunks: Buffer[] = [];
  for await (const c of await getObjectStream(config.UPLOAD_BUCKET, upload.key)) chunks.push(c as Buffer);
  const data = Buffer.concat(chunks);
  const isXlsx = data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  let rows: string[][];
  try {
    rows = isXlsx ? await xlsxRows(data) : csvRows(data.toString('utf8'));
  } catch {
    return { status: 'rejected', outcome: { issues: [{ row: 0, message: 'Không đọc được tệp trích xuất (cần CSV UTF-8 hoặc .xlsx)' }] } };
  }
  const { entries, issues } = parseExtractRows(rows);
  if (issues.length) return { status: 'rejected', outcome: { issues: issues.slice(0, 500), issueCount: issues.length } };
  const at = upload.receivedAt ?? new Date().toISOString();
  const key = `extracts/${upload.unitCode}/${upload.uploadId}.json`;
  await putObject(config.ARCHIVE_BUCKET, key, Buffer.from(JSON.stringify(entries)), 'application/json');
  await putExtractVersion({ unitCode: upload.unitCode, uploadId: upload.uploadId, key, rows: entries.length, at, by: upload.requestedBy.username });
  await appendAudit({
    targetType: 'unit',
    targetId: upload.unitCode,
    action: 'extract.accepted',
    actor: upload.requestedBy,
    at,
    requestId: `upload:${upload.uploadId}`,
    after: { uploadId: upload.uploadId, rows: entries.length },
  });
  const units = await listUnits();
  for (const commune of communesInScope(units, upload.unitCode)) {
    for (const book of await listBooksOfCommune(commune, 'reconciliation')) await reconcileBook(book.bookId);
  }
  return { status: 'accepted', outcome: { rows: entries.length } };
}

/** The extract that applies to a book: its commune's, or that of the commune it was merged into. */
async function extractFor(book: Book) {
  const units = await listUnits();
  let code: string | null = book.unitCode;
  for (let hops = 0; code && hops < 5; hops++) {
    const found = await findCurrentExtract(code);
    if (found) return found;
    code = units.find((u) => u.code === code)?.successor ?? null;
  }
  return undefined;
}

/**
 * Match a book in Reconciliation against its unit's current extract (people already settled are kept),
 * store each person's outcome on the record, count, and complete the stage when everyone is settled.
 */
export async function reconcileBook(bookId: string): Promise<void> {
  const book = await getBook(bookId);
  if (book.stage !== 'reconciliation') return;
  const records: BookRecord[] = [];
  for await (const r of allRecords(bookId)) records.push(r);
  const extract = records.length ? await extractFor(book) : undefined;
  if (extract) {
    const entries = JSON.parse(await streamText(getConfig().ARCHIVE_BUCKET, extract.key)) as PopulationEntry[];
    const index = buildIndex(entries, { validate: false });
    const settled = new Map(records.flatMap((r) => (r.reconciliation ?? []).filter(isSettled).map((s) => [s.key, s] as const)));
    const people = records.flatMap((r) =>
      subjectsOf(r)
        .filter((s) => !settled.has(s.key))
        .map((s) => ({ record: r, subject: s })),
    );
    // IDs already given to settled people of this book: never assigned to a second record of the same event type.
    const assignedIds = [...settled.values()].flatMap((s) => {
      const id = s.idNumber ?? s.assignedId;
      return id ? [{ eventType: book.registerType, idNumber: id }] : [];
    });
    const results = matchRecords(
      index,
      people.map((p) => ({ recordKey: p.subject.key, eventType: p.record.registerType, ...p.subject.person })),
      { assignedIds },
    );
    const byKey = new Map(results.map((r) => [r.recordKey, r]));
    for (const r of records) {
      // Merged into the record as it is when written: a person settled meanwhile (a resolution by the
      // police while a newer extract is matched) keeps that settlement.
      await updateRecord(r.bookId, r.so, (cur) => ({
        ...cur,
        reconciliation: subjectsOf(cur).flatMap((s): SubjectReconciliation[] => {
          const now = cur.reconciliation?.find((x) => x.key === s.key);
          if (now && isSettled(now)) return [now];
          const m = byKey.get(s.key);
          if (!m) return now ? [now] : [];
          return [
            {
              key: s.key,
              role: s.role,
              outcome: m.outcome,
              idNumber: m.outcome === 'MATCHED' ? m.idNumber : undefined,
              reasons: m.reasons,
              diff: m.diff.map((d) => ({ field: d.field, book: d.book, register: d.register, level: d.level })),
              candidates: m.candidates.slice(0, 3).map((c) => ({ idNumber: c.idNumber, score: c.score, probability: c.probability })),
              extractId: extract.uploadId,
            },
          ];
        }),
      }));
    }
  }
  const after = await recount(bookId, extract?.uploadId);
  if (extract) {
    // One entry per (book, extract version): a retried or repeated match of the same extract is the same entry.
    // Its time is when the match became possible: the extract's arrival, or the book's entry into the stage
    // when the extract was already there (never before the book's own history).
    await appendAudit({
      targetType: 'book',
      targetId: bookId,
      action: 'reconciliation.matched',
      actor: systemPrincipal,
      at: Date.parse(extract.at) > Date.parse(book.stageEnteredAt) ? extract.at : book.stageEnteredAt,
      requestId: `reconciliation:${extract.uploadId}`,
      before: book.reconciliation ? countsOf(book.reconciliation) : null,
      after,
    });
  }
}

const countsOf = (r: NonNullable<Book['reconciliation']>) => ({
  matched: r.matched,
  mismatch: r.mismatch,
  notFound: r.notFound,
  resolved: r.resolved,
  pending: r.pending,
  settledRecords: r.settledRecords,
});

async function updateRecord(bookId: string, so: string, change: (r: BookRecord) => BookRecord) {
  return retryOnConflict(async () => {
    const cur = await getRecord(bookId, so);
    return saveRecord({ ...change(cur), updatedAt: new Date().toISOString() }, cur.version);
  });
}

/** Counts over the book's people; completes the stage (system action) when everyone is settled. */
async function recount(bookId: string, extractId: string | undefined) {
  const counts = { matched: 0, mismatch: 0, notFound: 0, resolved: 0, pending: 0, settledRecords: 0 };
  let people = 0;
  let settledCount = 0;
  const notFoundRows: [so: string, key: string, role: string][] = [];
  for await (const r of allRecords(bookId)) {
    for (const s of r.reconciliation ?? []) if (s.outcome === 'NOT_FOUND' && !s.assignedId) notFoundRows.push([r.so, s.key, s.role]);
    const subjects = subjectsOf(r);
    people += subjects.length;
    const results = r.reconciliation ?? [];
    let settledHere = 0;
    for (const s of subjects) {
      const res = results.find((x) => x.key === s.key);
      if (!res) {
        counts.pending++;
        continue;
      }
      if (res.outcome === 'MATCHED') counts.matched++;
      if (res.outcome === 'MISMATCH') counts.mismatch++;
      if (res.outcome === 'NOT_FOUND') counts.notFound++;
      if (res.outcome !== 'MATCHED' && isSettled(res)) counts.resolved++;
      if (isSettled(res)) settledHere++;
    }
    settledCount += settledHere;
    // A record is reconciled when every person it names is settled (a record naming nobody to look up is).
    if (settledHere === subjects.length) counts.settledRecords++;
  }
  const now = new Date().toISOString();
  // The police's not-found list as Excel, written here when the outcomes change (reading them writes nothing).
  const notFoundKey = notFoundRows.length ? await writeNotFoundWorkbook(bookId, notFoundRows) : undefined;
  await retryOnConflict(async () => {
    const book = await getBook(bookId);
    await saveBook(
      { ...book, reconciliation: { extractId: extractId ?? book.reconciliation?.extractId ?? '', ...counts, notFoundKey, at: now }, updatedAt: now },
      book.version,
    );
  });
  if (settledCount === people) {
    const book = await getBook(bookId);
    const by = book.approval?.by ?? book.pendingAction?.by ?? { userId: 'system', username: 'system', role: 'ops' as const, unit: 'VN' };
    await submitSystemAction(bookId, { action: 'completeReconciliation' }, { principal: by, requestId: `reconciliation:${bookId}`, now }).catch((err) => {
      // Not parked yet (the stage is being entered) or already completed by a concurrent call.
      if (!(err instanceof ActionNotAllowed)) throw err;
    });
  }
  return counts;
}

/**
 * The police's list of people not found in the register, as Excel, in the archive. Named by its rows, so
 * an unchanged list is the same object: written once (the archive keeps every version under object lock).
 */
async function writeNotFoundWorkbook(bookId: string, rows: [string, string, string][]): Promise<string> {
  const book = await getBook(bookId);
  const digest = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
  const key = `reports/${book.unitCode}/${bookId}/reconciliation/not-found-${digest}.xlsx`;
  if (book.reconciliation?.notFoundKey === key) return key;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Chưa có trong CSDLQGVDC');
  ws.addRow(['Số đăng ký', 'Người (mã)', 'Vai trò']);
  for (const r of rows) ws.addRow(r);
  await putObject(
    getConfig().ARCHIVE_BUCKET,
    key,
    Buffer.from(await wb.xlsx.writeBuffer()),
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  );
  return key;
}

async function streamText(bucket: string, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await getObjectStream(bucket, key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function reconcilableBook(bookId: string, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  if (!['commune_police', 'commune_officer'].includes(ctx.principal.role)) throw new Forbidden('Chỉ Công an xã và công chức Tư pháp – Hộ tịch xử lý đối chiếu');
  if (book.stage !== 'reconciliation') throw new ActionNotAllowed('Sổ không ở giai đoạn đối chiếu', { stage: book.stage, allowedActions: [] });
  return book;
}

/** Resolve one person on the tracking list (audited with before/after). @throws NotFound, Forbidden, ActionNotAllowed, InvalidInput */
export async function resolveSubject(bookId: string, so: string, req: ResolutionRequest, ctx: RequestContext) {
  await reconcilableBook(bookId, ctx);
  const record = await getRecord(bookId, so);
  const current = record.reconciliation?.find((s) => s.key === `${so}#${req.subject}` || s.role === req.subject);
  if (!current) throw new InvalidInput('Không có người này trong kết quả đối chiếu của bản ghi', { issues: [{ path: 'subject', message: req.subject }] });
  if (current.outcome === 'MATCHED') throw new ActionNotAllowed('Người này đã khớp, không cần xử lý', { allowedActions: [] });
  if (req.action === 'acceptCandidate' && !current.candidates.some((c) => c.idNumber === req.idNumber)) {
    throw new InvalidInput('Số định danh không nằm trong các ứng viên', { issues: [{ path: 'idNumber', message: 'Không phải ứng viên' }] });
  }
  const resolution = {
    action: req.action,
    idNumber: req.action === 'acceptCandidate' ? req.idNumber : undefined,
    note: req.note,
    by: ctx.principal,
    at: ctx.now,
  };
  const saved = await updateRecord(bookId, so, (r) => ({
    ...r,
    reconciliation: (r.reconciliation ?? []).map((s) =>
      s.key === current.key
        ? {
            ...s,
            resolution,
            idNumber: req.action === 'acceptCandidate' ? req.idNumber : s.idNumber,
            outcome: req.action === 'treatAsNotFound' ? 'NOT_FOUND' : s.outcome,
          }
        : s,
    ),
  }));
  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: 'reconciliation.resolved',
    actor: ctx.principal,
    at: ctx.now,
    requestId: ctx.requestId,
    before: { so, subject: current.key, outcome: current.outcome },
    after: { so, subject: current.key, resolution: req.action, idNumber: resolution.idNumber },
  });
  await recount(bookId, current.extractId);
  return saved;
}

/** The police upload the IDs assigned to people entered as new; each attaches to its record. */
export async function attachAssignedIds(bookId: string, req: z.infer<typeof AssignedIdsRequest>, ctx: RequestContext) {
  await reconcilableBook(bookId, ctx);
  const issues: { path: string; message: string }[] = [];
  const bySo = new Map<string, { key: string; idNumber: string }[]>();
  for (const [i, x] of req.ids.entries()) {
    const so = x.subject.split('#')[0]!;
    if (!/^\d{1,6}\/\d{4}$/.test(so)) issues.push({ path: `ids.${i}.subject`, message: 'Dạng "<so>#<vai trò>", ví dụ 12/2018#child' });
    else bySo.set(so, [...(bySo.get(so) ?? []), { key: x.subject, idNumber: x.idNumber }]);
  }
  if (issues.length) throw new InvalidInput('Danh sách số định danh không hợp lệ', { issues });
  const changes = new Map<string, { before: string | null; after: string }>();
  for (const [so, ids] of bySo) {
    await updateRecord(bookId, so, (r) => ({
      ...r,
      reconciliation: (r.reconciliation ?? []).map((s) => {
        const hit = ids.find((x) => x.key === s.key);
        if (!hit || s.outcome !== 'NOT_FOUND' || s.assignedId === hit.idNumber) return s;
        // Keyed by subject: a retried update of the record sees the same change once.
        changes.set(s.key, { before: changes.get(s.key)?.before ?? s.assignedId ?? null, after: hit.idNumber });
        return { ...s, assignedId: hit.idNumber };
      }),
    }));
  }
  const attached = changes.size;
  const list = [...changes.entries()];
  await appendAudit({
    targetType: 'book',
    targetId: bookId,
    action: 'reconciliation.idsAssigned',
    actor: ctx.principal,
    at: ctx.now,
    requestId: ctx.requestId,
    before: { ids: list.map(([subject, c]) => ({ subject, assignedId: c.before })) },
    after: { count: attached, ids: list.map(([subject, c]) => ({ subject, assignedId: c.after })) },
  });
  const book = await getBook(bookId);
  await recount(bookId, book.reconciliation?.extractId);
  return { attached };
}

/** Outcomes of a book: the tracking list, the not-found list (also as Excel for the police), counts. */
export async function reconciliationOf(bookId: string, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  const people: (SubjectReconciliation & { so: string })[] = [];
  for await (const r of allRecords(bookId)) for (const s of r.reconciliation ?? []) people.push({ ...s, so: r.so });
  const notFound = people.filter((p) => p.outcome === 'NOT_FOUND' && !p.assignedId);
  // Written when the outcomes change (recount); reading the outcomes writes nothing.
  const key = notFound.length ? book.reconciliation?.notFoundKey : undefined;
  const notFoundUrl = key ? (await presignGet(getConfig().ARCHIVE_BUCKET, key, { downloadName: `chua-co-${bookId}.xlsx` })).url : undefined;
  return {
    bookId,
    counts: book.reconciliation ?? null,
    trackingList: people.filter((p) => p.outcome === 'MISMATCH' && !isSettled(p)),
    notFound,
    notFoundWorkbookUrl: notFoundUrl,
    settled: people.filter(isSettled).length,
    people: people.length,
  };
}

/** Reconciliation figures of a unit for a month: counts by outcome over its books, resolved vs pending. */
export async function monthlyReconciliation(query: { unit?: string; month?: string }, ctx: RequestContext) {
  const units = await listUnits();
  const root = query.unit ?? ctx.principal.unit;
  assertUnitInScope(root, ctx.principal, units);
  const month = query.month ?? ctx.now.slice(0, 7);
  const totals = { books: 0, matched: 0, mismatch: 0, notFound: 0, resolved: 0, pending: 0 };
  const perCommune: Record<string, typeof totals> = {};
  for (const c of communesInScope(units, root)) {
    const t = { books: 0, matched: 0, mismatch: 0, notFound: 0, resolved: 0, pending: 0 };
    for (const b of await listBooksOfCommune(c)) {
      if (!b.reconciliation || b.reconciliation.at.slice(0, 7) > month) continue;
      t.books++;
      for (const k of ['matched', 'mismatch', 'notFound', 'resolved', 'pending'] as const) t[k] += b.reconciliation[k];
    }
    perCommune[c] = t;
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += t[k];
  }
  return { unit: root, month, totals, perCommune };
}

/** Ops/police: an extract upload is bound to a unit the caller covers. */
export function assertExtractUploader(unitCode: string, ctx: RequestContext, units: Awaited<ReturnType<typeof listUnits>>) {
  if (ctx.principal.role !== 'commune_police') throw new Forbidden('Chỉ Công an xã tải lên trích xuất CSDLQGVDC');
  assertUnitInScope(unitCode, ctx.principal, units);
}
