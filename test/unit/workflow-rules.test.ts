import { describe, expect, it } from 'vitest';
import type { Book } from '../../shared/books/book.js';
import { allowedActions, assertVisible, toBookView } from '../../shared/books/book-rules.js';
import { demoUnits } from '../../shared/demo/demo-units.js';
import { NotFound } from '../../shared/errors.js';
import type { Principal } from '../../shared/users/user.js';
import { ActionName, actionsFor, actionsFrom, Stage, transitions, waitingStages } from '../../shared/workflow/stages.js';

const officer: Principal = { userId: 'u1', username: 'o', role: 'commune_officer', unit: '90101' };
const clerk: Principal = { userId: 'u2', username: 'c', role: 'entry_clerk', unit: '90101' };
const book = (over: Partial<Book> = {}): Book => ({
  bookId: '90101-KS-1.2018-2018',
  unitCode: '90101',
  registerType: 'KS',
  quyenSo: '1/2018',
  yearOpened: 2018,
  pageCount: 10,
  closingTotal: 5,
  physicalCondition: 'good',
  custodyLocation: 'x',
  notes: '',
  stage: 'entry',
  version: 3,
  createdAt: '2026-01-01T00:00:00Z',
  createdBy: 'u1',
  updatedAt: '2026-01-01T00:00:00Z',
  stageEnteredAt: '2026-01-01T00:00:00Z',
  executionSeq: 1,
  executionArn: 'arn:x',
  taskToken: 'tok',
  counts: { records: 0, scans: 0, uploads: 0 },
  ...over,
});

describe('transition table', () => {
  it('every waiting stage has a way forward and every action leads to a known stage', () => {
    for (const s of waitingStages) expect(actionsFrom(s).length).toBeGreaterThan(0);
    for (const a of ActionName.options) expect(Stage.options).toContain(transitions[a].to);
    expect(actionsFrom('completed')).toEqual([]);
  });

  it('returns and rejections need a reason; forward moves do not', () => {
    expect(ActionName.options.filter((a) => transitions[a].needsReason).sort()).toEqual(['reject', 'returnToEntry', 'returnToScan']);
  });

  it('viewers never act', () => {
    for (const s of Stage.options) {
      expect(actionsFor(s, 'district_viewer')).toEqual([]);
      expect(actionsFor(s, 'province_viewer')).toEqual([]);
    }
  });
});

describe('allowed actions on a book', () => {
  it('while the workflow waits, the role decides', () => {
    expect(allowedActions(book({ stage: 'review' }), officer)).toEqual(['passReview', 'returnToEntry', 'returnToScan']);
    expect(allowedActions(book({ stage: 'review' }), clerk)).toEqual([]);
    // Entry, Scan and Reconciliation complete by themselves (system transitions): nobody may take them.
    expect(allowedActions(book(), clerk)).toEqual([]);
    expect(allowedActions(book({ stage: 'reconciliation' }), { ...clerk, role: 'commune_police' })).toEqual([]);
  });

  it('nothing while a decision is on its way, while no token is parked, or after a failure', () => {
    const inReview = { stage: 'review' as const };
    expect(allowedActions(book({ ...inReview, pendingAction: { action: 'passReview', by: officer, at: 'now' } }), officer)).toEqual([]);
    expect(allowedActions(book({ ...inReview, taskToken: undefined }), officer)).toEqual([]);
    expect(allowedActions(book({ ...inReview, failure: { error: 'E', cause: 'c', at: 'now' } }), officer)).toEqual([]);
  });

  it('startDigitisation only once, before any execution', () => {
    expect(allowedActions(book({ stage: 'inventory', executionArn: undefined, taskToken: undefined }), officer)).toEqual(['startDigitisation']);
    expect(allowedActions(book({ stage: 'inventory', taskToken: undefined }), officer)).toEqual([]);
  });

  it('the view hides the task token', () => {
    expect(toBookView(book(), clerk)).not.toHaveProperty('taskToken');
  });

  it('a book outside the caller’s units is not found', () => {
    const other: Principal = { ...officer, unit: '90102' };
    expect(() => assertVisible(book(), other, demoUnits)).toThrow(NotFound);
    expect(() => assertVisible(book(), { ...officer, unit: '901' }, demoUnits)).not.toThrow();
  });
});
