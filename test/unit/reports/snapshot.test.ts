import { describe, expect, it } from 'vitest';
import type { Book } from '../../../shared/books/book.js';
import { subtotalFlags } from '../../../shared/reports/quality.js';
import {
  type BookSummary,
  bookSummaryOf,
  CommuneSnapshot,
  computeCommuneSnapshot,
  deltaOf,
  listStalledBooks,
  sumFigures,
} from '../../../shared/reports/snapshot.js';
import { Stage } from '../../../shared/workflow/stages.js';

const takenAt = '2026-11-27T04:00:00.000Z';
const daysAgo = (n: number) => new Date(Date.parse(takenAt) - n * 86_400_000).toISOString();

function book(id: string, over: Partial<BookSummary>): BookSummary {
  return {
    bookId: id,
    unitCode: '90701',
    stage: 'entry',
    stageEnteredAt: daysAgo(1),
    closingTotal: null,
    counts: { records: 0, scanned: 0, reviewed: 0, approved: 0, reconciled: 0 },
    ...over,
  };
}

const books: BookSummary[] = [
  book('b1', { stage: 'inventory', stageEnteredAt: daysAgo(200), closingTotal: 40 }),
  book('b2', { stage: 'entry', stageEnteredAt: daysAgo(3), closingTotal: 30, counts: { records: 12, scanned: 0, reviewed: 0, approved: 0, reconciled: 0 } }),
  // No progress for 20 days: stalled by the N-day rule.
  book('b3', {
    stage: 'scan',
    stageEnteredAt: daysAgo(20),
    closingTotal: 25,
    counts: { records: 25, scanned: 10, reviewed: 0, approved: 0, reconciled: 0 },
    holder: 'Công ty Scan Việt',
  }),
  // Entered the stage long ago but moved recently: not stalled.
  book('b4', {
    stage: 'review',
    stageEnteredAt: daysAgo(30),
    lastProgressAt: daysAgo(2),
    closingTotal: 20,
    counts: { records: 20, scanned: 20, reviewed: 0, approved: 0, reconciled: 0 },
  }),
  // Flagged by the workflow: stalled even though only 5 days.
  book('b5', {
    stage: 'approval',
    stageEnteredAt: daysAgo(5),
    stalled: { since: daysAgo(1) },
    closingTotal: 10,
    counts: { records: 10, scanned: 10, reviewed: 10, approved: 0, reconciled: 0 },
    quality: { reviewedRecords: 10, errors: 2, byReason: { 'sai ngày': 1, 'thiếu tên': 1 } },
  }),
  book('b6', {
    stage: 'reconciliation',
    stageEnteredAt: daysAgo(4),
    closingTotal: 15,
    counts: { records: 15, scanned: 15, reviewed: 15, approved: 15, reconciled: 9 },
    reconciliation: { matched: 7, mismatch: 3, notFound: 1, resolved: 1, pending: 3 },
    quality: { reviewedRecords: 15, errors: 1, byReason: { 'sai ngày': 1 } },
  }),
  // Completed long ago: never stalled. Closing total lower than entered: entered counts as expected.
  book('b7', { stage: 'completed', stageEnteredAt: daysAgo(90), closingTotal: 8, counts: { records: 9, scanned: 9, reviewed: 9, approved: 9, reconciled: 9 } }),
];

describe('commune snapshot from per-book summaries', () => {
  const s = computeCommuneSnapshot('2026-W48', '90701', books, takenAt);

  it('is a valid snapshot', () => {
    expect(CommuneSnapshot.parse(s)).toEqual(s);
    expect(s.takenAt).toBe(takenAt);
  });

  it('counts books by stage, completed and stalled; the stages add up to the total', () => {
    expect(s.books.total).toBe(7);
    expect(s.books.byStage).toEqual({ inventory: 1, entry: 1, scan: 1, review: 1, approval: 1, reconciliation: 1, completed: 1 });
    expect(Stage.options.reduce((n, st) => n + s.books.byStage[st], 0)).toBe(s.books.total);
    expect(s.books.completed).toBe(1);
    expect(s.books.stalled).toBe(2); // b3 (20 days) and b5 (flagged); not b1 (inventory), b4 (moved), b7 (completed)
    expect(subtotalFlags('90701', s)).toEqual([]);
  });

  it('sums record counters and takes the closing total (or what was entered, if more) as expected', () => {
    expect(s.records).toEqual({ expected: 40 + 30 + 25 + 20 + 10 + 15 + 9, entered: 91, scanned: 64, reviewed: 34, approved: 24, reconciled: 18 });
    expect(s.reconciliation).toEqual({ matched: 7, mismatch: 3, notFound: 1, resolved: 1, pending: 3 });
    expect(s.quality).toEqual({ reviewedRecords: 25, errors: 3, byReason: { 'sai ngày': 2, 'thiếu tên': 1 } });
  });

  it('the stalled threshold is configurable', () => {
    expect(computeCommuneSnapshot('2026-W48', '90701', books, takenAt, { stalledAfterDays: 30 }).books.stalled).toBe(1);
    expect(computeCommuneSnapshot('2026-W48', '90701', books, takenAt, { stalledAfterDays: 3 }).books.stalled).toBe(4); // + b2 (3 days) and b6 (4 days)
  });

  it('lists stalled books longest first with days and holder', () => {
    const list = listStalledBooks(books, takenAt);
    expect(list.map((b) => [b.bookId, b.days, b.flagged])).toEqual([
      ['b3', 20, false],
      ['b5', 5, true],
    ]);
    expect(list[0]?.holder).toBe('Công ty Scan Việt');
    expect(list[0]?.since).toBe(daysAgo(20));
  });

  it('a commune without books has zero figures and no quality block', () => {
    const empty = computeCommuneSnapshot('2026-W48', '90702', [], takenAt);
    expect(empty.books.total).toBe(0);
    expect(empty.records.entered).toBe(0);
    expect(empty.quality).toBeUndefined();
  });

  it('deltas and sums are field by field', () => {
    const before = computeCommuneSnapshot('2026-W47', '90701', books.slice(0, 4), daysAgo(7));
    const d = deltaOf(s, before);
    expect(d.books.total).toBe(3);
    expect(d.records.entered).toBe(s.records.entered - before.records.entered);
    expect(d.books.byStage.completed).toBe(1);
    const sum = sumFigures([s, before]);
    expect(sum.records.reviewed).toBe(s.records.reviewed + before.records.reviewed);
    expect(sum.books.byStage.inventory).toBe(2);
  });
});

describe('book summary from a stored book', () => {
  const stored: Book = {
    bookId: '90101-KS-02.2018-2018',
    unitCode: '90101',
    registerType: 'KS',
    quyenSo: '02/2018',
    yearOpened: 2018,
    pageCount: 100,
    closingTotal: 120,
    physicalCondition: 'good',
    custodyLocation: 'Tủ 1',
    notes: '',
    stage: 'reconciliation',
    version: 5,
    createdAt: daysAgo(40),
    createdBy: 'u1',
    updatedAt: daysAgo(1),
    stageEnteredAt: daysAgo(1),
    executionSeq: 1,
    counts: { records: 118, scans: 118, uploads: 2 },
  };

  it('a book past approval has all its records reviewed and approved; reconciled records and outcomes come from the book’s counters', () => {
    const at = daysAgo(0);
    const s = bookSummaryOf(stored, at);
    expect(s.counts).toEqual({ records: 118, scanned: 118, reviewed: 118, approved: 118, reconciled: 0 });
    expect(s.reconciliation).toBeUndefined();
    const outcomes = { extractId: 'x1', matched: 100, mismatch: 5, notFound: 3, resolved: 2, pending: 10, settledRecords: 96, at };
    const withOutcomes = bookSummaryOf({ ...stored, reconciliation: outcomes }, at);
    expect(withOutcomes.counts.reconciled).toBe(96);
    expect(withOutcomes.reconciliation).toEqual({ matched: 100, mismatch: 5, notFound: 3, resolved: 2, pending: 10 });
  });

  it('a book in review has nothing reviewed yet; a completed one everything reconciled', () => {
    expect(bookSummaryOf({ ...stored, stage: 'review' }, daysAgo(0)).counts.reviewed).toBe(0);
    expect(bookSummaryOf({ ...stored, stage: 'completed' }, daysAgo(0)).counts.reconciled).toBe(118);
  });

  it('carries the reviewers’ findings, the last progress and who holds the book', () => {
    const quality = { reviewedRecords: 40, errors: 3, byReason: { TYPO: 2, WRONG_DATE: 1 } };
    const inReview = { ...stored, stage: 'review' as const, quality, updatedAt: daysAgo(2), stageEnteredAt: daysAgo(5) };
    const claimed = { ...inReview, reviewClaim: { by: { userId: 'u9', username: 'hotich2.binhan', role: 'commune_officer' as const, unit: '90101' }, until: daysAgo(-1) } };
    expect(bookSummaryOf(claimed, daysAgo(0))).toMatchObject({ quality, lastProgressAt: daysAgo(2), holder: 'hotich2.binhan' });
    // An expired claim is nobody's: the book waits for the role of its stage.
    const expired = { ...claimed, reviewClaim: { ...claimed.reviewClaim, until: daysAgo(1) } };
    expect(bookSummaryOf(expired, daysAgo(0)).holder).toBe('Công chức Tư pháp – Hộ tịch (kiểm tra)');
    expect(bookSummaryOf({ ...stored, stage: 'scan' }, daysAgo(0)).holder).toBe('Đơn vị scan');
    expect(bookSummaryOf({ ...stored, quality: { reviewedRecords: 0, errors: 0, byReason: {} } }, daysAgo(0)).quality).toBeUndefined();
  });
});
