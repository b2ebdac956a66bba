/**
 * Verification of browser-based POST uploads (presigned POST): the SigV4 policy signature, the
 * policy's expiration, every condition, and the "no extra input fields" rule, as S3 applies them.
 */
import { S3Error, accessDenied, policyConditionFailed } from './s3-error.js';
import { ALGORITHM, type Credentials, postPolicySignature, signaturesEqual } from './sigv4.js';

export interface FormField {
  /** The field name as sent. */
  name: string;
  value: string;
}

export interface PolicyInput {
  /** The bucket from the request path. */
  bucket: string;
  /** Form fields that precede the file, in order. */
  fields: FormField[];
  credentials: Credentials;
  region: string;
  now: Date;
}

export interface LengthRange {
  min: number;
  max: number;
}

export interface PolicyResult {
  accessKeyId: string;
  /** From a content-length-range condition, if any. */
  lengthRange: LengthRange | undefined;
}

/** Fields S3 never requires a policy condition for. */
const EXEMPT_FIELDS = new Set(['policy', 'x-amz-signature', 'file']);

const invalidPolicy = (message: string): S3Error => new S3Error('InvalidPolicyDocument', 400, `Invalid Policy: ${message}`);

export function missingField(name: string): S3Error {
  return new S3Error(
    'InvalidArgument',
    400,
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    { ArgumentName: name, ArgumentValue: '' },
  );
}

export function fieldValue(fields: FormField[], name: string): string | undefined {
  const lower = name.toLowerCase();
  // S3 uses the last occurrence of a repeated field.
  for (let i = fields.length - 1; i >= 0; i--) {
    const field = fields[i];
    if (field && field.name.toLowerCase() === lower) return field.value;
  }
  return undefined;
}

export function checkPostPolicy(input: PolicyInput): PolicyResult {
  const { fields } = input;
  const get = (name: string): string | undefined => fieldValue(fields, name);

  const policyB64 = get('policy');
  if (policyB64 === undefined) {
    if (get('awsaccesskeyid') !== undefined || get('signature') !== undefined) {
      throw new S3Error('InvalidRequest', 400, 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    // Anonymous POST: only public-write buckets accept it, and the local buckets are private.
    throw accessDenied();
  }
  const algorithm = get('x-amz-algorithm');
  if (algorithm === undefined) {
    if (get('awsaccesskeyid') !== undefined) {
      throw new S3Error('InvalidRequest', 400, 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    throw missingField('x-amz-algorithm');
  }
  if (algorithm !== ALGORITHM) {
    throw new S3Error('InvalidArgument', 400, `Unsupported value for x-amz-algorithm: ${algorithm}`, {
      ArgumentName: 'x-amz-algorithm',
      ArgumentValue: algorithm,
    });
  }
  const credential = get('x-amz-credential');
  if (credential === undefined) throw missingField('x-amz-credential');
  if (get('x-amz-date') === undefined) throw missingField('x-amz-date');
  const signature = get('x-amz-signature');
  if (signature === undefined) throw missingField('x-amz-signature');

  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = credential.split('/');
  if (credential.split('/').length !== 5 || terminator !== 'aws4_request' || service !== 's3' || !/^\d{8}$/.test(date)) {
    throw new S3Error('InvalidArgument', 400, `Invalid x-amz-credential: ${credential}`, {
      ArgumentName: 'x-amz-credential',
      ArgumentValue: credential,
    });
  }
  if (accessKeyId !== input.credentials.accessKeyId) {
    throw new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', {
      AWSAccessKeyId: accessKeyId,
    });
  }
  if (region !== input.region) {
    throw new S3Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${input.region}'`, {
      Region: input.region,
    });
  }
  const expected = postPolicySignature(input.credentials.secretAccessKey, date, region, policyB64);
  if (!signaturesEqual(expected, signature.toLowerCase())) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: accessKeyId, StringToSign: policyB64, SignatureProvided: signature },
    );
  }

  let policy: unknown;
  try {
    policy = JSON.parse(Buffer.from(policyB64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = policy as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  const expiresAt = typeof expiration === 'string' ? new Date(expiration) : new Date(Number.NaN);
  if (Number.isNaN(expiresAt.getTime())) throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (input.now.getTime() > expiresAt.getTime()) throw accessDenied('Invalid according to Policy: Policy expired.');
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');

  const covered = new Set<string>();
  let lengthRange: LengthRange | undefined;
  const actual = (name: string): string => (name === 'bucket' ? input.bucket : (get(name) ?? ''));

  for (const condition of conditions as unknown[]) {
    if (Array.isArray(condition)) {
      const op = typeof condition[0] === 'string' ? condition[0].toLowerCase() : '';
      if (op === 'content-length-range') {
        const min = Number(condition[1]);
        const max = Number(condition[2]);
        if (condition.length !== 3 || !Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
          throw invalidPolicy(`Invalid content-length-range condition: ${JSON.stringify(condition)}`);
        }
        lengthRange = { min, max };
        continue;
      }
      if ((op !== 'eq' && op !== 'starts-with') || condition.length !== 3 || typeof condition[1] !== 'string' || !condition[1].startsWith('$')) {
        throw invalidPolicy(`Invalid Condition: ${JSON.stringify(condition)}`);
      }
      if (typeof condition[2] !== 'string') throw invalidPolicy(`Invalid Condition: ${JSON.stringify(condition)}`);
      const name = condition[1].slice(1).toLowerCase();
      const wanted = condition[2];
      covered.add(name);
      const value = actual(name);
      const ok =
        op === 'eq'
          ? value === wanted
          : name === 'content-type'
            ? value.split(',').every((part) => part.trim().startsWith(wanted))
            : value.startsWith(wanted);
      if (!ok) throw policyConditionFailed(condition);
      continue;
    }
    if (typeof condition === 'object' && condition !== null) {
      const entries = Object.entries(condition);
      if (entries.length !== 1) throw invalidPolicy(`Invalid Simple-Condition: ${JSON.stringify(condition)}`);
      for (const [rawName, wanted] of entries) {
        if (typeof wanted !== 'string') throw invalidPolicy(`Invalid Simple-Condition: ${JSON.stringify(condition)}`);
        const name = rawName.toLowerCase();
        covered.add(name);
        if (actual(name) !== wanted) throw policyConditionFailed(['eq', `$${rawName}`, wanted]);
      }
      continue;
    }
    throw invalidPolicy(`Invalid Condition: ${JSON.stringify(condition)}`);
  }

  const extra = fields
    .map((f) => f.name)
    .filter((name) => {
      const lower = name.toLowerCase();
      return !EXEMPT_FIELDS.has(lower) && !lower.startsWith('x-ignore-') && !covered.has(lower);
    });
  if (extra.length > 0) {
    throw accessDenied(`Invalid according to Policy: Extra input fields: ${[...new Set(extra)].join(', ')}`);
  }
  return { accessKeyId, lengthRange };
}
