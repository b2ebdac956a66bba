import type { Campaign } from '../../../shared/reports/forecast.js';
import { type CommuneSnapshot, emptyFigures, type Figures, type ReconciliationFigures } from '../../../shared/reports/snapshot.js';
import { reportTimeOf } from '../../../shared/reports/week.js';
import type { Stage } from '../../../shared/workflow/stages.js';

/** Test data builders for the weekly-report tests (pure, no I/O). */

export const campaign2024: Campaign = { name: 'Chiến dịch số hóa 2024', target: '2024-09-30', deadline: '2024-12-31', scope: 'completed' };

export interface FigureSpec {
  byStage?: Partial<Record<Stage, number>>;
  stalled?: number;
  records?: Partial<Figures['records']>;
  reconciliation?: Partial<ReconciliationFigures>;
  quality?: Figures['quality'];
}

/** Figures whose sub-totals add up (total and completed derived from byStage). */
export function figures(spec: FigureSpec = {}): Figures {
  const f = emptyFigures();
  for (const [s, n] of Object.entries(spec.byStage ?? {}) as [Stage, number][]) f.books.byStage[s] = n;
  f.books.total = Object.values(f.books.byStage).reduce((a, b) => a + b, 0);
  f.books.completed = f.books.byStage.completed;
  f.books.stalled = spec.stalled ?? 0;
  f.records = { ...f.records, ...spec.records };
  f.reconciliation = { ...f.reconciliation, ...spec.reconciliation };
  if (spec.quality) f.quality = spec.quality;
  return f;
}

export function snapshot(week: string, unitCode: string, spec: FigureSpec = {}): CommuneSnapshot {
  return { week, unitCode, takenAt: reportTimeOf(week).toISOString(), ...figures(spec) };
}

/**
 * A commune progressing steadily: `perWeek` records reach completion every week, starting from
 * `start` completed records, with `expected` in total. The pipeline stays monotone.
 */
export function steadySeries(
  unitCode: string,
  weeks: readonly string[],
  o: { expected: number; start: number; perWeek: number; books?: number },
): CommuneSnapshot[] {
  const books = o.books ?? 10;
  return weeks.map((week, i) => {
    const done = Math.min(o.expected, o.start + i * o.perWeek);
    const completedBooks = Math.floor((books * done) / o.expected);
    return snapshot(week, unitCode, {
      byStage: { completed: completedBooks, entry: books - completedBooks },
      records: { expected: o.expected, entered: o.expected, scanned: o.expected, reviewed: done, approved: done, reconciled: done },
    });
  });
}
