import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one structured logger (level from POWERTOOLS_LOG_LEVEL, default INFO). Log ids and codes only:
 * never names, ID numbers, dates of birth or request bodies (docs/security.md).
 */
export const logger = new Logger({ serviceName: 'ho-tich' });
