import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Per-stage deployment configuration, read once from CDK context (`cdk.json` or `-c key=value`).
 * `local` is what `npm start` synthesises; any other stage name is a real deployment.
 */
export const DeployConfig = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/),
  /** Each waiting stage escalates after this many days without a decision (≤ 24 so local timers stay valid). */
  stageTimeoutDays: z.coerce.number().int().min(1).max(24),
  /** Where alarms are emailed (optional). */
  alarmEmail: z.string().email().or(z.literal('')).default(''),
  /** The SES-verified domain notices and reports are sent from. */
  mailDomain: z.string().min(3).default('demo.hotich.vn'),
  /** The campaign reports forecast against (target and deadline dates, yyyy-mm-dd). */
  campaign: z.object({ name: z.string(), target: z.string(), deadline: z.string(), scope: z.string().optional() }),
  /** ap-southeast-1 (Singapore) is the nearest region; see docs/deployment.md on data residency. */
  region: z.string().default('ap-southeast-1'),
  account: z.string().optional(),
  /**
   * Prefix of the Cognito hosted-UI domain, https://<prefix>.auth.<region>.amazoncognito.com (unique per
   * region across all AWS accounts; Cognito refuses prefixes containing aws, amazon or cognito).
   * Default `sohoa-hotich-<stage>`.
   */
  hostedUiPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
    .refine((p) => !/aws|amazon|cognito/.test(p), 'Cognito refuses domain prefixes containing aws, amazon or cognito')
    .optional(),
  /**
   * Extra URLs the pages are served from (a custom domain, a test origin), each ending in `/`. They become
   * extra sign-in callback and sign-out URLs of the pages' app client, beside the CloudFront URL. When set,
   * the API's and the upload bucket's CORS allow exactly these origins instead of `*` (list the CloudFront
   * URL too if the pages are still used from it; see docs/deployment.md).
   */
  webUrls: z.array(z.string().url().regex(/^https:\/\/[^/]+\/$|^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/$/, 'an https origin ending in / (http only for localhost)')).default([]),
});
export type DeployConfig = z.infer<typeof DeployConfig>;

/** cdk.json's context (feature flags and stage defaults); the CLI's `-c` values override it. */
export const cdkContext = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;

export function readDeployConfig(get: (key: string) => unknown): DeployConfig {
  return DeployConfig.parse({
    stage: get('stage'),
    stageTimeoutDays: get('stageTimeoutDays'),
    alarmEmail: get('alarmEmail') ?? '',
    mailDomain: get('mailDomain') ?? undefined,
    campaign: get('campaign'),
    region: get('region') ?? 'ap-southeast-1',
    account: process.env.CDK_DEFAULT_ACCOUNT,
    hostedUiPrefix: get('hostedUiPrefix') || undefined,
    webUrls: listContext(get('webUrls')),
  });
}

/** A list from cdk.json (an array) or from `-c key='["a","b"]'` / `-c key=a,b` (a string). */
function listContext(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') return value;
  return value.trim().startsWith('[') ? JSON.parse(value) : value.split(',').map((v) => v.trim()).filter(Boolean);
}

export const hostedUiPrefix = (config: DeployConfig) => config.hostedUiPrefix ?? `sohoa-hotich-${config.stage}`;

/** Origins allowed by CORS on the API and the upload bucket: the configured page origins, or `*` (see webUrls). */
export const corsOrigins = (config: DeployConfig) => (config.webUrls.length ? config.webUrls.map((u) => new URL(u).origin) : ['*']);

export const stackNames = (stage: string) => ({
  stateful: `HoTich-${stage}-Stateful`,
  app: `HoTich-${stage}-App`,
  monitoring: `HoTich-${stage}-Monitoring`,
});

/**
 * Physical names of the stateful resources. The stateless stacks import them by name (not by
 * cross-stack token), so IAM policies and cdk-nag findings are the same at build and synth time.
 */
export const resourceNames = (stage: string) => ({
  table: `hotich-${stage}-state`,
  auditTable: `hotich-${stage}-audit`,
  uploadBucketPrefix: `hotich-${stage}-uploads`,
  archiveBucketPrefix: `hotich-${stage}-archive`,
  uploadEventsQueue: `hotich-${stage}-upload-events`,
  uploadEventsDlq: `hotich-${stage}-upload-events-dlq`,
});

export const reportStateMachineName = (stage: string) => `hotich-${stage}-weekly-reports`;

/** Fixed so IAM grants to the workflow's own task functions need no reference back to the machine. */
export const stateMachineName = (stage: string) => `hotich-${stage}-book-workflow`;
