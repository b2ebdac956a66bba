/**
 * Blocking: which extract entries are scored against a record at all. Every entry is filed once,
 * at index time, under a few keys; a record looks up the keys it could share with its person and
 * scores the union. Each key survives a different kind of error, so a person is missed only when
 * every key is broken at once. Keys use the diacritics-insensitive forms of `normalise.ts`.
 *
 * | key                                   | finds the person despite                                  |
 * |---------------------------------------|-----------------------------------------------------------|
 * | full name + birth year ± t            | wrong day/month, year off by ≤ t                            |
 * | full name                             | any date error (skipped when the block is large)            |
 * | full date of birth + given initial    | any change in surname or middle name, typos after the initial |
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
  /**
   * Full-name blocks (any year) larger than this are skipped: a name that common cannot identify a
   * person whose year is wrong anyway, and the parents' keys still find them. Default 30.
   */
  maxNameBlock: number;
  /** Any other block larger than this is skipped (a safety valve; identity-card blocks never are). Default 2000. */
  maxBlockSize: number;
}

export const DEFAULT_BLOCKING: BlockingOptions = { yearTolerance: 1, maxNameBlock: 30, maxBlockSize: 2000 };

/** Key kinds, as in the table above. */
export type KeyKind = 'f' | 'n' | 'd' | 'p' | 'm' | 'c';

/** Receives keys as parts, so the index can hash them without building strings. */
interface KeySink {
  key(kind: KeyKind, a: string, b?: string | number, c?: number): void;
}

/** Files an extract entry: each key it is filed under goes to `sink`. */
function fileEntry(e: PersonFeatures, sink: KeySink): void {
  const year = e.dob?.year;
  const { given, key } = e.name;
  if (key !== '') {
    sink.key('f', key);
    if (year !== undefined) sink.key('n', key, year);
    if (e.dobText !== undefined && e.dob?.day !== undefined) sink.key('d', e.dobText, given[0] ?? '');
  }
  if (year !== undefined) {
    if (e.father) sink.key('p', e.father.key, year);
    if (e.mother) sink.key('m', e.mother.key, year);
  }
  if (e.card !== undefined) sink.key('c', e.card);
  sink.key('c', e.idNumber);
}

/** The keys a book record looks up: its own keys, widened by the year tolerance and the swapped-date variant. */
function lookups(r: PersonFeatures, opts: BlockingOptions, sink: KeySink): void {
  const year = r.dob?.year;
  const lo = year === undefined ? 1 : year - opts.yearTolerance;
  const hi = year === undefined ? 0 : year + opts.yearTolerance;
  const { given, key } = r.name;
  if (key !== '') {
    sink.key('f', key);
    for (let y = lo; y <= hi; y++) sink.key('n', key, y);
    const dob = r.dob;
    if (dob?.day !== undefined && dob.month !== undefined && r.dobText !== undefined) {
      sink.key('d', r.dobText, given[0] ?? '');
      if (dob.day <= 12 && dob.day !== dob.month) sink.key('d', formatPartialDate({ year: dob.year, month: dob.day, day: dob.month }), given[0] ?? '');
    }
  }
  for (let y = lo; y <= hi; y++) {
    if (r.father) sink.key('p', r.father.key, y);
    if (r.mother) sink.key('m', r.mother.key, y);
  }
  if (r.card !== undefined) sink.key('c', r.card);
}

class StringSink implements KeySink {
  readonly keys: string[] = [];
  key(kind: KeyKind, a: string, b?: string | number, c?: number): void {
    this.keys.push([kind, a, ...(b === undefined ? [] : [b]), ...(c === undefined ? [] : [c])].join('|'));
  }
}

/** Readable keys an extract entry is filed under (for tests and diagnostics; the index hashes them). */
export function entryKeys(e: PersonFeatures): string[] {
  const sink = new StringSink();
  fileEntry(e, sink);
  return sink.keys;
}

/** Readable keys a book record looks up. */
export function queryKeys(r: PersonFeatures, opts: BlockingOptions = DEFAULT_BLOCKING): string[] {
  const sink = new StringSink();
  lookups(r, opts, sink);
  return sink.keys;
}

// FNV-1a, 32 bits. Two different keys may share a hash (a few dozen among a million keys): their
// blocks merge, which only adds candidates for the scorer to reject.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mixString(h: number, s: string): number {
  let x = h;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), FNV_PRIME);
  return Math.imul(x ^ 0x7c, FNV_PRIME); // separator
}

function mixNumber(h: number, n: number): number {
  const x = Math.imul(h ^ (n & 0xffff), FNV_PRIME);
  return Math.imul(x ^ (n >>> 16), FNV_PRIME);
}

export function hashKey(kind: KeyKind, a: string, b?: string | number, c?: number): number {
  let h = Math.imul(FNV_OFFSET ^ kind.charCodeAt(0), FNV_PRIME);
  h = mixString(h, a);
  if (typeof b === 'string') h = mixString(h, b);
  else if (b !== undefined) h = mixNumber(h, b);
  if (c !== undefined) h = mixNumber(h, c);
  return h >>> 0;
}

/** Most keys an entry can be filed under (f, n, d, p, m, card, ID). */
const MAX_KEYS_PER_ENTRY = 7;

/**
 * The inverted index, built once: key hash → positions of the entries filed under it, stored as one
 * open-addressing table over flat typed arrays (no per-key objects: a 300,000-entry extract has
 * about 1.5 million keys).
 */
export class BlockIndex {
  private readonly opts: BlockingOptions;
  private readonly mask: number;
  /** Hash of the key in each table cell. */
  private readonly cellHash: Uint32Array;
  /** Block id of each table cell, -1 when empty. */
  private readonly cellBlock: Int32Array;
  /** Postings of block b are `postings[start[b] .. start[b + 1])`. */
  private readonly start: Int32Array;
  private readonly postings: Int32Array;
  private readonly kindOf: Uint8Array;
  readonly blockCount: number;
  /** Query-time marks: `seen[i] === stamp` when entry i is already a candidate of the current record. */
  private readonly seen: Uint32Array;
  private stamp = 0;

  constructor(entries: readonly PersonFeatures[], opts: BlockingOptions) {
    this.opts = opts;
    this.seen = new Uint32Array(entries.length);
    // 1. Every (key, entry) pair.
    const pairHash = new Uint32Array(entries.length * MAX_KEYS_PER_ENTRY);
    const pairKind = new Uint8Array(pairHash.length);
    const pairEntry = new Int32Array(pairHash.length);
    let pairs = 0;
    let current = 0;
    const sink: KeySink = {
      key(kind, a, b, c) {
        pairHash[pairs] = hashKey(kind, a, b, c);
        pairKind[pairs] = kind.charCodeAt(0);
        pairEntry[pairs] = current;
        pairs++;
      },
    };
    for (current = 0; current < entries.length; current++) fileEntry(entries[current]!, sink);
    // 2. One table cell per distinct hash; count the postings of each block.
    let size = 1;
    while (size < pairs * 2) size *= 2;
    this.mask = size - 1;
    this.cellHash = new Uint32Array(size);
    this.cellBlock = new Int32Array(size).fill(-1);
    const pairBlock = new Int32Array(pairs);
    const counts = new Int32Array(pairs + 1);
    const kinds = new Uint8Array(pairs);
    let blocks = 0;
    for (let p = 0; p < pairs; p++) {
      const cell = this.cellOf(pairHash[p]!);
      let b = this.cellBlock[cell]!;
      if (b < 0) {
        b = blocks++;
        this.cellBlock[cell] = b;
        this.cellHash[cell] = pairHash[p]!;
        kinds[b] = pairKind[p]!;
      }
      pairBlock[p] = b;
      counts[b]!++;
    }
    this.blockCount = blocks;
    this.kindOf = kinds.slice(0, blocks);
    // 3. Postings, block by block, entries in order.
    this.start = new Int32Array(blocks + 1);
    for (let b = 0; b < blocks; b++) this.start[b + 1] = this.start[b]! + counts[b]!;
    const cursor = this.start.slice(0, blocks);
    this.postings = new Int32Array(pairs);
    for (let p = 0; p < pairs; p++) this.postings[cursor[pairBlock[p]!]!++] = pairEntry[p]!;
  }

  /** The table cell holding `hash`, or the empty cell where it would go (linear probing). */
  private cellOf(hash: number): number {
    let cell = (Math.imul(hash, 0x9e3779b1) >>> 0) & this.mask;
    while (this.cellBlock[cell] !== -1 && this.cellHash[cell] !== hash) cell = (cell + 1) & this.mask;
    return cell;
  }

  /** The largest block's size (a diagnostic for tuning the limits). */
  largestBlock(): number {
    let max = 0;
    for (let b = 0; b < this.blockCount; b++) max = Math.max(max, this.start[b + 1]! - this.start[b]!);
    return max;
  }

  private out = new Int32Array(1024);
  private count = 0;
  /** Receives each looked-up key: appends the entries of its block not seen yet for this record. */
  private readonly collect: KeySink = {
    key: (kind, a, b, c) => {
      const block = this.cellBlock[this.cellOf(hashKey(kind, a, b, c))]!;
      if (block < 0) return;
      const from = this.start[block]!;
      const to = this.start[block + 1]!;
      const k = this.kindOf[block]!;
      if (k === F_KEY ? to - from > this.opts.maxNameBlock : k !== C_KEY && to - from > this.opts.maxBlockSize) return;
      if (this.count + (to - from) > this.out.length) {
        const bigger = new Int32Array(Math.max(this.out.length * 2, this.count + (to - from)));
        bigger.set(this.out.subarray(0, this.count));
        this.out = bigger;
      }
      for (let i = from; i < to; i++) {
        const e = this.postings[i]!;
        if (this.seen[e] !== this.stamp) {
          this.seen[e] = this.stamp;
          this.out[this.count++] = e;
        }
      }
    },
  };

  /**
   * Positions of the entries sharing at least one key with the record, each once. The array is a
   * view on a buffer reused by the next call: read it before asking again.
   */
  candidates(r: PersonFeatures): Int32Array {
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    this.count = 0;
    lookups(r, this.opts, this.collect);
    return this.out.subarray(0, this.count);
  }
}

const F_KEY = 'f'.charCodeAt(0);
const C_KEY = 'c'.charCodeAt(0);
