import { z } from 'zod';

/** Roles, one per user. Vietnamese titles are for pages and docs. */
export const Role = z.enum([
  'entry_clerk',
  'scan_contractor',
  'commune_officer',
  'commune_police',
  'district_viewer',
  'province_viewer',
  'ops',
  'admin',
]);
export type Role = z.infer<typeof Role>;

export const roleTitles: Record<Role, string> = {
  entry_clerk: 'Cán bộ nhập liệu (Tổ số hóa)',
  scan_contractor: 'Đơn vị scan (nhà thầu)',
  commune_officer: 'Công chức Tư pháp – Hộ tịch',
  commune_police: 'Công an xã',
  district_viewer: 'Phòng Tư pháp cấp huyện',
  province_viewer: 'Sở Tư pháp',
  ops: 'Vận hành hệ thống',
  admin: 'Quản trị',
};

/** The authenticated caller, built from verified JWT claims. Never contains personal data. */
export const Principal = z.object({
  userId: z.string().min(1),
  username: z.string().min(1),
  role: Role,
  unit: z.string().min(1),
  /** Where notifications go (the `email` claim); optional. */
  email: z.email().optional(),
});
export type Principal = z.infer<typeof Principal>;

/** Workflow steps and schedulers act as this principal in the audit trail. */
export const systemPrincipal: Principal = { userId: 'system', username: 'system', role: 'ops', unit: 'VN' };

/** Demo user shape (local runtime only). */
export const DemoUser = Principal.extend({ displayName: z.string() });
export type DemoUser = z.infer<typeof DemoUser>;
