/**
 * Ranking of peer units (domain §8: the district ranks communes, the province its districts and
 * communes, the Ministry the provinces). Order: % complete by records, then % complete by books,
 * both descending. Units equal on both share a rank and the next rank is skipped (1, 1, 3), the
 * usual "standard competition" ranking of emulation tables; equal units are listed by code.
 */
export interface Rankable {
  unitCode: string;
  percentRecords: number;
  percentBooks: number;
}

/** Comparison used for ranking: negative when `a` ranks before `b`. */
export function compareProgress(a: Rankable, b: Rankable): number {
  return b.percentRecords - a.percentRecords || b.percentBooks - a.percentBooks;
}

/** The units sorted by rank, each with its `rank` (1 = best). Does not modify the input. */
export function rankUnits<T extends Rankable>(units: readonly T[]): (T & { rank: number })[] {
  const sorted = [...units].sort((a, b) => compareProgress(a, b) || a.unitCode.localeCompare(b.unitCode));
  const ranked: (T & { rank: number })[] = [];
  sorted.forEach((u, i) => {
    const prev = ranked[i - 1];
    const rank = prev && compareProgress(prev, u) === 0 ? prev.rank : i + 1;
    ranked.push({ ...u, rank });
  });
  return ranked;
}
