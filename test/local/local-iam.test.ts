import { describe, expect, it } from 'vitest';
import type { IamStatement } from '../../infra/local/cdk-model.js';
import { LocalIam } from '../../infra/local/iam/local-iam.js';
import { evaluate, wildcardMatch } from '../../infra/local/iam/policy-evaluation.js';
import { dynamoRequests, s3Requests, sesRequests, sfnRequests } from '../../infra/local/iam/request-actions.js';

const ctx = { region: 'ap-southeast-1', accountId: '000000000000' };
const table = 'arn:aws:dynamodb:ap-southeast-1:000000000000:table/hotich-local-state';
const sm = 'arn:aws:states:ap-southeast-1:000000000000:stateMachine:hotich-local-books';

describe('IAM wildcard matching', () => {
  it('matches * across separators and ? as one character, literally otherwise', () => {
    expect(wildcardMatch('arn:aws:s3:::bucket/uploads/*', 'arn:aws:s3:::bucket/uploads/a/b.pdf')).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::bucket/uploads/*', 'arn:aws:s3:::bucket/archive/a')).toBe(false);
    expect(wildcardMatch('arn:aws:states:*:*:execution:m:*', 'arn:aws:states:r:1:execution:m:x')).toBe(true);
    expect(wildcardMatch('s3:Get?bject', 's3:GetObject')).toBe(true);
    expect(wildcardMatch('a.b', 'aXb')).toBe(false); // regex characters are literal
    expect(wildcardMatch('*', 'anything/at:all')).toBe(true);
  });

  it('matches actions case-insensitively and resources case-sensitively', () => {
    expect(wildcardMatch('dynamodb:getitem', 'dynamodb:GetItem', true)).toBe(true);
    expect(wildcardMatch('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x')).toBe(false);
  });
});

describe('policy evaluation', () => {
  const statements: IamStatement[] = [
    { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [table, `${table}/index/GSI1`] },
    { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
    { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
    {
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: 'arn:aws:kms:k',
      Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.ap-southeast-1.amazonaws.com' } },
    },
    { Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:ses:*' },
  ];

  it('allows what an Allow matches, denies implicitly otherwise, and lets an explicit Deny win', () => {
    expect(evaluate(statements.slice(0, 3), { action: 'dynamodb:GetItem', resource: table })).toBe('allow');
    expect(evaluate(statements.slice(0, 3), { action: 'dynamodb:PutItem', resource: table })).toBe('implicit-deny');
    expect(evaluate(statements.slice(0, 3), { action: 'dynamodb:Query', resource: `${table}/index/GSI2` })).toBe('implicit-deny');
    expect(evaluate(statements.slice(0, 3), { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' })).toBe('allow');
    expect(evaluate(statements.slice(0, 3), { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k' })).toBe('explicit-deny');
  });

  it('ignores conditions (taken as holding) and honours NotAction/NotResource', () => {
    expect(evaluate(statements, { action: 'kms:Decrypt', resource: 'arn:aws:kms:k' })).toBe('allow');
    expect(evaluate([statements[4]!], { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:q' })).toBe('allow');
    expect(evaluate([statements[4]!], { action: 'iam:PassRole', resource: 'arn:aws:iam::1:role/r' })).toBe('implicit-deny');
    expect(evaluate([statements[4]!], { action: 'ses:SendEmail', resource: 'arn:aws:ses:r:1:identity/d' })).toBe('implicit-deny');
  });

  it('needs a grant on "*" for actions without a resource', () => {
    expect(evaluate([{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: table }], { action: 'dynamodb:ListTables', resource: '*' })).toBe(
      'implicit-deny',
    );
  });
});

describe('request → IAM action mapping', () => {
  it('DynamoDB: the operation on the table, the index ARN for a Query with IndexName, batches per table', () => {
    expect(dynamoRequests('DynamoDB_20120810.PutItem', { TableName: 'hotich-local-state' }, ctx)).toEqual([{ action: 'dynamodb:PutItem', resource: table }]);
    expect(dynamoRequests('DynamoDB_20120810.Query', { TableName: 'hotich-local-state', IndexName: 'GSI1' }, ctx)).toEqual([
      { action: 'dynamodb:Query', resource: `${table}/index/GSI1` },
    ]);
    expect(dynamoRequests('DynamoDB_20120810.BatchWriteItem', { RequestItems: { a: [], b: [] } }, ctx).map((r) => `${r.action} ${r.resource}`)).toEqual([
      'dynamodb:BatchWriteItem arn:aws:dynamodb:ap-southeast-1:000000000000:table/a',
      'dynamodb:BatchWriteItem arn:aws:dynamodb:ap-southeast-1:000000000000:table/b',
    ]);
    expect(dynamoRequests('DynamoDB_20120810.BatchGetItem', { RequestItems: { a: {} } }, ctx)[0]!.action).toBe('dynamodb:BatchGetItem');
    expect(
      dynamoRequests(
        'DynamoDB_20120810.TransactWriteItems',
        { TransactItems: [{ Put: { TableName: 'a' } }, { Update: { TableName: 'b' } }, { ConditionCheck: { TableName: 'a' } }] },
        ctx,
      ).map((r) => r.action),
    ).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']);
    expect(dynamoRequests('DynamoDB_20120810.ListTables', {}, ctx)).toEqual([{ action: 'dynamodb:ListTables', resource: '*' }]);
    expect(dynamoRequests('DynamoDB_20120810.GetItem', { TableName: table }, ctx)[0]!.resource).toBe(table); // a table ARN as TableName
  });

  const s3 = (method: string, key: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    s3Requests({ method, bucket: 'b', key, query: new Map(Object.entries(query)), headers }).map((r) => `${r.action} ${r.resource}`);

  it('S3: objects, multipart steps, versions, listing', () => {
    expect(s3('GET', 'k')).toEqual(['s3:GetObject arn:aws:s3:::b/k']);
    expect(s3('HEAD', 'k')).toEqual(['s3:GetObject arn:aws:s3:::b/k']);
    expect(s3('GET', 'k', { versionId: 'v1' })).toEqual(['s3:GetObjectVersion arn:aws:s3:::b/k']);
    expect(s3('PUT', 'k')).toEqual(['s3:PutObject arn:aws:s3:::b/k']);
    expect(s3('POST', 'k', { uploads: '' })).toEqual(['s3:PutObject arn:aws:s3:::b/k']);
    expect(s3('PUT', 'k', { uploadId: 'u', partNumber: '1' })).toEqual(['s3:PutObject arn:aws:s3:::b/k']);
    expect(s3('POST', 'k', { uploadId: 'u' })).toEqual(['s3:PutObject arn:aws:s3:::b/k']);
    expect(s3('GET', 'k', { uploadId: 'u' })).toEqual(['s3:ListMultipartUploadParts arn:aws:s3:::b/k']);
    expect(s3('DELETE', 'k', { uploadId: 'u' })).toEqual(['s3:AbortMultipartUpload arn:aws:s3:::b/k']);
    expect(s3('DELETE', 'k')).toEqual(['s3:DeleteObject arn:aws:s3:::b/k']);
    expect(s3('DELETE', 'k', { versionId: 'v' })).toEqual(['s3:DeleteObjectVersion arn:aws:s3:::b/k']);
    expect(s3('GET', '', { 'list-type': '2', prefix: 'x/' })).toEqual(['s3:ListBucket arn:aws:s3:::b']);
    expect(s3('HEAD', '')).toEqual(['s3:ListBucket arn:aws:s3:::b']);
    expect(s3('PUT', 'k', { retention: '' })).toEqual(['s3:PutObjectRetention arn:aws:s3:::b/k']);
    expect(s3('PUT', 'k', {}, { 'x-amz-copy-source': '/src/a%20b?versionId=3' })).toEqual([
      's3:PutObject arn:aws:s3:::b/k',
      's3:GetObjectVersion arn:aws:s3:::src/a b',
    ]);
  });

  it('Step Functions: the ARN the body names; SendTask* on the state machine of the token', () => {
    const lookup = { stateMachineOfToken: (t: string) => (t === 'known' ? sm : undefined), stateMachineArns: () => [sm, `${sm}-2`] };
    expect(sfnRequests('AWSStepFunctions.StartExecution', { stateMachineArn: sm }, lookup)).toEqual([{ action: 'states:StartExecution', resource: sm }]);
    const ex = sm.replace(':stateMachine:', ':execution:') + ':e1';
    expect(sfnRequests('AWSStepFunctions.DescribeExecution', { executionArn: ex }, lookup)).toEqual([{ action: 'states:DescribeExecution', resource: ex }]);
    expect(sfnRequests('AWSStepFunctions.SendTaskSuccess', { taskToken: 'known', output: '{}' }, lookup)).toEqual([
      { action: 'states:SendTaskSuccess', resource: sm },
    ]);
    expect(sfnRequests('AWSStepFunctions.SendTaskFailure', { taskToken: 'stale' }, lookup)).toEqual({
      anyOf: [
        { action: 'states:SendTaskFailure', resource: sm },
        { action: 'states:SendTaskFailure', resource: `${sm}-2` },
      ],
    });
    expect(sfnRequests('AWSStepFunctions.ListStateMachines', {}, lookup)).toEqual([{ action: 'states:ListStateMachines', resource: '*' }]);
  });

  it('SES v2: SendEmail on the From domain identity, raw content also as ses:SendRawEmail', () => {
    const identity = 'arn:aws:ses:ap-southeast-1:000000000000:identity/example.vn';
    expect(sesRequests('POST', '/v2/email/outbound-emails', { FromEmailAddress: 'so-hoa@example.vn', Content: { Simple: {} } }, ctx)).toEqual([
      { action: 'ses:SendEmail', resource: identity },
    ]);
    expect(sesRequests('POST', '/v2/email/outbound-emails', { FromEmailAddress: 'so-hoa@example.vn', Content: { Raw: { Data: 'eA==' } } }, ctx)).toEqual([
      { action: 'ses:SendEmail', resource: identity },
      { action: 'ses:SendRawEmail', resource: identity },
    ]);
    const raw = Buffer.from('From: "Số hóa" <so-hoa@example.vn>\r\nTo: a@b.c\r\n\r\nbody').toString('base64');
    expect(sesRequests('POST', '/v2/email/outbound-emails', { Content: { Raw: { Data: raw } } }, ctx)).toEqual([
      { action: 'ses:SendEmail', resource: identity },
      { action: 'ses:SendRawEmail', resource: identity },
    ]);
    // Anything else is refused by every role, and named so the denial line says what was called.
    expect(sesRequests('GET', '/v2/email/account', {}, ctx)).toEqual([{ action: 'ses:UnmappedOperation', resource: 'GET /v2/email/account' }]);
  });
});

describe('LocalIam', () => {
  const lines: string[] = [];
  const iam = new LocalIam(
    [
      { logicalId: 'ReadOnly', role: { logicalId: 'ReadOnlyRole', statements: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: table }] } },
      { logicalId: 'NoRole', role: undefined },
    ],
    '000000000000',
    (l) => lines.push(l),
  );

  it('answers a denial in AWS wording and logs function, action and resource only', () => {
    expect(iam.check('ReadOnly', [{ action: 'dynamodb:GetItem', resource: table }])).toBeUndefined();
    const d = iam.check('ReadOnly', [
      { action: 'dynamodb:GetItem', resource: table },
      { action: 'dynamodb:PutItem', resource: table },
    ]);
    expect(d?.message).toBe(
      `User: arn:aws:sts::000000000000:assumed-role/ReadOnlyRole/ReadOnly is not authorized to perform: dynamodb:PutItem on resource: ${table} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(lines.at(-1)).toBe(`[local-iam] DENIED ReadOnly: dynamodb:PutItem on ${table} (implicit-deny)`);
    expect(iam.check('NoRole', [{ action: 'dynamodb:GetItem', resource: table }])?.decision).toBe('implicit-deny');
    expect(
      iam.check('ReadOnly', {
        anyOf: [
          { action: 'dynamodb:PutItem', resource: table },
          { action: 'dynamodb:GetItem', resource: table },
        ],
      }),
    ).toBeUndefined();
  });
});
