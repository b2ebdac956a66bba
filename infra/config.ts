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
  });
}

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
