import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger. Log ids and codes only: never names, ID numbers, dates of birth or
 * request bodies (docs/security.md). Keys that could carry personal data are redacted anyway.
 */
export const logger = new Logger({ serviceName: 'ho-tich', logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO' });
