import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Runtime configuration, parsed once per cold start from the environment. CDK sets the same
 * variables on every function; the local runtime sets them from the synthesised template.
 * Endpoints are never configured here: the AWS SDK reads `AWS_ENDPOINT_URL_*` itself.
 */
const Env = z.object({
  STAGE: z.string().min(1).default('local'),
  AWS_REGION: z.string().min(1).default('ap-southeast-1'),
  TABLE_NAME: z.string().min(1),
  AUDIT_TABLE_NAME: z.string().min(1),
  UPLOAD_BUCKET: z.string().min(1),
  ARCHIVE_BUCKET: z.string().min(1),
  STATE_MACHINE_ARN: z.string().optional(),
  /** The weekly report workflow (set on the functions that start it). */
  REPORT_STATE_MACHINE_ARN: z.string().optional(),
  /** A weekly workbook up to this size is attached; a larger one is sent as a presigned link (7 days). */
  REPORT_ATTACH_LIMIT_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  /** The campaign the reports measure against, JSON `{name, target, deadline}` (cdk.json `campaign`). */
  CAMPAIGN: z.string().optional(),
  MAIL_FROM: z.string().min(3).default('so-hoa-ho-tich@demo.hotich.vn'),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  SCAN_UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024 * 1024),
  PRESIGN_TTL_SECONDS: z.coerce.number().int().positive().max(3600).default(900),
  PENDING_ACTION_REDRIVE_SECONDS: z.coerce.number().int().positive().default(60),
  /**
   * Test-only fault injection (`shared/faults.ts`): a JSON plan file the test writes. Refused unless
   * STAGE is `local` or `test`; CDK never sets it, so deployed stages cannot have it (docs/reliability.md).
   */
  FAULT_PLAN_FILE: z.string().min(1).optional(),
});
export type Config = z.infer<typeof Env> & { isLocal: boolean };

/** Stages where the fault hook may be switched on. */
export const FAULT_STAGES = ['local', 'test'] as const;

let cached: Config | undefined;

/** @throws ConfigError when a required variable is missing or malformed. */
export function getConfig(): Config {
  if (cached) return cached;
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  if (parsed.data.FAULT_PLAN_FILE && !(FAULT_STAGES as readonly string[]).includes(parsed.data.STAGE)) {
    throw new ConfigError(`FAULT_PLAN_FILE is test-only and refused in stage ${parsed.data.STAGE}`);
  }
  cached = { ...parsed.data, isLocal: parsed.data.STAGE === 'local' };
  return cached;
}

/**
 * AWS SDK client settings (retries, timeouts), parsed once when the clients are created. Separate from
 * `getConfig` because every setting has a default: importing the clients never requires the tables.
 */
const SdkEnv = z.object({
  SDK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** First backoff; doubled each retry (throttling errors start from 5× this). */
  SDK_RETRY_BASE_MS: z.coerce.number().int().positive().default(100),
  SDK_RETRY_MAX_DELAY_MS: z.coerce.number().int().positive().default(20_000),
  SDK_CONNECTION_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  /** Time to the response headers of one attempt; a slower answer is a retryable TimeoutError. */
  SDK_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
});
export type SdkConfig = z.infer<typeof SdkEnv>;

/** @throws ConfigError when a setting is malformed. */
export function getSdkConfig(env: NodeJS.ProcessEnv = process.env): SdkConfig {
  const parsed = SdkEnv.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid SDK configuration: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data;
}

/** @throws ConfigError when the function was deployed without the state machine ARN. */
export function getStateMachineArn(): string {
  const arn = getConfig().STATE_MACHINE_ARN;
  if (!arn) throw new ConfigError('STATE_MACHINE_ARN is not set for this function');
  return arn;
}

/** @throws ConfigError when the function was deployed without the report state machine ARN. */
export function getReportStateMachineArn(): string {
  const arn = getConfig().REPORT_STATE_MACHINE_ARN;
  if (!arn) throw new ConfigError('REPORT_STATE_MACHINE_ARN is not set for this function');
  return arn;
}
