import { describe, expect, it } from 'vitest';
import { compareCards, compareDates, compareSex, compareYears, nameLevel } from '../../../shared/matching/compare.js';
import { featurise, type NameCache } from '../../../shared/matching/model.js';
import { CardLevel, DateLevel, NameLevel, SexLevel, YearLevel } from '../../../shared/matching/compare.js';
import { cardLevel, dateLevel, EntryTable, NameTable, rowOf, sexLevel, yearLevel } from '../../../shared/matching/table.js';
import { generateDataset } from '../../bench/population-generator.js';

describe('columnar comparisons agree with the reference comparisons', () => {
  it('on noisy records against entries sharing a name, a date or a family (generated data)', () => {
    const data = generateDataset({ seed: 99, extractSize: 3000, records: 800 });
    const cache: NameCache = new Map();
    const names = new NameTable();
    const entries = data.extract.map((e) => featurise(e, cache));
    const table = new EntryTable(entries, names);
    const byTruth = new Map(data.extract.map((e, i) => [e.idNumber, i]));
    let compared = 0;
    for (const record of data.records) {
      const r = featurise(record, cache);
      const row = rowOf(r, names);
      // The record's own entry (most levels agree) and a few others (most differ).
      const own = byTruth.get(data.truth.get(record.recordKey) ?? '');
      const others = [own, (compared * 7919) % entries.length, (compared * 104729) % entries.length].filter((i): i is number => i !== undefined);
      for (const i of others) {
        const e = entries[i]!;
        expect(NameLevel[names.level(row.name, table.name[i]!)]).toBe(nameLevel(r.name, e.name));
        expect(NameLevel[names.level(row.father, table.father[i]!)]).toBe(r.father && e.father ? nameLevel(r.father, e.father) : 'missing');
        expect(DateLevel[dateLevel(row, table, i)]).toBe(compareDates(r.dob, e.dob));
        expect(SexLevel[sexLevel(row, table, i)]).toBe(compareSex(r.sex, e.sex));
        expect(YearLevel[yearLevel(row.motherYear, table.motherYear[i]!)]).toBe(compareYears(r.motherYear, e.motherYear));
        expect(CardLevel[cardLevel(row, table, i)]).toBe(compareCards(r.card, e.card, e.idNumber));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });
});
