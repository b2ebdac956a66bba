/** Given-when-then steps for walking a book through its stages over HTTP. */
import { expect } from 'vitest';
import { asUser, newBookInventory, waitFor } from './api-client.js';

type Client = Awaited<ReturnType<typeof asUser>>;

export async function createBook(officer: Client, overrides: Record<string, unknown> = {}) {
  const r = await officer.post('/books', newBookInventory(overrides));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.bookId as string;
}

/** Waits until the workflow has parked in `stage` and is ready for a decision. */
export async function waitForStage(c: Client, bookId: string, stage: string, ms = 20_000) {
  return waitFor(async () => {
    const r = await c.get(`/books/${bookId}`);
    return r.status === 200 && r.body.stage === stage && (stage === 'completed' || r.body.waiting) ? r.body : undefined;
  }, `${bookId} in ${stage}`, ms);
}

export async function act(c: Client, bookId: string, action: string, reason?: string) {
  const r = await c.post(`/books/${bookId}/actions`, { action, ...(reason ? { reason } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body;
}

export async function actors() {
  const [officer, officer2, clerk, contractor, police, ops, otherOfficer, district] = await Promise.all(
    ['hotich.binhan', 'hotich2.binhan', 'nhaplieu.binhan', 'scan.binhan', 'congan.binhan', 'vanhanh', 'hotich.binhthanh', 'tuphap.binhminh'].map((u) => asUser(u)),
  );
  return { officer: officer!, officer2: officer2!, clerk: clerk!, contractor: contractor!, police: police!, ops: ops!, otherOfficer: otherOfficer!, district: district! };
}
