/**
 * `npm run invoke -- <function> events/<file>.json` — like `sam local invoke`: runs one deployed
 * function's bundle (from the running local stack's cdk.out) with a sample event, against the
 * running local stack (`npm start` in another terminal). <function> is the CDK id, e.g. ApiGetBook,
 * WfEnterStage, UploadReceived, SweepPending; a unique prefix is enough.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readCloudAssembly } from './cdk-model.js';
import { LocalLambdas } from './lambda-runtime.js';
import { repoRoot } from './local-stack.js';

const [name, eventFile] = process.argv.slice(2);
const dataDir = path.resolve(repoRoot, process.env.LOCAL_DATA_DIR ?? '.local');
const endpointsFile = path.join(dataDir, 'endpoints.json');
if (!name || !eventFile) {
  console.error('Usage: npm run invoke -- <function> events/<file>.json');
  process.exit(2);
}
if (!existsSync(endpointsFile)) {
  console.error(`No running local stack found (${path.relative(repoRoot, endpointsFile)} is missing): run \`npm start\` first.`);
  process.exit(2);
}
const { env, cdkOut } = JSON.parse(readFileSync(endpointsFile, 'utf8')) as { env: Record<string, string>; cdkOut: string };
Object.assign(process.env, env, { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO' });

const model = readCloudAssembly(cdkOut, env.AWS_REGION ?? 'ap-southeast-1', '000000000000');
const matches = model.functions.filter((f) => f.logicalId === name || f.logicalId.startsWith(name));
if (matches.length !== 1) {
  console.error(`${matches.length ? 'Ambiguous' : 'Unknown'} function "${name}". Functions:\n  ${model.functions.map((f) => f.logicalId.replace(/[0-9A-F]{8}$/, '')).join('\n  ')}`);
  process.exit(2);
}
const event = JSON.parse(readFileSync(path.resolve(process.cwd(), eventFile), 'utf8'));
const lambdas = new LocalLambdas(model.functions);
try {
  const result = await lambdas.invoke(matches[0]!.arn, event);
  console.log(JSON.stringify(result, null, 2));
} catch (err) {
  console.log(JSON.stringify({ errorType: (err as Error).name, errorMessage: (err as Error).message }, null, 2));
  process.exitCode = 1;
} finally {
  // As `sam local invoke` reports it: this process's peak, i.e. the function plus the invoker's own overhead.
  console.error(`Max memory used: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}
