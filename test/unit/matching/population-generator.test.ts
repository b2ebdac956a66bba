import { describe, expect, it } from 'vitest';
import { PersonToMatch, PopulationEntry } from '../../../shared/matching/engine.js';
import { generateDataset, Rng, stripDiacritics, toTelex } from '../../bench/population-generator.js';

describe('synthetic population generator', () => {
  const data = generateDataset({ seed: 42, extractSize: 20_000, records: 5_000 });

  it('is deterministic: same seed, same data; another seed, other data', () => {
    const again = generateDataset({ seed: 42, extractSize: 20_000, records: 5_000 });
    expect(again.extract).toEqual(data.extract);
    expect(again.records).toEqual(data.records);
    const other = generateDataset({ seed: 43, extractSize: 2_000, records: 500 });
    expect(other.extract.slice(0, 50)).not.toEqual(data.extract.slice(0, 50));
    const a = new Rng(1);
    const b = new Rng(1);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('produces an extract of the exact size with unique IDs, and valid records with ground truth', () => {
    expect(data.extract).toHaveLength(20_000);
    expect(new Set(data.extract.map((e) => e.idNumber)).size).toBe(20_000);
    for (const e of data.extract) expect(PopulationEntry.safeParse(e).success).toBe(true);
    for (const r of data.records) expect(PersonToMatch.safeParse(r).success).toBe(true);
    const ids = new Set(data.extract.map((e) => e.idNumber));
    for (const r of data.records) {
      const truth = data.truth.get(r.recordKey);
      expect(truth === null || ids.has(truth!)).toBe(true);
    }
  });

  it('has realistic name frequencies: Nguyễn ≈ 38 %, Trần ≈ 11 %, Văn for men and Thị for women common', () => {
    const share = (pred: (e: PopulationEntry) => boolean, of = data.extract) => of.filter(pred).length / of.length;
    expect(share((e) => e.fullName.startsWith('Nguyễn '))).toBeGreaterThan(0.34);
    expect(share((e) => e.fullName.startsWith('Nguyễn '))).toBeLessThan(0.42);
    expect(share((e) => e.fullName.startsWith('Trần '))).toBeGreaterThan(0.09);
    const men = data.extract.filter((e) => e.sex === 1);
    const women = data.extract.filter((e) => e.sex === 2);
    expect(share((e) => e.fullName.includes(' Văn '), men)).toBeGreaterThan(0.3);
    expect(share((e) => e.fullName.includes(' Thị '), women)).toBeGreaterThan(0.4);
  });

  it('applies the documented noise: absent persons, dropped diacritics, swapped dates, twins, namesakes', () => {
    const tags = [...data.noise.values()].flat();
    const count = (t: string) => tags.filter((x) => x === t).length;
    const absent = [...data.truth.values()].filter((t) => t === null).length / data.records.length;
    expect(absent).toBeGreaterThan(0.06);
    expect(absent).toBeLessThan(0.1);
    expect(count('dropDiacritics') / data.records.length).toBeGreaterThan(0.12);
    expect(count('swapDayMonth')).toBeGreaterThan(0);
    expect(count('twin')).toBeGreaterThan(0);
    expect(count('namesakeInExtract')).toBeGreaterThan(0);
    const swapped = data.records.find((r) => data.noise.get(r.recordKey)!.includes('swapDayMonth'))!;
    const entry = data.extract.find((e) => e.idNumber === data.truth.get(swapped.recordKey));
    if (entry?.dateOfBirth?.length === 10) {
      const [d, m, y] = swapped.dateOfBirth!.split('.');
      expect(entry.dateOfBirth).toBe(`${m}.${d}.${y}`);
    }
  });

  it('text noise helpers', () => {
    expect(stripDiacritics('Đặng Thị Ánh')).toBe('Dang Thi Anh');
    expect(toTelex('Nguyễn')).toBe('Nguyeenx');
    expect(toTelex('Đức')).toBe('Dduwcs');
  });
});
