/**
 * AWS SDK clients, created once per cold start. No endpoint here: locally the SDK reads
 * AWS_ENDPOINT_URL_DYNAMODB / _S3 / _SFN / _SESV2 from the environment.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { recordItemsRead } from './read-counter.js';

const dynamo = new DynamoDBClient({ maxAttempts: 5 });

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
export const s3 = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });

export const sfn = new SFNClient({ maxAttempts: 6 });
