/**
 * AWS SDK clients, created once per cold start. No endpoint here: locally the SDK reads
 * AWS_ENDPOINT_URL_DYNAMODB / _S3 / _SFN / _SESV2 from the environment.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5 }), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

/** Checksums only when required: presigned URLs must not carry a bogus x-amz-checksum-crc32. */
export const s3 = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });

export const sfn = new SFNClient({ maxAttempts: 6 });
