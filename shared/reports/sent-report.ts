import { z } from 'zod';

/** What was produced and sent for one unit and week: the record that keeps weekly emails idempotent. */
export const SentReport = z.object({
  week: z.string(),
  unitCode: z.string(),
  /** The province the unit reports in (absent for the national report): who may see a group's or a rollup's record. */
  provinceCode: z.string().optional(),
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
  /** When the unit's figures for the week were frozen (absent: not yet, the last file was a preview). */
  snapshotAt: z.string().optional(),
  sentAt: z.string().optional(),
  version: z.number().int().default(1),
});
export type SentReport = z.infer<typeof SentReport>;
