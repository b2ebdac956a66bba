// The local IAM check against the real local servers: calls made "as" a function (call attribution
// through AsyncLocalStorage + the x-local-function header) are authorised against that function's role,
// and a denial fails the way AWS fails it. Own servers on free ports; independent of the shared stack.

import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import * as sesModule from 'aws-ses-v2-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFunction } from '../../infra/local/cdk-model.js';
import { startLocalDynamo } from '../../infra/local/dynamo.js';
import { installCallAttribution, runAsFunction } from '../../infra/local/iam/call-attribution.js';
import { gateJsonServer, LocalIam, sendRestJsonAccessDenied } from '../../infra/local/iam/local-iam.js';
import { s3Requests, sesRequests, sfnRequests } from '../../infra/local/iam/request-actions.js';
import { type LocalS3, startLocalS3 } from '../../infra/local/s3/local-s3.js';
import { type LocalSfn, startLocalSfn } from '../../infra/local/sfn/local-sfn.js';

const REGION = 'ap-southeast-1';
const ACCOUNT = '000000000000';
const credentials = { accessKeyId: 'LOCALACCESSKEY', secretAccessKey: 'local-secret-key-not-for-aws' };
const TABLE = 'iam-test-state';
const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
const BUCKET = 'iam-test-archive';
const smArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:iam-test-books`;
const otherSmArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:iam-test-reports`;

const fn = (logicalId: string, statements: NonNullable<LocalFunction['role']>['statements']): Pick<LocalFunction, 'logicalId' | 'role'> => ({
  logicalId,
  role: { logicalId: `${logicalId}Role`, statements },
});
const functions = [
  fn('ReadOnly', [
    { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn },
    { Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${tableArn}/index/GSI1` },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
  ]),
  fn('Decider', [{ Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: smArn }]),
  fn('OtherDecider', [{ Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: otherSmArn }]),
  fn('Mailer', [{ Effect: 'Allow', Action: ['ses:SendEmail', 'ses:SendRawEmail'], Resource: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/example.vn` }]),
  fn('SimpleMailer', [{ Effect: 'Allow', Action: 'ses:SendEmail', Resource: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/example.vn` }]),
];

let dir: string;
const lines: string[] = [];
let iam: LocalIam;
let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
let s3: LocalS3;
let sfn: LocalSfn;
let ses: Server;
let ddb: DynamoDBClient;
let s3c: S3Client;
let sfnc: SFNClient;
let sesc: SESv2Client;
const tokens: string[] = [];

beforeAll(async () => {
  installCallAttribution(); // before any SDK client sends (the SDK resolves http.request on first use)
  dir = await mkdtemp(join(tmpdir(), 'local-iam-test-'));
  iam = new LocalIam(functions, ACCOUNT, (l) => lines.push(l));
  const ctx = { region: REGION, accountId: ACCOUNT };
  dynamo = await startLocalDynamo({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(dir, 'dynamodb'),
    region: REGION,
    iam,
    tables: [
      {
        name: TABLE,
        keySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
        attributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'G', AttributeType: 'S' },
        ],
        globalSecondaryIndexes: [{ IndexName: 'GSI1', KeySchema: [{ AttributeName: 'G', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      },
    ],
  });
  s3 = await startLocalS3({
    port: 0,
    dataDir: join(dir, 's3'),
    credentials,
    region: REGION,
    buckets: [{ name: BUCKET }],
    authorize: (request) => {
      const f = LocalIam.functionOf(request.headers);
      return f ? iam.check(f, s3Requests(request))?.message : undefined;
    },
  });
  sfn = await startLocalSfn({
    port: 0,
    dataDir: join(dir, 'sfn'),
    region: REGION,
    accountId: ACCOUNT,
    stateMachines: [
      {
        name: 'iam-test-books',
        arn: smArn,
        definition: {
          StartAt: 'Park',
          States: {
            Park: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: { FunctionName: 'park', Payload: { 'token.$': '$$.Task.Token' } },
              End: true,
            },
          },
        },
      },
      { name: 'iam-test-reports', arn: otherSmArn, definition: { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } } },
    ],
    invokeLambda: async (_arn, payload) => {
      tokens.push((payload as { token: string }).token);
      return {};
    },
    authorize: ({ headers, operation, body, tokens: lookup }) => {
      const f = LocalIam.functionOf(headers);
      return f ? iam.check(f, sfnRequests(`AWSStepFunctions.${operation}`, body, lookup))?.message : undefined;
    },
  });
  const startSes = (sesModule as unknown as { default: { default?: typeof sesModule.default } & typeof sesModule.default }).default;
  ses = await (startSes.default ?? startSes)({ host: '127.0.0.1', port: 0 });
  gateJsonServer(ses, (req, body) => sesRequests(req.method ?? 'GET', req.url ?? '/', body, ctx), iam, sendRestJsonAccessDenied);

  ddb = new DynamoDBClient({ endpoint: dynamo.url, region: REGION, credentials, maxAttempts: 1 });
  s3c = new S3Client({ endpoint: s3.url, region: REGION, credentials, forcePathStyle: true, maxAttempts: 1 });
  sfnc = new SFNClient({ endpoint: sfn.url, region: REGION, credentials, maxAttempts: 1 });
  sesc = new SESv2Client({ endpoint: `http://127.0.0.1:${(ses.address() as AddressInfo).port}`, region: REGION, credentials, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  for (const c of [ddb, s3c, sfnc, sesc]) c?.destroy();
  await sfn?.stop();
  await s3?.stop();
  await dynamo?.stop();
  await new Promise<void>((r) => (ses ? ses.close(() => r()) : r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const failure = async (p: Promise<unknown>) => {
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; Code?: string } | undefined;
  expect(err, 'the call should have been refused').toBeDefined();
  return err!;
};

describe('local IAM check on the local servers', () => {
  it('DynamoDB: a read-only function gets AccessDeniedException (400) for PutItem; its reads and unattributed calls pass', async () => {
    const item = { PK: { S: 'BOOK#1' }, G: { S: 'unit#90101' } };
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: item })); // the test itself: not a function
    const err = await failure(runAsFunction('ReadOnly', () => ddb.send(new PutItemCommand({ TableName: TABLE, Item: { ...item, PK: { S: 'BOOK#2' } } }))));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toContain(`is not authorized to perform: dynamodb:PutItem on resource: ${tableArn}`);
    expect(lines).toContain(`[local-iam] DENIED ReadOnly: dynamodb:PutItem on ${tableArn} (implicit-deny)`);
    // Nothing was written.
    expect((await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { PK: { S: 'BOOK#2' } } }))).Item).toBeUndefined();
    // Allowed: the read, a Query on the granted index, concurrently with other calls.
    const [got, queried] = await runAsFunction('ReadOnly', () =>
      Promise.all([
        ddb.send(new GetItemCommand({ TableName: TABLE, Key: { PK: { S: 'BOOK#1' } } })),
        ddb.send(
          new QueryCommand({ TableName: TABLE, IndexName: 'GSI1', KeyConditionExpression: 'G = :g', ExpressionAttributeValues: { ':g': { S: 'unit#90101' } } }),
        ),
      ]),
    );
    expect(got.Item?.PK?.S).toBe('BOOK#1');
    expect(queried.Count).toBe(1);
    // A Query on the table itself is not the index grant.
    const q = await failure(
      runAsFunction('ReadOnly', () =>
        ddb.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'PK = :p', ExpressionAttributeValues: { ':p': { S: 'BOOK#1' } } })),
      ),
    );
    expect(q.name).toBe('AccessDeniedException');
  });

  it('S3: PutObject outside the grant is 403 AccessDenied and stores nothing; GetObject passes', async () => {
    await s3c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'scans/a.pdf', Body: 'pdf' }));
    const err = await failure(runAsFunction('ReadOnly', () => s3c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'scans/b.pdf', Body: 'pdf' }))));
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(lines.at(-1)).toBe(`[local-iam] DENIED ReadOnly: s3:PutObject on arn:aws:s3:::${BUCKET}/scans/b.pdf (implicit-deny)`);
    const got = await runAsFunction('ReadOnly', () => s3c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'scans/a.pdf' })));
    expect(await got.Body?.transformToString()).toBe('pdf');
    expect((await failure(s3c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'scans/b.pdf' })))).name).toBe('NoSuchKey');
  });

  it('Step Functions: SendTaskSuccess is authorised on the state machine of the token', async () => {
    await sfnc.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'e1', input: '{}' }));
    await expect.poll(() => tokens.length).toBe(1);
    const denied = await failure(runAsFunction('OtherDecider', () => sfnc.send(new SendTaskSuccessCommand({ taskToken: tokens[0]!, output: '{}' }))));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.$metadata?.httpStatusCode).toBe(400);
    expect(lines.at(-1)).toBe(`[local-iam] DENIED OtherDecider: states:SendTaskSuccess on ${smArn} (implicit-deny)`);
    await runAsFunction('Decider', () => sfnc.send(new SendTaskSuccessCommand({ taskToken: tokens[0]!, output: '{}' })));
    // A function without the grant cannot start executions either.
    expect((await failure(runAsFunction('Decider', () => sfnc.send(new StartExecutionCommand({ stateMachineArn: smArn, name: 'e2' }))))).name).toBe(
      'AccessDeniedException',
    );
  });

  it('SES v2: SendEmail with raw content needs ses:SendEmail and ses:SendRawEmail on the From domain identity', async () => {
    const raw = (from: string) => Buffer.from(`From: ${from}\r\nTo: a@example.org\r\nSubject: x\r\n\r\nbody`);
    const send = (from: string) =>
      sesc.send(new SendEmailCommand({ FromEmailAddress: from, Destination: { ToAddresses: ['a@example.org'] }, Content: { Raw: { Data: raw(from) } } }));
    await runAsFunction('Mailer', () => send('so-hoa@example.vn'));
    const err = await failure(runAsFunction('Mailer', () => send('so-hoa@other.vn')));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect((await failure(runAsFunction('ReadOnly', () => send('so-hoa@example.vn')))).name).toBe('AccessDeniedException');
    // ses:SendEmail alone is not enough for raw content (as in AWS).
    expect((await failure(runAsFunction('SimpleMailer', () => send('so-hoa@example.vn')))).name).toBe('AccessDeniedException');
  });

  it('counts what it checked', () => {
    expect(iam.checked).toBeGreaterThanOrEqual(12);
    expect(iam.denied).toBe(lines.filter((l) => l.includes('DENIED')).length);
  });
});
