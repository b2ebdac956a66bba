import { InvalidInput } from '../errors.js';
import { describeReason, type ReasonCode } from './reasons.js';

/**
 * 400: the uploaded scan archive cannot be processed as a whole (not a zip, unreadable central
 * directory, too many entries, unsupported format). Thrown before anything is stored; the
 * Step Functions `ErrorEquals` name is `InvalidArchive`. `details.reason` is the reason code,
 * `details.detail` the technical cause (for operators, not shown to contractors).
 */
export class InvalidArchive extends InvalidInput {
  readonly reason: ReasonCode;
  constructor(reason: ReasonCode, detail?: string, options?: { cause?: unknown }) {
    super(`Tệp bản quét không hợp lệ: ${describeReason(reason)}`, { reason, ...(detail ? { detail } : {}) }, options);
    this.reason = reason;
  }
}

/**
 * The storage behind a `ByteSource` failed (network, S3 throttling, object changed). Never turned into a
 * per-file rejection: it propagates so the task is retried, and a retry is idempotent (files already
 * stored come back `unchanged`).
 */
export class ByteSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ByteSourceError';
  }
}
