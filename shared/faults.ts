/**
 * Test-only fault hook (issue 9): makes a processing step fail at a named point, once, so tests can
 * prove that the retries the platform does (SQS redelivery of the S3 event) end in the same state as
 * a clean run.
 *
 * Switched on only by `FAULT_PLAN_FILE`, which `getConfig` refuses outside the `local` and `test`
 * stages and which CDK never sets; without it `faultPoint` returns at once. The plan file is JSON
 * written by the test: `{ "id", "scope", "point", "hit" }` — fail the `hit`-th time `point` is reached
 * for `scope` (the request id, e.g. `upload:<uploadId>`). A plan fires once per process; each firing
 * is appended to `<plan file>.fired` (one JSON line) so the test counts faults actually injected.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { getConfig } from './config.js';

/** Where ingestion can be made to fail, in the order a run reaches them. */
export const faultPoints = [
  'upload.received',
  'upload.receipt-recorded',
  'entry.validated',
  'entry.batch-written',
  'entry.records-written',
  'entry.audited',
  'entry.book-updated',
  'entry.report-written',
  'action.recorded',
  'action.audited',
  'action.handed-over',
  'upload.processed',
] as const;
export type FaultPoint = (typeof faultPoints)[number];

export const FaultPlan = z.object({ id: z.string(), scope: z.string(), point: z.enum(faultPoints), hit: z.number().int().positive() });
export type FaultPlan = z.infer<typeof FaultPlan>;

/** What an injected fault throws: an unexpected error, as a crashed dependency would surface. */
export class InjectedFault extends Error {
  override name = 'InjectedFault';
}

const fired = new Set<string>();
const hits = new Map<string, number>();

/** @throws InjectedFault when the active plan says this is the place to fail. */
export function faultPoint(point: FaultPoint, scope: string): void {
  const file = getConfig().FAULT_PLAN_FILE;
  if (!file || !existsSync(file)) return;
  const plan = FaultPlan.parse(JSON.parse(readFileSync(file, 'utf8')));
  if (plan.scope !== scope || plan.point !== point || fired.has(plan.id)) return;
  const n = (hits.get(plan.id) ?? 0) + 1;
  hits.set(plan.id, n);
  if (n < plan.hit) return;
  fired.add(plan.id);
  appendFileSync(`${file}.fired`, `${JSON.stringify({ ...plan, at: new Date().toISOString() })}\n`);
  throw new InjectedFault(`Injected fault at ${point} (#${n})`);
}
