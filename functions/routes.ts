/**
 * The HTTP API surface, defined once: CDK creates one route + function per entry, handlers read
 * their roles from here, the OpenAPI document and the authorisation matrix are generated from it.
 */
import { z } from 'zod';
// Type only (erased from the bundles): what a route's function may touch, granted exactly by CDK.
import type { FunctionAccess } from '../infra/constructs/app-function.js';
import { BookId, BookInventory, BookView } from '../shared/books/book.js';
import { ExportPackageView } from '../shared/exports/package.js';
import { AssignedIdsRequest, ResolutionRequest } from '../shared/reconciliation/requests.js';
import { BookRecord } from '../shared/records/record.js';
import { RunRequest } from '../shared/reports/run-request.js';
import { IsoWeek } from '../shared/reports/week.js';
import { ReviewPolicy } from '../shared/review/qc-policy.js';
import { RecordReviewRequest } from '../shared/review/review-request.js';
import { Unit } from '../shared/units/unit.js';
import { UploadRequest } from '../shared/uploads/upload.js';
import { Role } from '../shared/users/user.js';
import { ActionName, Stage } from '../shared/workflow/stages.js';

const everyone = Role.options;
const bookWorkers: Role[] = ['entry_clerk', 'scan_contractor', 'commune_officer', 'commune_police', 'district_viewer', 'province_viewer', 'ops', 'admin'];

export interface RouteDef {
  /** Function id (CDK construct id, `npm run invoke` name) and the handler file under functions/. */
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  entry: string;
  roles: readonly Role[];
  /** What the caller's unit must cover: the target book's commune, a unit named in the request, or nothing. */
  scope: 'book' | 'unit' | 'none';
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  /** What the route's function may do (IAM): granted exactly, checked locally on every call (docs/security.md). */
  access: FunctionAccess;
}

const BookParams = z.strictObject({ bookId: BookId });
const ErrorBody = z.object({ error: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });

export { ErrorBody };

export const ActionRequest = z.strictObject({
  action: ActionName,
  reason: z.string().trim().max(1000).optional(),
  /** returnToScan: the records whose scans are wrong. */
  records: z.array(z.string().max(20)).max(5000).optional(),
});
export const ListBooksQuery = z.strictObject({ unit: z.string().max(12).optional(), stage: Stage.optional() });
export const ExecutionsQuery = z.strictObject({
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().max(2048).optional(),
});
export const ExecutionParams = z.strictObject({ executionArn: z.string().regex(/^arn:aws:states:[a-z0-9-]+:\d{12}:execution:[\w-]+:[\w.-]+$/) });

const History = z.object({ bookId: z.string(), transitions: z.array(z.unknown()), audit: z.array(z.unknown()) });
const PresignedPost = z.object({ uploadId: z.string(), url: z.string(), fields: z.record(z.string(), z.string()), key: z.string(), expiresAt: z.string() });
const PartUrl = z.object({ partNumber: z.number().int(), url: z.string() });
const MultipartStart = z.object({
  uploadId: z.string(),
  key: z.string(),
  expiresAt: z.string(),
  multipart: z.object({ partSize: z.number().int(), partCount: z.number().int(), parts: z.array(PartUrl) }),
});
const UploadParams = z.strictObject({ bookId: BookId, uploadId: z.uuid() });

const recordReaders: Role[] = ['entry_clerk', 'commune_officer', 'commune_police'];
/** `so` in a path: "12%2F2018" (encoded slash) or "12-2018" (the file-name form). */
const SoParam = z
  .string()
  .max(20)
  .transform((s) => s.replace(/^(\d{1,6})-(\d{4})$/, '$1/$2'))
  .pipe(z.string().regex(/^\d{1,6}\/\d{4}$/, 'Số đăng ký có dạng n/yyyy hoặc n-yyyy'));
const RecordParams = z.strictObject({ bookId: BookId, so: SoParam });
const UnitParams = z.strictObject({ unitCode: z.string().regex(/^[0-9A-Z]{1,12}$/) });
export const UnitQuery = z.strictObject({ unit: z.string().max(12).optional() });
export const RecordsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(1024).optional() });

export const routes = {
  ListUnits: {
    method: 'GET',
    path: '/units',
    entry: 'units/list.ts',
    roles: everyone,
    scope: 'none',
    summary: 'Đơn vị hành chính trong phạm vi của người dùng',
    response: z.array(Unit),
    access: { state: 'read' },
  },
  CreateBook: {
    method: 'POST',
    path: '/books',
    entry: 'books/create.ts',
    roles: ['commune_officer'],
    scope: 'unit',
    summary: 'Kiểm kê một sổ',
    body: BookInventory,
    response: BookView,
    access: { state: 'write', audit: 'append' },
  },
  ListBooks: {
    method: 'GET',
    path: '/books',
    entry: 'books/list.ts',
    roles: bookWorkers,
    scope: 'unit',
    summary: 'Danh sách sổ theo đơn vị, giai đoạn',
    query: ListBooksQuery,
    response: z.array(BookView),
    access: { state: 'read' },
  },
  GetBook: {
    method: 'GET',
    path: '/books/{bookId}',
    entry: 'books/get.ts',
    roles: bookWorkers,
    scope: 'book',
    summary: 'Một sổ, kèm thao tác được phép',
    params: BookParams,
    response: BookView,
    access: { state: 'read' },
  },
  BookAction: {
    method: 'POST',
    path: '/books/{bookId}/actions',
    entry: 'books/action.ts',
    roles: ['entry_clerk', 'scan_contractor', 'commune_officer', 'commune_police'],
    scope: 'book',
    summary: 'Thực hiện một thao tác trên sổ',
    params: BookParams,
    body: ActionRequest,
    response: BookView,
    access: { state: 'write', audit: 'append', workflow: ['start', 'decide'] },
  },
  BookHistory: {
    method: 'GET',
    path: '/books/{bookId}/history',
    entry: 'books/history.ts',
    roles: bookWorkers,
    scope: 'book',
    summary: 'Lịch sử giai đoạn và nhật ký',
    params: BookParams,
    response: History,
    access: { state: 'read', audit: 'read' },
  },
  CreateUpload: {
    method: 'POST',
    path: '/books/{bookId}/uploads',
    entry: 'uploads/create.ts',
    roles: ['entry_clerk', 'scan_contractor', 'commune_officer'],
    scope: 'book',
    summary: 'Cấp liên kết tải lên (presigned POST)',
    params: BookParams,
    body: UploadRequest,
    response: z.union([PresignedPost, MultipartStart]),
    access: { state: 'write', audit: 'append', uploads: 'put' },
  },
  UploadParts: {
    method: 'GET',
    path: '/books/{bookId}/uploads/{uploadId}/parts',
    entry: 'uploads/parts.ts',
    roles: ['entry_clerk', 'scan_contractor', 'commune_officer'],
    scope: 'book',
    summary: 'Tiếp tục tải lên nhiều phần: phần đã có, liên kết mới cho phần còn thiếu',
    params: UploadParams,
    response: z.object({ uploadId: z.string(), status: z.string(), done: z.array(z.unknown()), missing: z.array(PartUrl) }),
    access: { state: 'read', uploads: 'multipart' },
  },
  CompleteUpload: {
    method: 'POST',
    path: '/books/{bookId}/uploads/{uploadId}/complete',
    entry: 'uploads/complete.ts',
    roles: ['entry_clerk', 'scan_contractor', 'commune_officer'],
    scope: 'book',
    summary: 'Ghép các phần của lượt tải lên nhiều phần',
    params: UploadParams,
    response: z.object({ uploadId: z.string(), status: z.string() }),
    access: { state: 'write', audit: 'append', uploads: 'multipart' },
  },
  ListExecutions: {
    method: 'GET',
    path: '/ops/executions',
    entry: 'ops/list-executions.ts',
    roles: ['ops'],
    scope: 'none',
    summary: 'Các lượt xử lý (Step Functions)',
    query: ExecutionsQuery,
    response: z.object({ executions: z.array(z.unknown()), nextToken: z.string().optional() }),
    access: { workflow: ['list'] },
  },
  ExecutionHistory: {
    method: 'GET',
    path: '/ops/executions/{executionArn}/history',
    entry: 'ops/execution-history.ts',
    roles: ['ops'],
    scope: 'none',
    summary: 'Diễn biến một lượt xử lý',
    params: ExecutionParams,
    response: z.object({ events: z.array(z.unknown()) }),
    access: { workflow: ['describe', 'history'] },
  },
  ResumeBook: {
    method: 'POST',
    path: '/ops/books/{bookId}/resume',
    entry: 'ops/resume.ts',
    roles: ['ops'],
    scope: 'book',
    summary: 'Chạy lại sổ từ giai đoạn đã ghi nhận',
    params: BookParams,
    response: BookView,
    access: { state: 'write', audit: 'append', workflow: ['describe', 'start'] },
  },
  ReviewQueue: {
    method: 'GET',
    path: '/review/queue',
    entry: 'review/queue.ts',
    roles: ['commune_officer', 'district_viewer', 'province_viewer'],
    scope: 'unit',
    summary: 'Hàng đợi sổ chờ kiểm tra, cũ nhất trước',
    query: UnitQuery,
    response: z.array(z.unknown()),
    access: { state: 'read' },
  },
  ClaimReview: {
    method: 'POST',
    path: '/books/{bookId}/review/claim',
    entry: 'review/claim.ts',
    roles: ['commune_officer'],
    scope: 'book',
    summary: 'Nhận sổ để kiểm tra (giữ chỗ có thời hạn)',
    params: BookParams,
    response: z.object({ bookId: z.string(), heldBy: z.string().nullable(), until: z.string().optional() }),
    access: { state: 'write', audit: 'append' },
  },
  ReleaseReview: {
    method: 'POST',
    path: '/books/{bookId}/review/release',
    entry: 'review/release.ts',
    roles: ['commune_officer'],
    scope: 'book',
    summary: 'Trả sổ đang kiểm tra',
    params: BookParams,
    response: z.object({ bookId: z.string(), heldBy: z.null() }),
    access: { state: 'write', audit: 'append' },
  },
  ListRecords: {
    method: 'GET',
    path: '/books/{bookId}/records',
    entry: 'records/list.ts',
    roles: recordReaders,
    scope: 'book',
    summary: 'Các bản ghi của sổ',
    params: BookParams,
    query: RecordsQuery,
    response: z.object({ records: z.array(BookRecord), cursor: z.string().optional() }),
    access: { state: 'read' },
  },
  GetRecord: {
    method: 'GET',
    path: '/books/{bookId}/records/{so}',
    entry: 'records/get.ts',
    roles: recordReaders,
    scope: 'book',
    summary: 'Một bản ghi, kèm liên kết tạm tới bản scan',
    params: RecordParams,
    response: BookRecord,
    access: { state: 'read', archive: 'read' },
  },
  ReviewRecord: {
    method: 'PATCH',
    path: '/books/{bookId}/records/{so}',
    entry: 'records/review.ts',
    roles: ['commune_officer'],
    scope: 'book',
    summary: 'Đánh dấu đúng hoặc sửa trường, kèm lý do (theo phiên bản)',
    params: RecordParams,
    body: RecordReviewRequest,
    response: BookRecord,
    access: { state: 'write', audit: 'append' },
  },
  ErrorRates: {
    method: 'GET',
    path: '/quality/error-rates',
    entry: 'review/error-rates.ts',
    roles: ['commune_officer', 'district_viewer', 'province_viewer', 'admin'],
    scope: 'unit',
    summary: 'Tỷ lệ lỗi nhập liệu theo cán bộ, lý do, đơn vị',
    query: UnitQuery,
    response: z.record(z.string(), z.unknown()),
    access: { state: 'read' },
  },
  GetReviewPolicy: {
    method: 'GET',
    path: '/units/{unitCode}/review-policy',
    entry: 'review/get-policy.ts',
    roles: ['commune_officer', 'district_viewer', 'province_viewer', 'admin'],
    scope: 'unit',
    summary: 'Chính sách kiểm tra của đơn vị',
    params: UnitParams,
    response: ReviewPolicy,
    access: { state: 'read' },
  },
  PutReviewPolicy: {
    method: 'PUT',
    path: '/units/{unitCode}/review-policy',
    entry: 'review/put-policy.ts',
    roles: ['commune_officer', 'admin'],
    scope: 'unit',
    summary: 'Đặt chính sách kiểm tra (toàn bộ hoặc lấy mẫu thích ứng)',
    params: UnitParams,
    body: ReviewPolicy.omit({ unitCode: true }).strict(),
    response: ReviewPolicy,
    access: { state: 'write', audit: 'append' },
  },
  ScanReport: {
    method: 'GET',
    path: '/books/{bookId}/scan-report',
    entry: 'scans/report.ts',
    roles: ['scan_contractor', 'commune_officer', 'entry_clerk'],
    scope: 'book',
    summary: 'Biên bản nghiệm thu bản scan của đợt giao gần nhất',
    params: BookParams,
    response: z.record(z.string(), z.unknown()),
    access: { state: 'read', archive: 'read' },
  },
  ExportPackage: {
    method: 'GET',
    path: '/books/{bookId}/export',
    entry: 'books/export.ts',
    roles: ['commune_officer', 'commune_police', 'district_viewer', 'province_viewer'],
    scope: 'book',
    summary: 'Gói dữ liệu của sổ đã phê duyệt (Excel, .zip bản scan, manifest): liên kết tải 5 phút',
    params: BookParams,
    response: ExportPackageView,
    access: { state: 'read', archive: 'read' },
  },
  RunWeeklyReport: {
    method: 'POST',
    path: '/reports/weekly/run',
    entry: 'reports/run.ts',
    roles: ['ops'],
    scope: 'none',
    summary: 'Chạy báo cáo tuần ngay (mặc định tuần hiện tại)',
    body: RunRequest,
    response: z.object({ week: z.string(), executionArn: z.string() }),
    access: { state: 'write', audit: 'append', reports: ['start', 'describe'] },
  },
  ListWeeklyReports: {
    method: 'GET',
    path: '/reports/weekly',
    entry: 'reports/list.ts',
    roles: ['commune_officer', 'district_viewer', 'province_viewer', 'ops', 'admin'],
    scope: 'unit',
    summary: 'Các báo cáo tuần đã lập và gửi',
    query: z.strictObject({ week: IsoWeek.optional(), unit: z.string().max(12).optional() }),
    response: z.object({ week: z.string(), reports: z.array(z.unknown()) }),
    access: { state: 'read' },
  },
  ExtractUpload: {
    method: 'POST',
    path: '/units/{unitCode}/extracts',
    entry: 'reconciliation/extract-upload.ts',
    roles: ['commune_police'],
    scope: 'unit',
    summary: 'Tải lên trích xuất CSDLQGVDC của đơn vị (presigned POST)',
    params: UnitParams,
    body: UploadRequest.omit({ kind: true, multipart: true }),
    response: PresignedPost,
    access: { state: 'write', audit: 'append', uploads: 'put' },
  },
  BookReconciliation: {
    method: 'GET',
    path: '/books/{bookId}/reconciliation',
    entry: 'reconciliation/book.ts',
    roles: ['commune_police', 'commune_officer', 'district_viewer', 'province_viewer'],
    scope: 'book',
    summary: 'Kết quả đối chiếu: danh sách theo dõi, danh sách chưa có',
    params: BookParams,
    response: z.record(z.string(), z.unknown()),
    access: { state: 'read', archive: 'read' },
  },
  ResolveMismatch: {
    method: 'POST',
    path: '/books/{bookId}/records/{so}/resolution',
    entry: 'reconciliation/resolve.ts',
    roles: ['commune_police', 'commune_officer'],
    scope: 'book',
    summary: 'Xử lý một trường hợp không thống nhất',
    params: RecordParams,
    body: ResolutionRequest,
    response: BookRecord,
    access: { state: 'write', audit: 'append', archive: 'write', workflow: ['decide'] },
  },
  AssignedIds: {
    method: 'POST',
    path: '/books/{bookId}/assigned-ids',
    entry: 'reconciliation/assigned-ids.ts',
    roles: ['commune_police'],
    scope: 'book',
    summary: 'Gắn số định danh đã cấp cho người chưa có trong CSDLQGVDC',
    params: BookParams,
    body: AssignedIdsRequest,
    response: z.object({ attached: z.number() }),
    access: { state: 'write', audit: 'append', archive: 'write', workflow: ['decide'] },
  },
  MonthlyReconciliation: {
    method: 'GET',
    path: '/reconciliation/monthly',
    entry: 'reconciliation/monthly.ts',
    roles: ['commune_police', 'commune_officer', 'district_viewer', 'province_viewer', 'admin'],
    scope: 'unit',
    summary: 'Số liệu đối chiếu theo tháng',
    query: z.strictObject({
      unit: z.string().max(12).optional(),
      month: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Tháng có dạng YYYY-MM, ví dụ 2026-11')
        .optional(),
    }),
    response: z.record(z.string(), z.unknown()),
    access: { state: 'read' },
  },
  EntryTemplate: {
    method: 'GET',
    path: '/templates/{file}',
    entry: 'entry/template.ts',
    roles: everyone,
    scope: 'none',
    summary: 'Mẫu Excel nhập liệu của Bộ theo loại sổ (KS.xlsx, KH.xlsx, …)',
    params: z.strictObject({ file: z.string().regex(/^(KS|KH|KT|CMC|NCN|GH|TDCC)\.xlsx$/, 'Dạng <loại sổ>.xlsx, ví dụ KS.xlsx') }),
    response: z.string(),
    access: {},
  },
  EntryReport: {
    method: 'GET',
    path: '/books/{bookId}/entry-report',
    entry: 'entry/report.ts',
    roles: ['entry_clerk', 'commune_officer'],
    scope: 'book',
    summary: 'Kết quả kiểm tra tệp nhập liệu gần nhất và tệp lỗi',
    params: BookParams,
    response: z.record(z.string(), z.unknown()),
    access: { state: 'read', archive: 'read' },
  },
  OpenApi: {
    method: 'GET',
    path: '/openapi.json',
    entry: 'meta/openapi.ts',
    roles: everyone,
    scope: 'none',
    summary: 'Mô tả API (OpenAPI 3.1)',
    response: z.record(z.string(), z.unknown()),
    access: {},
  },
} as const satisfies Record<string, Omit<RouteDef, 'name'>>;
export type RouteName = keyof typeof routes;

/** The routes as a list, each with its name. */
export const routeList: RouteDef[] = Object.entries(routes).map(([name, r]) => ({ name, ...r }));

export function routeKey(r: Pick<RouteDef, 'method' | 'path'>): string {
  return `${r.method} ${r.path}`;
}

export function getRoute(name: RouteName): RouteDef {
  return { name, ...routes[name] };
}
