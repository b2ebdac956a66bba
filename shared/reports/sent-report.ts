import { z } from 'zod';

/** What was produced and sent for one unit and week: the record that keeps weekly emails idempotent. */
export const SentReport = z.object({
  week: z.string(),
  unitCode: z.string(),
  kind: z.enum(['district', 'group', 'province', 'provinceRollup', 'national']),
  s3Key: z.string(),
  bytes: z.number().int(),
  recipients: z.array(z.string()),
  status: z.enum(['generated', 'sending', 'sent', 'failed', 'noRecipients']),
  messageId: z.string().optional(),
  /** The run that wrote `sending` (its execution name): only that run may finish the send within the lease. */
  sendingBy: z.string().optional(),
  attempts: z.number().int().default(0),
  lastError: z.string().optional(),
  generatedAt: z.string(),
  sentAt: z.string().optional(),
  version: z.number().int().default(1),
});
export type SentReport = z.infer<typeof SentReport>;
