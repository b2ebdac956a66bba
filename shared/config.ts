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
  MAIL_FROM: z.string().min(3).default('so-hoa-ho-tich@demo.hotich.vn'),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  SCAN_UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024 * 1024),
  PRESIGN_TTL_SECONDS: z.coerce.number().int().positive().max(3600).default(900),
  PENDING_ACTION_REDRIVE_SECONDS: z.coerce.number().int().positive().default(60),
});
export type Config = z.infer<typeof Env> & { isLocal: boolean };

let cached: Config | undefined;

/** @throws ConfigError when a required variable is missing or malformed. */
export function getConfig(): Config {
  if (cached) return cached;
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  cached = { ...parsed.data, isLocal: parsed.data.STAGE === 'local' };
  return cached;
}

/** @throws ConfigError when the function was deployed without the state machine ARN. */
export function getStateMachineArn(): string {
  const arn = getConfig().STATE_MACHINE_ARN;
  if (!arn) throw new ConfigError('STATE_MACHINE_ARN is not set for this function');
  return arn;
}
