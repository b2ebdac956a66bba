/**
 * The whole system on 127.0.0.1: synthesises the CDK app, then runs what it declares on local
 * servers — dynalite (DynamoDB), s3rver behind a policy-enforcing front (S3), a Step Functions
 * service executing the synthesised definition, the SES v2 mail catcher, the HTTP API, the
 * scheduler — with the functions' bundles from cdk.out. Data under `dataDir` survive a restart.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { S3EventRecord } from 'aws-lambda';
import * as sesModule from 'aws-ses-v2-local';
import { buildApp } from '../app.js';
import { cdkContext } from '../config.js';
import { startApiServer } from './api-server.js';
import { LocalAuth } from './auth.js';
import { type LocalModel, readCloudAssembly } from './cdk-model.js';
import { startLocalDynamo } from './dynamo.js';
import { gateJsonServer, LocalIam, sendRestJsonAccessDenied } from './iam/local-iam.js';
import { s3Requests, sesRequests, sfnRequests } from './iam/request-actions.js';
import { LocalLambdas } from './lambda-runtime.js';
import { startLocalS3 } from './s3/local-s3.js';
import { LocalScheduler, targetInput } from './scheduler.js';
import { startLocalSfn } from './sfn/local-sfn.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
const ACCOUNT = '000000000000';
export const LOCAL_CREDENTIALS = { accessKeyId: 'LOCALACCESSKEY', secretAccessKey: 'local-secret-key-not-for-aws' };

export interface LocalStackOptions {
  dataDir: string;
  ports: { api: number; dynamo: number; s3: number; sfn: number; ses: number };
  /** Seconds → ms scale for Step Functions timeouts (tests shrink it). */
  timeScale?: number;
  seedDemoBooks?: boolean;
  log?: (line: string) => void;
}

export interface LocalStack {
  urls: { api: string; dynamo: string; s3: string; sfn: string; ses: string; web: string };
  model: LocalModel;
  resumed: string[];
  stop(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? ((l: string) => console.log(l));
  mkdirSync(opts.dataDir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];

  // 1. Synthesise exactly what `cdk synth` deploys (stage "local"), bundles included.
  const outdir = path.join(opts.dataDir, 'cdk.out');
  buildApp(new App({ context: { ...cdkContext, stage: 'local' }, outdir })).app.synth();
  const region = String(cdkContext.region ?? 'ap-southeast-1');
  const model = readCloudAssembly(outdir, region, ACCOUNT);
  const lambdas = new LocalLambdas(model.functions);
  // Every call a function makes is checked against its synthesised role, as AWS would (infra/local/iam/).
  const iam = new LocalIam(model.functions, ACCOUNT, log);
  const arnCtx = { region, accountId: ACCOUNT };

  // 2. Servers. SES v2 mail catcher first (its store is in memory).
  // aws-ses-v2-local is CommonJS (`exports.default`); bind it to loopback only.
  const startSes = (sesModule as unknown as { default: { default?: typeof sesModule.default } & typeof sesModule.default }).default;
  const ses = await (startSes.default ?? startSes)({ host: HOST, port: opts.ports.ses });
  const sesUrl = `http://${HOST}:${(ses.address() as AddressInfo).port}`;
  stops.push(() => new Promise<void>((r) => ses.close(() => r())));
  gateJsonServer(ses, (req, body) => sesRequests(req.method ?? 'GET', req.url ?? '/', body, arnCtx), iam, sendRestJsonAccessDenied);

  const dynamo = await startLocalDynamo({
    host: HOST,
    port: opts.ports.dynamo,
    dataDir: path.join(opts.dataDir, 'dynamodb'),
    tables: model.tables,
    region,
    iam,
  });
  stops.push(dynamo.stop);

  const inflight = new Set<Promise<void>>();
  const s3 = await startLocalS3({
    host: HOST,
    port: opts.ports.s3,
    dataDir: path.join(opts.dataDir, 's3'),
    credentials: LOCAL_CREDENTIALS,
    region,
    buckets: model.buckets.map((name) => ({ name, cors: true })),
    authorize: (request) => {
      const fn = LocalIam.functionOf(request.headers);
      return fn ? iam.check(fn, s3Requests(request))?.message : undefined;
    },
    onObjectCreated: (record) => {
      const p = deliverS3Event(record).finally(() => inflight.delete(p));
      inflight.add(p);
    },
  });
  stops.push(s3.stop);

  // 3. The functions' environment: what CDK set, plus the local endpoints (the SDK reads them itself).
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ENDPOINT_URL_SESV2: sesUrl,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    ...lambdas.sharedEnvironment(),
  });

  const sfn = await startLocalSfn({
    host: HOST,
    port: opts.ports.sfn,
    dataDir: path.join(opts.dataDir, 'stepfunctions'),
    region,
    accountId: ACCOUNT,
    stateMachines: model.stateMachines,
    invokeLambda: (arn, payload) => lambdas.invoke(arn, payload),
    authorize: ({ headers, operation, body, tokens }) => {
      const fn = LocalIam.functionOf(headers);
      return fn ? iam.check(fn, sfnRequests(`AWSStepFunctions.${operation}`, body, tokens))?.message : undefined;
    },
    timeScale: opts.timeScale,
  });
  stops.push(sfn.stop);
  process.env.AWS_ENDPOINT_URL_SFN = sfn.url;

  // 4. Reference data: the administrative units (same code path as any unit import).
  const { seedDemoReferenceData } = await import('../../shared/demo/seed.js');
  await seedDemoReferenceData();

  const auth = LocalAuth.open(opts.dataDir);
  const api = await startApiServer({
    host: HOST,
    port: opts.ports.api,
    routes: model.routes,
    lambdas,
    auth,
    mailUrl: sesUrl,
    webDir: path.join(repoRoot, 'web'),
  });
  stops.push(api.stop);

  const scheduler = new LocalScheduler({
    schedules: model.schedules,
    fire: async (s, at) => {
      const input = targetInput(s.input, {
        scheduledTime: at,
        scheduleArn: `arn:aws:scheduler:${model.region}:${model.accountId}:schedule/default/${s.name}`,
        executionId: randomUUID(),
      });
      if (s.targetArn.includes(':states:')) {
        const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
        await new SFNClient({}).send(new StartExecutionCommand({ stateMachineArn: s.targetArn, input }));
        return;
      }
      await lambdas.invoke(s.targetArn, JSON.parse(input));
    },
  });
  scheduler.start();
  stops.push(() => scheduler.stop());

  // 5. Executions cut off by the last stop continue at their book's recorded stage, through the
  //    same resume route ops use.
  const { demoUsers } = await import('../../shared/demo/demo-users.js');
  const opsUser = demoUsers.find((u) => u.role === 'ops')!;
  const opsToken = await auth.sign(opsUser, '10m');
  const resumed: string[] = [];
  for (const ex of sfn.interrupted) {
    const bookId = (ex.input as { bookId?: string })?.bookId;
    if (!bookId) continue;
    const r = await fetch(`${api.url}/ops/books/${encodeURIComponent(bookId)}/resume`, { method: 'POST', headers: { authorization: `Bearer ${opsToken}` } });
    if (r.ok) resumed.push(bookId);
    else log(`[local] could not resume ${bookId}: ${r.status} ${await r.text()}`);
  }

  if (opts.seedDemoBooks) await seedDemoBooks(api.url, auth);

  const urls = { api: api.url, dynamo: dynamo.url, s3: s3.url, sfn: sfn.url, ses: sesUrl, web: `${api.url}/` };
  // For `npm run invoke` and integration tests: how to reach this stack, and the functions' environment.
  const handlerEnv = { ...lambdas.sharedEnvironment(), ...pick(process.env, ENDPOINT_ENV) };
  writeFileSync(path.join(opts.dataDir, 'endpoints.json'), JSON.stringify({ urls, env: handlerEnv, cdkOut: outdir }, null, 2));

  async function deliverS3Event(record: S3EventRecord) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    for (const w of model.uploadQueues) {
      if (w.bucket !== record.s3.bucket.name || !key.startsWith(w.prefix) || !w.functionArn) continue;
      const messageId = randomUUID();
      const body = JSON.stringify({ Records: [record] });
      for (let attempt = 1; attempt <= w.maxReceiveCount; attempt++) {
        const event = {
          Records: [
            {
              messageId,
              receiptHandle: `${messageId}-${attempt}`,
              body,
              attributes: {
                ApproximateReceiveCount: String(attempt),
                SentTimestamp: String(Date.now()),
                SenderId: 'local',
                ApproximateFirstReceiveTimestamp: String(Date.now()),
              },
              messageAttributes: {},
              md5OfBody: '',
              eventSource: 'aws:sqs',
              eventSourceARN: w.queueArn,
              awsRegion: region,
            },
          ],
        };
        const ok = await lambdas
          .invoke(w.functionArn, event)
          .then((r) => !(r as { batchItemFailures?: unknown[] })?.batchItemFailures?.length)
          .catch(() => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
      appendFileSync(path.join(opts.dataDir, 'dead-letters.jsonl'), `${JSON.stringify({ queue: w.queueArn, body, at: new Date().toISOString() })}\n`);
      log(`[local] S3 event for an upload went to the dead-letter file after ${w.maxReceiveCount} attempts`);
    }
  }

  return {
    urls,
    model,
    resumed,
    async stop() {
      await Promise.allSettled([...inflight]);
      for (const s of stops.reverse()) await s();
      log(`[local-iam] ${iam.checked} calls of functions checked against their roles, ${iam.denied} denied`);
    },
  };
}

const ENDPOINT_ENV = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SFN',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_REQUEST_CHECKSUM_CALCULATION',
  'AWS_RESPONSE_CHECKSUM_VALIDATION',
];

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!]));
}

/** A few books in inventory for the demo commune, created through the API like any client would. */
async function seedDemoBooks(apiUrl: string, auth: LocalAuth) {
  const { demoUsers } = await import('../../shared/demo/demo-users.js');
  const officer = demoUsers.find((u) => u.username === 'hotich.binhan')!;
  const token = await auth.sign(officer, '5m');
  const books = [
    { registerType: 'KS', quyenSo: '01/2018', yearOpened: 2018, pageCount: 200, closingTotal: 184 },
    { registerType: 'KH', quyenSo: '01/2019', yearOpened: 2019, pageCount: 100, closingTotal: 57 },
    { registerType: 'KT', quyenSo: '01/2020', yearOpened: 2020, pageCount: 100, closingTotal: 63 },
  ];
  for (const b of books) {
    await fetch(`${apiUrl}/books`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ unitCode: '90101', physicalCondition: 'worn', custodyLocation: 'Tủ hồ sơ số 2, UBND xã', notes: '', ...b }),
    });
  }
}
