import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redact, redactText } from './log-redaction.js';

/** Powertools' standard JSON keys, with personal data redacted from the message and every added attribute. */
class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: redactText(String(attributes.message ?? '')),
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_arn: attributes.lambdaContext?.invokedFunctionArn,
        function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(redact(additional) as LogAttributes);
  }
}

/**
 * The one structured logger (level from POWERTOOLS_LOG_LEVEL, default INFO). Log ids and codes only:
 * never names, ID numbers, dates of birth or request bodies (docs/security.md); whatever slips through
 * is redacted by the formatter (`log-redaction.ts`).
 */
export const logger = new Logger({ serviceName: 'ho-tich', logFormatter: new RedactingLogFormatter() });
