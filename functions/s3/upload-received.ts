// Primary adapter: S3 object-created notifications (delivered through SQS) for the upload bucket.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '../../shared/logger.js';
import { processEntryUpload } from '../../shared/use-cases/entry-upload.js';
import { processExtractUpload } from '../../shared/use-cases/reconciliation.js';
import { processScanUpload } from '../../shared/use-cases/scan-upload.js';
import { recordObjectCreated, type UploadProcessors } from '../../shared/use-cases/uploads.js';

/** What each kind of upload triggers. */
const processors: UploadProcessors = { entry: processEntryUpload, scans: processScanUpload, extract: processExtractUpload };

const S3Notification = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string(),
        eventTime: z.string(),
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({ key: z.string(), size: z.number().int().nonnegative().default(0), eTag: z.string().default('') }),
        }),
      }),
    )
    .default([]),
});

/** S3 URL-encodes keys in notifications (spaces as '+'). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A lease must end before the invocation does (minus a margin to record the outcome). */
const leaseFor = (context?: Partial<Context>) => (context?.getRemainingTimeInMillis ? Math.max(1_000, context.getRemainingTimeInMillis() - 5_000) : undefined);

export const handler = async (event: SQSEvent, context?: Partial<Context>): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    try {
      const parsed = S3Notification.safeParse(safeJson(message.body));
      // s3:TestEvent and anything that is not a notification: nothing to do, and nothing to retry.
      if (!parsed.success) {
        logger.warn('Ignored a message that is not an S3 notification', { messageId: message.messageId });
        continue;
      }
      for (const r of parsed.data.Records) {
        if (!r.eventName.startsWith('ObjectCreated:')) continue;
        await recordObjectCreated({ key: decodeS3Key(r.s3.object.key), size: r.s3.object.size, eTag: r.s3.object.eTag, eventTime: r.eventTime }, processors, leaseFor(context));
      }
    } catch (err) {
      logger.error('Upload notification failed; SQS will redeliver', { messageId: message.messageId, error: (err as Error).name });
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
};
