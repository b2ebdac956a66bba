/** AWS-shaped S3 event notification records for objects created through the local service. */
import type { S3EventRecord } from 'aws-lambda';

export type ObjectCreatedEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload';

export interface ObjectCreatedInput {
  eventName: ObjectCreatedEventName;
  region: string;
  bucket: string;
  /** The object key, not encoded. */
  key: string;
  size: number;
  /** ETag with or without surrounding quotes. */
  eTag: string;
  sequencer: string;
  principalId: string;
  sourceIPAddress: string;
  requestId: string;
  hostId: string;
}

/**
 * Encodes a key as S3 does in event notifications: form-URL encoding (space as `+`, UTF-8 bytes
 * as %XX, only A-Z a-z 0-9 - _ . * left as they are), except that `/` is kept.
 */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

/** Hex sequencers that increase monotonically (also across restarts, as they start from the clock). */
export class Sequencer {
  private last = 0n;

  next(): string {
    let value = BigInt(Date.now()) * 1_000_000n;
    if (value <= this.last) value = this.last + 1n;
    this.last = value;
    return value.toString(16).toUpperCase().padStart(18, '0');
  }
}

export function objectCreatedRecord(input: ObjectCreatedInput): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: input.region,
    eventTime: new Date().toISOString(),
    eventName: input.eventName,
    userIdentity: { principalId: input.principalId },
    requestParameters: { sourceIPAddress: input.sourceIPAddress },
    responseElements: { 'x-amz-request-id': input.requestId, 'x-amz-id-2': input.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'local-s3-object-created',
      bucket: {
        name: input.bucket,
        ownerIdentity: { principalId: 'LOCALS3OWNER' },
        arn: `arn:aws:s3:::${input.bucket}`,
      },
      object: {
        key: encodeEventKey(input.key),
        size: input.size,
        eTag: input.eTag.replace(/"/g, ''),
        sequencer: input.sequencer,
      },
    },
  };
}
