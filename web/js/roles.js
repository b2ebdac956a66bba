/** What each role sees: navigation entries, the page it starts on, what it may do in the pages. */

/** Navigation entries per role. */
export const navItems = [
  {
    path: '/so',
    title: 'Sổ hộ tịch',
    roles: ['entry_clerk', 'scan_contractor', 'commune_officer', 'commune_police', 'district_viewer', 'province_viewer', 'ops', 'admin'],
  },
  { path: '/tai-len', title: 'Tải lên', roles: ['entry_clerk', 'scan_contractor', 'commune_officer'] },
  { path: '/kiem-tra', title: 'Kiểm tra, phê duyệt', roles: ['commune_officer', 'district_viewer', 'province_viewer'] },
  { path: '/van-hanh', title: 'Vận hành', roles: ['ops'] },
];

/** Where a role starts after signing in. @param {string} role */
export function homeOf(role) {
  if (role === 'ops') return '#/van-hanh';
  if (role === 'entry_clerk' || role === 'scan_contractor') return '#/tai-len';
  return '#/so';
}

/** Upload kinds a role may send (shared/use-cases/uploads.ts `uploaders`). @type {Record<string, ('entry' | 'scans')[]>} */
export const uploadKindsOf = {
  entry_clerk: ['entry'],
  scan_contractor: ['scans'],
  commune_officer: ['entry', 'scans'],
};

/** Roles that may read records (functions/routes.ts `recordReaders`). */
export const recordReaders = ['entry_clerk', 'commune_officer', 'commune_police'];

/** Roles that may read a book's entry check report (functions/routes.ts `EntryReport`). */
export const entryReportReaders = ['entry_clerk', 'commune_officer'];

/** Roles that may read a book's scan report. */
export const scanReportReaders = ['scan_contractor', 'commune_officer', 'entry_clerk'];
