/**
 * What IAM authorises for each wire request the functions send: the action(s) and the resource ARN(s),
 * as the service's authorisation reference lists them. Pure functions of the request (no I/O).
 */
import type { IamRequest } from './policy-evaluation.js';

export interface ArnContext {
  region: string;
  accountId: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- DynamoDB (JSON 1.0, `X-Amz-Target: DynamoDB_20120810.<Op>`) ------------------------------------

export function dynamoTableArn(table: string, ctx: ArnContext): string {
  return table.startsWith('arn:') ? table : `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${table}`;
}

/** Batch and transaction operations are authorised per table (and per item kind for transactions). */
export function dynamoRequests(target: string | undefined, body: unknown, ctx: ArnContext): IamRequest[] {
  const op = String(target ?? '').replace(/^DynamoDB_\d+\./, '');
  const b = isObject(body) ? body : {};
  const table = (name: unknown) => dynamoTableArn(String(name ?? ''), ctx);
  const action = `dynamodb:${op}`;
  switch (op) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys(isObject(b.RequestItems) ? b.RequestItems : {}).map((t) => ({ action, resource: table(t) }));
    case 'TransactWriteItems': {
      const kinds: Record<string, string> = {
        Put: 'dynamodb:PutItem',
        Update: 'dynamodb:UpdateItem',
        Delete: 'dynamodb:DeleteItem',
        ConditionCheck: 'dynamodb:ConditionCheckItem',
      };
      return (Array.isArray(b.TransactItems) ? b.TransactItems : []).flatMap((item) =>
        Object.entries(isObject(item) ? item : {})
          .filter(([kind]) => kinds[kind])
          .map(([kind, spec]) => ({ action: kinds[kind]!, resource: table(isObject(spec) ? spec.TableName : undefined) })),
      );
    }
    case 'TransactGetItems':
      return (Array.isArray(b.TransactItems) ? b.TransactItems : []).map((item) => ({
        action: 'dynamodb:GetItem',
        resource: table(isObject(item) && isObject(item.Get) ? item.Get.TableName : undefined),
      }));
    case 'Query':
    case 'Scan':
      return [{ action, resource: typeof b.IndexName === 'string' ? `${table(b.TableName)}/index/${b.IndexName}` : table(b.TableName) }];
    case 'ListTables':
    case 'DescribeLimits':
    case 'DescribeEndpoints':
      return [{ action, resource: '*' }];
    default:
      return [{ action, resource: b.TableName !== undefined ? table(b.TableName) : typeof b.ResourceArn === 'string' ? b.ResourceArn : '*' }];
  }
}

// ---- S3 (REST, path-style `/<bucket>/<key>?<subresource>`) ----------------------------------------------

export interface S3RequestView {
  method: string;
  bucket: string;
  key: string;
  /** Query parameter names → values (subresources have empty values). */
  query: ReadonlyMap<string, string>;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

const OBJECT_SUBRESOURCES: Record<string, { GET?: string; PUT?: string; DELETE?: string; HEAD?: string; POST?: string }> = {
  tagging: { GET: 's3:GetObjectTagging', PUT: 's3:PutObjectTagging', DELETE: 's3:DeleteObjectTagging' },
  retention: { GET: 's3:GetObjectRetention', PUT: 's3:PutObjectRetention' },
  'legal-hold': { GET: 's3:GetObjectLegalHold', PUT: 's3:PutObjectLegalHold' },
  acl: { GET: 's3:GetObjectAcl', PUT: 's3:PutObjectAcl' },
  attributes: { GET: 's3:GetObjectAttributes' },
  restore: { POST: 's3:RestoreObject' },
  select: { POST: 's3:GetObject' },
};

/**
 * The S3 action of a request on the wire. Multipart steps are s3:PutObject (create, upload part,
 * complete), ListParts is s3:ListMultipartUploadParts, HeadObject is s3:GetObject, a GET with versionId
 * s3:GetObjectVersion; a copy also reads its source. DeleteObjects (`POST /<bucket>?delete`) is
 * checked as s3:DeleteObject on `<bucket>/*` (its keys are in the body, which is not read here).
 */
export function s3Requests(v: S3RequestView): IamRequest[] {
  const m = v.method.toUpperCase();
  const bucketArn = `arn:aws:s3:::${v.bucket}`;
  const objectArn = `${bucketArn}/${v.key}`;
  const has = (name: string) => v.query.has(name);
  if (!v.bucket) return [{ action: 's3:ListAllMyBuckets', resource: '*' }];
  if (v.key) {
    for (const [sub, actions] of Object.entries(OBJECT_SUBRESOURCES)) {
      if (!has(sub)) continue;
      const a = actions[m as keyof typeof actions];
      const versioned = has('versionId') && a && /^s3:(Get|Put|Delete)Object(Tagging|Acl|Attributes)$/.test(a) ? a.replace('Object', 'ObjectVersion') : a;
      return [{ action: versioned ?? `s3:${m}Object${sub}`, resource: objectArn }];
    }
    if (has('uploadId')) {
      const action =
        { GET: 's3:ListMultipartUploadParts', PUT: 's3:PutObject', POST: 's3:PutObject', DELETE: 's3:AbortMultipartUpload' }[m] ?? `s3:${m}MultipartUpload`;
      return [{ action, resource: objectArn }, ...copySource(v, m === 'PUT')];
    }
    if (m === 'POST' && has('uploads')) return [{ action: 's3:PutObject', resource: objectArn }];
    if (m === 'GET' || m === 'HEAD') return [{ action: has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn }];
    if (m === 'PUT') return [{ action: 's3:PutObject', resource: objectArn }, ...copySource(v, true)];
    if (m === 'DELETE') return [{ action: has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: objectArn }];
    return [{ action: `s3:${m}Object`, resource: objectArn }];
  }
  if (m === 'POST' && has('delete')) return [{ action: 's3:DeleteObject', resource: `${bucketArn}/*` }];
  if (m === 'GET' && has('versions')) return [{ action: 's3:ListBucketVersions', resource: bucketArn }];
  if (m === 'GET' && has('uploads')) return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn }];
  if (m === 'GET' && has('location')) return [{ action: 's3:GetBucketLocation', resource: bucketArn }];
  if (m === 'PUT') return [{ action: subresourceAction('Put', v.query) ?? 's3:CreateBucket', resource: bucketArn }];
  if (m === 'DELETE') return [{ action: subresourceAction('Delete', v.query) ?? 's3:DeleteBucket', resource: bucketArn }];
  const sub = m === 'GET' ? subresourceAction('Get', v.query) : undefined;
  // GET (ListObjects/ListObjectsV2) and HEAD (HeadBucket) are both s3:ListBucket.
  return [{ action: sub ?? 's3:ListBucket', resource: bucketArn }];
}

const BUCKET_SUBRESOURCE_ACTIONS: Record<string, string> = {
  versioning: 'BucketVersioning',
  'object-lock': 'BucketObjectLockConfiguration',
  policy: 'BucketPolicy',
  cors: 'BucketCORS',
  acl: 'BucketAcl',
  tagging: 'BucketTagging',
  notification: 'BucketNotification',
  encryption: 'EncryptionConfiguration',
  lifecycle: 'LifecycleConfiguration',
  publicAccessBlock: 'BucketPublicAccessBlock',
};

function subresourceAction(verb: 'Get' | 'Put' | 'Delete', query: ReadonlyMap<string, string>): string | undefined {
  for (const [sub, name] of Object.entries(BUCKET_SUBRESOURCE_ACTIONS)) if (query.has(sub)) return `s3:${verb}${name}`;
  return undefined;
}

/** CopyObject / UploadPartCopy also read the source object (at its version when one is named). */
function copySource(v: S3RequestView, applies: boolean): IamRequest[] {
  const raw = v.headers['x-amz-copy-source'];
  const source = Array.isArray(raw) ? raw[0] : raw;
  if (!applies || !source) return [];
  const [pathPart, q] = source.split('?');
  let path = pathPart ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep as sent
  }
  return [{ action: q && /(^|&)versionId=/.test(q) ? 's3:GetObjectVersion' : 's3:GetObject', resource: `arn:aws:s3:::${path.replace(/^\//, '')}` }];
}

// ---- Step Functions (JSON 1.0, `X-Amz-Target: AWSStepFunctions.<Op>`) --------------------------------

export interface SfnArnLookup {
  /** The state machine of the execution a task token belongs to, if the service knows the token. */
  stateMachineOfToken(token: string): string | undefined;
  /** Every state machine ARN (for a token the service does not know). */
  stateMachineArns(): readonly string[];
}

/**
 * SendTaskSuccess/Failure/Heartbeat name no resource; AWS authorises them on the state machine of the
 * token's execution (what CDK's `grantTaskResponse` grants). A token the local service does not know
 * (from a previous run) is checked against every state machine: one of them must allow it.
 */
export function sfnRequests(target: string | undefined, body: unknown, lookup: SfnArnLookup): IamRequest[] | { anyOf: IamRequest[] } {
  const op = String(target ?? '').replace(/^AWSStepFunctions\./, '');
  const b = isObject(body) ? body : {};
  const action = `states:${op}`;
  const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
  if (op === 'SendTaskSuccess' || op === 'SendTaskFailure' || op === 'SendTaskHeartbeat') {
    const machine = lookup.stateMachineOfToken(str('taskToken') ?? '');
    if (machine) return [{ action, resource: machine }];
    return { anyOf: lookup.stateMachineArns().map((resource) => ({ action, resource })) };
  }
  const resource = str('executionArn') ?? str('mapRunArn') ?? str('stateMachineArn') ?? str('activityArn') ?? str('resourceArn') ?? '*';
  return [{ action, resource }];
}

// ---- SES v2 (REST JSON) ------------------------------------------------------------------------------

/**
 * SES v2 SendEmail is ses:SendEmail on the sending identity; with raw content AWS also authorises
 * ses:SendRawEmail (callers of v2 SendEmail with Content.Raw and only ses:SendEmail are refused "not
 * authorized to perform ses:SendRawEmail"), so both are required here. The identity is the From address's
 * domain (the system verifies domains, not addresses), or `FromEmailAddressIdentityArn` when given.
 * Not modelled: the sandbox's additional check on each recipient's identity, configuration sets.
 */
export function sesRequests(method: string, path: string, body: unknown, ctx: ArnContext): IamRequest[] {
  const b = isObject(body) ? body : {};
  const identityArn = (): string => {
    if (typeof b.FromEmailAddressIdentityArn === 'string') return b.FromEmailAddressIdentityArn;
    const from = typeof b.FromEmailAddress === 'string' ? b.FromEmailAddress : rawFrom(b);
    const address = /<([^>]+)>/.exec(from ?? '')?.[1] ?? from ?? '';
    const domain = address.includes('@') ? address.slice(address.lastIndexOf('@') + 1).trim() : address.trim();
    return `arn:aws:ses:${ctx.region}:${ctx.accountId}:identity/${domain || '*'}`;
  };
  const p = path.split('?')[0] ?? '';
  if (method === 'POST' && p === '/v2/email/outbound-emails') {
    const isRaw = isObject(b.Content) && isObject(b.Content.Raw);
    return [{ action: 'ses:SendEmail', resource: identityArn() }, ...(isRaw ? [{ action: 'ses:SendRawEmail', resource: identityArn() }] : [])];
  }
  if (method === 'POST' && p === '/v2/email/outbound-bulk-emails') return [{ action: 'ses:SendBulkEmail', resource: identityArn() }];
  // Nothing else is granted to any function: named so that the denial line says what was called.
  return [{ action: 'ses:UnmappedOperation', resource: `${method} ${p}` }];
}

/** The From header of a raw message (base64 in the JSON body). */
function rawFrom(b: Json): string | undefined {
  const raw = isObject(b.Content) && isObject(b.Content.Raw) ? b.Content.Raw.Data : undefined;
  if (typeof raw !== 'string') return undefined;
  const head =
    Buffer.from(raw, 'base64')
      .toString('utf8')
      .split(/\r?\n\r?\n/)[0] ?? '';
  return /^from:\s*(.+)$/im.exec(head)?.[1];
}
