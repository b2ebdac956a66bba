import { z } from 'zod';
import { CorrectionReason } from './reasons.js';

/** Body of PATCH /books/{bookId}/records/{so}: mark OK, or correct fields with a reason each. */
export const RecordReviewRequest = z.union([
  z.strictObject({ version: z.number().int().min(1), status: z.literal('ok') }),
  z.strictObject({
    version: z.number().int().min(1),
    corrections: z
      .array(
        z.strictObject({
          field: z.string().min(1).max(64),
          value: z.string().max(500).nullable(),
          reason: CorrectionReason,
          note: z.string().max(500).optional(),
        }),
      )
      .min(1)
      .max(80),
  }),
]);
export type RecordReviewRequest = z.infer<typeof RecordReviewRequest>;
