import { describe, expect, it } from 'vitest';
import { demoUnits } from '../../shared/demo/demo-units.js';
import { communesInScope, unitsInScope, unitsValidOn } from '../../shared/units/unit.js';

describe('administrative units, versioned', () => {
  it('pre-2025: one province, two districts, six communes', () => {
    const pre = unitsValidOn(demoUnits, '2024-12-31');
    expect(pre.filter((u) => u.level === 'province')).toHaveLength(1);
    expect(pre.filter((u) => u.level === 'district')).toHaveLength(2);
    expect(pre.filter((u) => u.level === 'commune')).toHaveLength(6);
  });

  it('post-2025: no district tier, communes directly under the province, each old commune has a successor', () => {
    const post = unitsValidOn(demoUnits, '2025-07-01');
    expect(post.filter((u) => u.level === 'district')).toHaveLength(0);
    expect(post.filter((u) => u.level === 'commune').every((u) => u.parent === '90')).toBe(true);
    for (const old of demoUnits.filter((u) => u.level === 'commune' && u.validTo === '2025-06-30')) {
      expect(post.map((u) => u.code)).toContain(old.successor);
    }
  });

  it('a district sees its own communes only', () => {
    expect(communesInScope(demoUnits, '901')).toEqual(['90101', '90102', '90103']);
  });

  it('a merged commune sees the books of the communes merged into it', () => {
    expect(communesInScope(demoUnits, '90701')).toEqual(['90101', '90102', '90701']);
    expect(unitsInScope(demoUnits, '90101').has('90102')).toBe(false);
  });

  it('the province and the national scope see everything below', () => {
    expect(communesInScope(demoUnits, '90')).toHaveLength(9);
    expect(unitsInScope(demoUnits, 'VN').size).toBe(demoUnits.length);
  });
});
