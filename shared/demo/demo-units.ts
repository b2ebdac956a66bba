import type { Unit } from '../units/unit.js';

/**
 * Demo administrative structure (fictional names and codes). Pre-2025: one province, two
 * districts, six communes. On 1/7/2025 the district tier is abolished and the six communes are
 * merged pairwise into three new communes directly under the province.
 */
const PRE = '2000-01-01';
const CUT_END = '2025-06-30';
const POST = '2025-07-01';

export const demoUnits: Unit[] = [
  { code: 'VN', name: 'Việt Nam', level: 'national', parent: null, validFrom: PRE, validTo: null, successor: null },
  { code: '90', name: 'Tỉnh An Hòa', level: 'province', parent: 'VN', validFrom: PRE, validTo: null, successor: null },
  { code: '901', name: 'Huyện Bình Minh', level: 'district', parent: '90', validFrom: PRE, validTo: CUT_END, successor: null },
  { code: '902', name: 'Huyện Phú Lộc', level: 'district', parent: '90', validFrom: PRE, validTo: CUT_END, successor: null },
  { code: '90101', name: 'Xã Bình An', level: 'commune', parent: '901', validFrom: PRE, validTo: CUT_END, successor: '90701' },
  { code: '90102', name: 'Xã Bình Thạnh', level: 'commune', parent: '901', validFrom: PRE, validTo: CUT_END, successor: '90701' },
  { code: '90103', name: 'Xã Tân Hòa', level: 'commune', parent: '901', validFrom: PRE, validTo: CUT_END, successor: '90702' },
  { code: '90201', name: 'Xã Phú Mỹ', level: 'commune', parent: '902', validFrom: PRE, validTo: CUT_END, successor: '90702' },
  { code: '90202', name: 'Xã Lộc Điền', level: 'commune', parent: '902', validFrom: PRE, validTo: CUT_END, successor: '90703' },
  { code: '90203', name: 'Xã Lộc Thủy', level: 'commune', parent: '902', validFrom: PRE, validTo: CUT_END, successor: '90703' },
  { code: '90701', name: 'Xã Bình Minh', level: 'commune', parent: '90', validFrom: POST, validTo: null, successor: null },
  { code: '90702', name: 'Xã Tân Phú', level: 'commune', parent: '90', validFrom: POST, validTo: null, successor: null },
  { code: '90703', name: 'Xã Lộc An', level: 'commune', parent: '90', validFrom: POST, validTo: null, successor: null },
];
