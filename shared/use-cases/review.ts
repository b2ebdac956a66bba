/** Review of a book's records against the paper book or the scans (issue 5). */
import { appendAudit } from '../audit/audit.js';
import { retryOnConflict } from '../aws/retry.js';
import { presignGet } from '../aws/s3-objects.js';
import type { Book } from '../books/book.js';
import { getBook, listBooksOfCommune, saveBook } from '../books/book-repo.js';
import { assertUnitInScope, assertVisible, isWaiting } from '../books/book-rules.js';
import { getConfig } from '../config.js';
import { looksLikeFormula } from '../entry/validate.js';
import { cleanText } from '../entry/values.js';
import { ActionNotAllowed, Conflict, Forbidden, InvalidInput } from '../errors.js';
import { allRecords, getRecord, saveRecord } from '../records/record-repo.js';
import type { RequestContext } from '../request-context.js';
import { afterFullReview, decideReviewPlan, ReviewPolicy, recordOutcome } from '../review/qc-policy.js';
import type { CorrectionReason } from '../review/reasons.js';
import { clerkErrorReasons } from '../review/reasons.js';
import {
  findClerkQuality,
  findReviewPolicy,
  getReviewPolicy,
  listClerkQualityOfCommune,
  replaceReviewPolicy,
  samePolicy,
  saveClerkQuality,
} from '../review/review-repo.js';
import type { RecordReviewRequest } from '../review/review-request.js';
import { communesInScope } from '../units/unit.js';
import { listUnits } from '../units/unit-repo.js';
import type { Principal } from '../users/user.js';

const CLAIM_MS = 30 * 60_000;

export function liveClaim(book: Book, now: string) {
  return book.reviewClaim && book.reviewClaim.until > now ? book.reviewClaim : undefined;
}

/** Books waiting for review in the caller's units, oldest first, with who holds each. */
export async function reviewQueue(query: { unit?: string }, ctx: RequestContext) {
  const units = await listUnits();
  const root = query.unit ?? ctx.principal.unit;
  assertUnitInScope(root, ctx.principal, units);
  const books = (await Promise.all(communesInScope(units, root).map((c) => listBooksOfCommune(c, 'review')))).flat();
  return books
    .sort((a, b) => a.stageEnteredAt.localeCompare(b.stageEnteredAt))
    .map((b) => {
      const claim = liveClaim(b, ctx.now);
      return {
        bookId: b.bookId,
        unitCode: b.unitCode,
        registerType: b.registerType,
        quyenSo: b.quyenSo,
        waitingSince: b.stageEnteredAt,
        records: b.counts.records,
        reviewMode: b.review?.mode ?? 'full',
        heldBy: claim ? { username: claim.by.username, until: claim.until } : null,
      };
    });
}

async function reviewableBook(bookId: string, ctx: RequestContext): Promise<Book> {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  if (ctx.principal.role !== 'commune_officer') throw new Forbidden('Chỉ công chức Tư pháp – Hộ tịch được kiểm tra sổ');
  if (book.stage !== 'review' || !isWaiting(book)) throw new ActionNotAllowed('Sổ không ở giai đoạn kiểm tra', { stage: book.stage, allowedActions: [] });
  return book;
}

/**
 * Claim a book for review (a 30-minute lease, renewed by claiming again). Others see who holds it.
 * @throws Conflict naming the holder when someone else holds a live claim.
 */
export async function claimReview(bookId: string, ctx: RequestContext) {
  const book = await reviewableBook(bookId, ctx);
  const held = liveClaim(book, ctx.now);
  if (held && held.by.userId !== ctx.principal.userId) {
    throw new Conflict(`Sổ đang được ${held.by.username} kiểm tra đến ${held.until}`, { heldBy: held.by.username, until: held.until });
  }
  const claim = { by: ctx.principal, until: new Date(Date.parse(ctx.now) + CLAIM_MS).toISOString() };
  await saveBook({ ...book, reviewClaim: claim, updatedAt: ctx.now }, book.version);
  await audit(bookId, 'review.claimed', ctx, { heldBy: held?.by.username ?? null }, { heldBy: ctx.principal.username, until: claim.until });
  return { bookId, heldBy: ctx.principal.username, until: claim.until };
}

/** Release a claim the caller holds (or an expired one). */
export async function releaseReview(bookId: string, ctx: RequestContext) {
  const book = await reviewableBook(bookId, ctx);
  const held = liveClaim(book, ctx.now);
  if (held && held.by.userId !== ctx.principal.userId) throw new Conflict(`Sổ đang được ${held.by.username} kiểm tra`, { heldBy: held.by.username });
  await saveBook({ ...book, reviewClaim: undefined, updatedAt: ctx.now }, book.version);
  await audit(bookId, 'review.released', ctx, { heldBy: held?.by.username ?? null }, { heldBy: null });
  return { bookId, heldBy: null };
}

/** One record with a short-lived link to its PDF, and whether the review plan requires it. */
export async function getRecordForCaller(bookId: string, so: string, ctx: RequestContext) {
  const [book, units] = await Promise.all([getBook(bookId), listUnits()]);
  assertVisible(book, ctx.principal, units);
  const record = await getRecord(bookId, so);
  const scanUrl = record.scan ? await presignGet(getConfig().ARCHIVE_BUCKET, record.scan.key, { expiresIn: 300 }) : undefined;
  return { ...record, requiredInReview: isRequired(book, so), scanUrl: scanUrl?.url, scanUrlExpiresIn: scanUrl?.expiresIn };
}

/**
 * Mark a record OK or correct fields, with the record's version (optimistic locking).
 * 1. The book is in review, the caller is a commune officer holding the claim.
 * 2. Each correction names an existing field, and carries a reason from the taxonomy.
 * 3. Conditional write of the record (a concurrent edit → 409 with the current version).
 * 4. The first review of a record in this pass counts towards the book and the clerk's quality.
 * @throws NotFound, Forbidden, ActionNotAllowed, Conflict, InvalidInput
 */
export async function reviewRecord(bookId: string, so: string, req: RecordReviewRequest, ctx: RequestContext) {
  const book = await reviewableBook(bookId, ctx);
  const claim = liveClaim(book, ctx.now);
  if (!claim || claim.by.userId !== ctx.principal.userId) throw new Conflict('Hãy nhận sổ để kiểm tra trước khi sửa', { heldBy: claim?.by.username ?? null });
  const record = await getRecord(bookId, so);
  if (record.version !== req.version)
    throw new Conflict('Bản ghi đã thay đổi, hãy xem phiên bản hiện tại', { currentVersion: record.version, current: record });

  const corrections = 'corrections' in req ? req.corrections : [];
  // Own keys only: "constructor" or "__proto__" are "in" every object, and must not pass for a column.
  const unknown = corrections.filter((c) => !Object.hasOwn(record.fields, c.field));
  if (unknown.length) {
    throw new InvalidInput('Trường không có trong mẫu của sổ', {
      issues: unknown.map((c) => ({ path: `corrections.${c.field}`, message: 'Trường không tồn tại' })),
    });
  }
  const unsafe = corrections.flatMap((c) => correctionValueIssues(c.field, c.value));
  if (unsafe.length) throw new InvalidInput('Giá trị sửa không hợp lệ', { issues: unsafe });
  const fields = { ...record.fields };
  const made = corrections.map((c) => {
    const before = fields[c.field] ?? null;
    const after = c.value === null ? null : c.value.normalize('NFC').trim();
    fields[c.field] = after;
    return { field: c.field, before, after, reason: c.reason, note: c.note, by: ctx.principal, at: ctx.now };
  });
  const saved = await saveRecord(
    {
      ...record,
      fields,
      corrections: [...record.corrections, ...made],
      review: { status: made.length ? 'corrected' : 'ok', by: ctx.principal, at: ctx.now },
      updatedAt: ctx.now,
    },
    record.version,
  );
  await audit(
    bookId,
    made.length ? 'record.corrected' : 'record.reviewed',
    ctx,
    { so, version: record.version, fields: Object.fromEntries(made.map((m) => [m.field, m.before])) },
    { so, version: saved.version, fields: Object.fromEntries(made.map((m) => [m.field, m.after])), reasons: made.map((m) => m.reason) },
  );
  if (!record.review)
    await countFirstReview(
      book,
      made.map((m) => m.reason),
      ctx.principal,
    );
  return saved;
}

/** What the entry stage would refuse in a keyed cell, refused in a reviewer's correction too. */
function correctionValueIssues(field: string, value: string | null): { path: string; message: string }[] {
  if (value === null) return [];
  const { text, controls } = cleanText(value);
  if (controls.length) return [{ path: `corrections.${field}`, message: `Có ký tự điều khiển không in được (${controls.join(', ')})` }];
  if (text !== null && looksLikeFormula(text)) return [{ path: `corrections.${field}`, message: 'Giá trị bắt đầu như một công thức Excel (=, +, -, @)' }];
  return [];
}

/** Book and clerk counters for a record's first review in this pass (retried on lost races). */
async function countFirstReview(book: Book, reasons: CorrectionReason[], reviewer: Principal) {
  const clerkError = reasons.some((r) => clerkErrorReasons.includes(r));
  await retryOnConflict(async () => {
    const fresh = await getBook(book.bookId);
    const review = fresh.review ?? { mode: 'full' as const, reviewers: [], reviewed: 0, errors: 0 };
    const quality = fresh.quality ?? { reviewedRecords: 0, errors: 0, byReason: {} };
    const byReason = { ...quality.byReason };
    for (const r of reasons) byReason[r] = (byReason[r] ?? 0) + 1;
    await saveBook(
      {
        ...fresh,
        quality: { reviewedRecords: quality.reviewedRecords + 1, errors: quality.errors + (clerkError ? 1 : 0), byReason },
        review: {
          ...review,
          reviewers: review.reviewers.includes(reviewer.userId) ? review.reviewers : [...review.reviewers, reviewer.userId],
          reviewed: review.reviewed + 1,
          errors: review.errors + (clerkError ? 1 : 0),
        },
      },
      fresh.version,
    );
  });
  const clerk = book.entry?.keyedBy;
  if (!clerk) return;
  const policy = await getReviewPolicy(book.unitCode);
  await retryOnConflict(async () => {
    const q = (await findClerkQuality(clerk.userId)) ?? {
      userId: clerk.userId,
      unitCode: book.unitCode,
      recent: '',
      forceFull: false,
      reviewed: 0,
      errors: 0,
      byReason: {},
      version: 0,
    };
    const next = recordOutcome(q, { clerkError, reasons, sampled: book.review?.mode === 'sample' }, policy.window);
    await saveClerkQuality({ ...next, unitCode: book.unitCode, version: q.version }, q.version === 0 ? undefined : q.version);
  });
}

function isRequired(book: Book, so: string): boolean {
  return book.review?.mode !== 'sample' || (book.review.sample ?? []).includes(so);
}

/** Records the review plan still needs (for the pass decision and the page). */
export async function pendingReview(book: Book): Promise<string[]> {
  const pending: string[] = [];
  for await (const r of allRecords(book.bookId)) if (isRequired(book, r.so) && !r.review) pending.push(r.so);
  return pending;
}

/**
 * When a book enters review: decide full review or a sample for this pass, from the unit's policy
 * and the entry clerk's measured quality. Called by the workflow's stage entry.
 */
export async function planReview(book: Book): Promise<Book['review']> {
  const sos: string[] = [];
  for await (const r of allRecords(book.bookId)) sos.push(r.so);
  const policy = await getReviewPolicy(book.unitCode);
  const clerk = book.entry ? await findClerkQuality(book.entry.keyedBy.userId) : undefined;
  const plan = decideReviewPlan(policy, clerk, book.bookId, sos);
  return { mode: plan.mode, sample: plan.mode === 'sample' ? plan.sample : undefined, reviewers: [], reviewed: 0, errors: 0 };
}

/** After a full review passes, the clerk may earn sampling back. */
export async function closeReviewPass(book: Book) {
  const clerk = book.entry?.keyedBy;
  if (!clerk || book.review?.mode !== 'full') return;
  const policy = await getReviewPolicy(book.unitCode);
  const q = await findClerkQuality(clerk.userId);
  if (!q?.forceFull) return;
  const next = afterFullReview(q, policy);
  if (next.forceFull === q.forceFull) return;
  // A lost race means another review just updated the clerk; the next full review re-evaluates.
  await saveClerkQuality({ ...next, unitCode: q.unitCode, version: q.version }, q.version).catch((err) => {
    if (!(err instanceof Conflict)) throw err;
  });
}

async function audit(bookId: string, action: string, ctx: RequestContext, before: unknown, after: unknown) {
  await appendAudit({ targetType: 'book', targetId: bookId, action, actor: ctx.principal, at: ctx.now, requestId: ctx.requestId, before, after });
}

/** Error rates per clerk, per reason and for the unit, from the clerks' quality counters. */
export async function errorRates(query: { unit?: string }, ctx: RequestContext) {
  const units = await listUnits();
  const root = query.unit ?? ctx.principal.unit;
  assertUnitInScope(root, ctx.principal, units);
  const clerks = (await Promise.all(communesInScope(units, root).map((c) => listClerkQualityOfCommune(c)))).flat();
  const byReason: Record<string, number> = {};
  let reviewed = 0;
  let errors = 0;
  for (const c of clerks) {
    reviewed += c.reviewed;
    errors += c.errors;
    for (const [r, n] of Object.entries(c.byReason)) byReason[r] = (byReason[r] ?? 0) + n;
  }
  return {
    unit: root,
    reviewed,
    errors,
    errorRate: reviewed ? errors / reviewed : null,
    byReason,
    clerks: clerks.map((c) => ({
      userId: c.userId,
      unitCode: c.unitCode,
      reviewed: c.reviewed,
      errors: c.errors,
      errorRate: c.reviewed ? c.errors / c.reviewed : null,
      byReason: c.byReason,
      forcedFullReview: c.forceFull,
    })),
  };
}

export async function getPolicyForCaller(unitCode: string, ctx: RequestContext) {
  assertUnitInScope(unitCode, ctx.principal, await listUnits());
  return getReviewPolicy(unitCode);
}

/** Sets a unit's review policy; audited with before/after. @throws Forbidden, InvalidInput */
export async function setPolicy(unitCode: string, body: Omit<ReviewPolicy, 'unitCode'>, ctx: RequestContext) {
  const units = await listUnits();
  assertUnitInScope(unitCode, ctx.principal, units);
  if (!units.some((u) => u.code === unitCode && u.level === 'commune'))
    throw new InvalidInput('Chính sách kiểm tra đặt cho cấp xã', { issues: [{ path: 'unitCode', message: 'Không phải mã xã' }] });
  const after = ReviewPolicy.parse({ ...body, unitCode });
  // Compare and set: the same policy again (a repeated or duplicated request) changes nothing and is not
  // audited; a policy changed meanwhile by someone else is read again before replacing it.
  let current = await findReviewPolicy(unitCode);
  for (let attempt = 1; ; attempt++) {
    if (current.stored && samePolicy(current.policy, after)) return after;
    if (await replaceReviewPolicy(after, current)) break;
    if (attempt >= 5) throw new Conflict('Chính sách kiểm tra đang được người khác thay đổi, vui lòng thử lại');
    current = await findReviewPolicy(unitCode);
  }
  const before = current.policy;
  await appendAudit({
    targetType: 'unit',
    targetId: unitCode,
    action: 'review.policy.set',
    actor: ctx.principal,
    at: ctx.now,
    requestId: ctx.requestId,
    before,
    after,
  });
  return after;
}
