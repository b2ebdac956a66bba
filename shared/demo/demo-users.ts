import type { DemoUser } from '../users/user.js';

/** Demo users for the local runtime: one per role, scoped to the demo units (see demo-units.ts). */
export const demoUsers: DemoUser[] = [
  { userId: 'u-clerk-1', username: 'nhaplieu.binhan', email: 'nhaplieu.binhan@demo.hotich.vn', role: 'entry_clerk', unit: '90101', displayName: 'Tổ số hóa Xã Bình An' },
  { userId: 'u-scan-1', username: 'scan.binhan', email: 'scan.binhan@demo.hotich.vn', role: 'scan_contractor', unit: '90101', displayName: 'Nhà thầu scan (Xã Bình An)' },
  { userId: 'u-officer-1', username: 'hotich.binhan', email: 'hotich.binhan@demo.hotich.vn', role: 'commune_officer', unit: '90101', displayName: 'Công chức Hộ tịch Xã Bình An' },
  { userId: 'u-officer-2', username: 'hotich2.binhan', email: 'hotich2.binhan@demo.hotich.vn', role: 'commune_officer', unit: '90101', displayName: 'Công chức Hộ tịch 2 Xã Bình An' },
  { userId: 'u-officer-3', username: 'hotich.binhthanh', email: 'hotich.binhthanh@demo.hotich.vn', role: 'commune_officer', unit: '90102', displayName: 'Công chức Hộ tịch Xã Bình Thạnh' },
  { userId: 'u-police-1', username: 'congan.binhan', email: 'congan.binhan@demo.hotich.vn', role: 'commune_police', unit: '90101', displayName: 'Công an Xã Bình An' },
  { userId: 'u-district-1', username: 'tuphap.binhminh', email: 'tuphap.binhminh@demo.hotich.vn', role: 'district_viewer', unit: '901', displayName: 'Phòng Tư pháp Huyện Bình Minh' },
  { userId: 'u-province-1', username: 'sotuphap.anhoa', email: 'sotuphap.anhoa@demo.hotich.vn', role: 'province_viewer', unit: '90', displayName: 'Sở Tư pháp Tỉnh An Hòa' },
  { userId: 'u-ops-1', username: 'vanhanh', email: 'vanhanh@demo.hotich.vn', role: 'ops', unit: 'VN', displayName: 'Vận hành' },
  { userId: 'u-admin-1', username: 'quantri', email: 'quantri@demo.hotich.vn', role: 'admin', unit: 'VN', displayName: 'Quản trị' },
];
