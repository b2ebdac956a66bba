/**
 * Blocking: which extract entries are scored against a record at all. Every entry is filed once,
 * at index time, under a few keys; a record looks up the keys it could share with its person and
 * scores the union. Each key survives a different kind of error, so a person is missed only when
 * every key is broken at once. Keys use the diacritics-insensitive forms of `normalise.ts`.
 *
 * | key                                   | finds the person despite                                  |
 * |---------------------------------------|-----------------------------------------------------------|
 * | surname + given name + birth year ± t | middle-name changes, wrong day/month, year off by ≤ t       |
 * | full name                             | any date error (skipped when the block is huge)            |
 * | full date of birth + given initial    | typos in surname, middle or given name (after the initial) |
 * | father's full name + birth year ± t   | any error in the person's own name                         |
 * | mother's full name + birth year ± t   | the same, when the father is missing or misspelt           |
 * | identity card / personal ID number    | everything else                                            |
 *
 * Pure, no I/O.
 */
import { formatPartialDate } from './compare.js';
import type { PersonFeatures } from './model.js';

export interface BlockingOptions {
  /** Birth years within ± this many years share a block. Default 1. */
  yearTolerance: number;
  /** Blocks larger than this are skipped at query time (a very common full name across all years). Default 400. */
  maxBlockSize: number;
}

export const DEFAULT_BLOCKING: BlockingOptions = { yearTolerance: 1, maxBlockSize: 400 };

/** Keys an extract entry is filed under. */
export function entryKeys(e: PersonFeatures): string[] {
  const keys: string[] = [];
  const year = e.dob?.year;
  const { surname, given, key } = e.name;
  if (key !== '') {
    keys.push(`f|${key}`);
    if (year !== undefined) keys.push(`n|${surname}|${given}|${year}`);
    if (e.dobText !== undefined && e.dob?.day !== undefined) keys.push(`d|${e.dobText}|${given[0] ?? ''}`);
  }
  if (year !== undefined) {
    if (e.father) keys.push(`p|${e.father.key}|${year}`);
    if (e.mother) keys.push(`m|${e.mother.key}|${year}`);
  }
  if (e.card !== undefined) keys.push(`c|${e.card}`);
  keys.push(`c|${e.idNumber}`);
  return keys;
}

/** Keys a book record looks up: its own keys, widened by the year tolerance and the swapped-date variant. */
export function queryKeys(r: PersonFeatures, opts: BlockingOptions): string[] {
  const keys: string[] = [];
  const year = r.dob?.year;
  const years: number[] = [];
  if (year !== undefined) for (let d = -opts.yearTolerance; d <= opts.yearTolerance; d++) years.push(year + d);
  const { surname, given, key } = r.name;
  if (key !== '') {
    keys.push(`f|${key}`);
    for (const y of years) keys.push(`n|${surname}|${given}|${y}`);
    const dob = r.dob;
    if (dob?.day !== undefined && dob.month !== undefined) {
      keys.push(`d|${r.dobText}|${given[0] ?? ''}`);
      if (dob.day <= 12 && dob.day !== dob.month) {
        keys.push(`d|${formatPartialDate({ year: dob.year, month: dob.day, day: dob.month })}|${given[0] ?? ''}`);
      }
    }
  }
  for (const y of years) {
    if (r.father) keys.push(`p|${r.father.key}|${y}`);
    if (r.mother) keys.push(`m|${r.mother.key}|${y}`);
  }
  if (r.card !== undefined) keys.push(`c|${r.card}`);
  return keys;
}

/** The inverted index: key → positions of the entries filed under it. */
export class BlockIndex {
  private readonly blocks = new Map<string, number[]>();
  private readonly opts: BlockingOptions;
  /** Query-time marks: `seen[i] === stamp` when entry i is already a candidate of the current record. */
  private seen: Uint32Array;
  private stamp = 0;

  constructor(entries: readonly PersonFeatures[], opts: BlockingOptions) {
    this.opts = opts;
    this.seen = new Uint32Array(entries.length);
    entries.forEach((e, i) => {
      for (const k of entryKeys(e)) {
        const block = this.blocks.get(k);
        if (block) {
          if (block.at(-1) !== i) block.push(i);
        } else this.blocks.set(k, [i]);
      }
    });
  }

  get blockCount(): number {
    return this.blocks.size;
  }

  /** The largest block's size (a diagnostic for tuning `maxBlockSize`). */
  largestBlock(): number {
    let max = 0;
    for (const b of this.blocks.values()) max = Math.max(max, b.length);
    return max;
  }

  /** Positions of the entries sharing at least one key with the record, each once. Not re-entrant. */
  candidates(r: PersonFeatures): number[] {
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const out: number[] = [];
    for (const k of queryKeys(r, this.opts)) {
      const block = this.blocks.get(k);
      if (!block || (block.length > this.opts.maxBlockSize && !k.startsWith('c|'))) continue;
      for (const i of block) {
        if (this.seen[i] !== this.stamp) {
          this.seen[i] = this.stamp;
          out.push(i);
        }
      }
    }
    return out;
  }
}
