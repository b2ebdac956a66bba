import { z } from 'zod';

/**
 * Why a reviewer corrected a field: the taxonomy behind error rates per clerk, unit and reason.
 * Codes are stable (reports and the API use them); titles are for people.
 */
export const CorrectionReason = z.enum([
  'TYPO',
  'WRONG_DATE',
  'WRONG_CODE',
  'MISSING_FIELD',
  'EXTRA_FIELD',
  'WRONG_PERSON_FIELD',
  'ILLEGIBLE_SOURCE',
  'SCAN_MISMATCH',
  'OTHER',
]);
export type CorrectionReason = z.infer<typeof CorrectionReason>;

export const correctionReasonTitles: Record<CorrectionReason, string> = {
  TYPO: 'Lỗi đánh máy, chính tả (họ tên, địa danh)',
  WRONG_DATE: 'Sai ngày tháng (ngày đăng ký, ngày sinh, ngày chết…)',
  WRONG_CODE: 'Sai mã danh mục (giới tính, loại đăng ký, dân tộc…)',
  MISSING_FIELD: 'Bỏ sót thông tin có trong sổ',
  EXTRA_FIELD: 'Nhập thông tin không có trong sổ',
  WRONG_PERSON_FIELD: 'Nhập nhầm người (thông tin cha/mẹ/người yêu cầu lẫn nhau)',
  ILLEGIBLE_SOURCE: 'Sổ gốc mờ, rách: đã xác minh lại theo hồ sơ lưu',
  SCAN_MISMATCH: 'Dữ liệu không khớp bản scan',
  OTHER: 'Khác (ghi rõ trong ghi chú)',
};

/** Reasons that are the entry clerk's error (count towards the clerk's error rate); the rest are source problems. */
export const clerkErrorReasons: readonly CorrectionReason[] = ['TYPO', 'WRONG_DATE', 'WRONG_CODE', 'MISSING_FIELD', 'EXTRA_FIELD', 'WRONG_PERSON_FIELD', 'OTHER'];
