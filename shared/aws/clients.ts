/**
 * AWS SDK clients, created once per cold start. No endpoint here: locally the SDK reads
 * AWS_ENDPOINT_URL_DYNAMODB / _S3 / _SFN / _SESV2 from the environment.
 *
 * Every client retries throttling and transient errors (timeouts included) with growing backoff
 * (`backoff.ts`), and gives up on an attempt whose answer does not start within
 * SDK_REQUEST_TIMEOUT_MS (time to the response headers: an S3 body being streamed slowly is not cut).
 * Settings come from `getSdkConfig`, read once here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSdkConfig } from '../config.js';
import { equalJitterRetryStrategy } from './backoff.js';
import { recordItemsRead } from './read-counter.js';

const sdk = getSdkConfig();

/** Retries, backoff and timeouts shared by every client (each client gets its own retry quota). */
export function clientResilience() {
  return {
    maxAttempts: sdk.SDK_MAX_ATTEMPTS,
    retryStrategy: equalJitterRetryStrategy({ maxAttempts: sdk.SDK_MAX_ATTEMPTS, baseMs: sdk.SDK_RETRY_BASE_MS, maxDelayMs: sdk.SDK_RETRY_MAX_DELAY_MS }),
    requestHandler: { connectionTimeout: sdk.SDK_CONNECTION_TIMEOUT_MS, requestTimeout: sdk.SDK_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
}

const dynamo = new DynamoDBClient({ ...clientResilience() });

export { ddbStats } from './read-counter.js';
dynamo.middlewareStack.add(
  (next) => async (args) => {
    const result = await next(args);
    const out = (result.output ?? {}) as { Item?: unknown; Items?: unknown[]; Responses?: Record<string, unknown[]> };
    recordItemsRead((out.Item ? 1 : 0) + (out.Items?.length ?? 0) + Object.values(out.Responses ?? {}).reduce((n, r) => n + r.length, 0));
    return result;
  },
  { step: 'initialize', name: 'countItemsRead' },
);

export const ddb = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

/** Checksums only when required: presigned URLs must not carry a bogus x-amz-checksum-crc32. */
export const s3 = new S3Client({ ...clientResilience(), requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });

export const sfn = new SFNClient({ ...clientResilience() });
