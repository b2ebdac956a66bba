/**
 * Runs the bundled functions from cdk.out in this process, as Lambda would: JSON in, JSON out,
 * a fresh context per invocation, the configured timeout, errors surfaced by their name.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { LocalFunction } from './cdk-model.js';
import { installCallAttribution, runAsFunction } from './iam/call-attribution.js';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export class LambdaError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class LocalLambdas {
  private readonly byArn = new Map<string, LocalFunction>();
  private readonly loaded = new Map<string, Promise<Handler>>();
  invocations = 0;

  constructor(readonly functions: LocalFunction[]) {
    for (const f of functions) this.byArn.set(f.arn, f);
    // Every AWS call made inside an invocation names its function, for the local IAM check (infra/local/iam/).
    installCallAttribution();
  }

  /**
   * The environment every function gets. Functions share one process here, so their variables must
   * agree; CDK gives them all the same set (see AppStack), and a disagreement stops the start.
   */
  sharedEnvironment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const f of this.functions) {
      for (const [k, v] of Object.entries(f.environment)) {
        if (env[k] !== undefined && env[k] !== v) throw new Error(`Functions disagree on ${k}: ${env[k]} vs ${v}`);
        env[k] = v;
      }
    }
    return env;
  }

  has(arn: string): boolean {
    return this.byArn.has(this.normalise(arn));
  }

  get(arn: string): LocalFunction {
    const f = this.byArn.get(this.normalise(arn));
    if (!f) throw new Error(`No local function for ${arn}`);
    return f;
  }

  /** Invokes like Lambda's RequestResponse; throws LambdaError(errorType, errorMessage) on a function error. */
  async invoke(arn: string, payload: unknown): Promise<unknown> {
    const fn = this.get(arn);
    const handler = await this.load(fn);
    const requestId = randomUUID();
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      awsRequestId: requestId,
      functionName: fn.logicalId,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: '512',
      logGroupName: `/aws/lambda/${fn.logicalId}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    this.invocations++;
    const event = JSON.parse(JSON.stringify(payload ?? {}));
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        runAsFunction(fn.logicalId, () => handler(event, context)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new LambdaError('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds}.00 seconds`)),
            fn.timeoutSeconds * 1000,
          );
        }),
      ]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (err) {
      if (err instanceof LambdaError) throw err;
      const e = err as Error;
      throw new LambdaError(e?.name || 'Error', e?.message ?? String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  private normalise(arn: string): string {
    // Step Functions may pass "<arn>:$LATEST" or a bare function name.
    const bare = arn.replace(/:\$LATEST$/, '');
    if (this.byArn.has(bare)) return bare;
    return this.functions.find((f) => f.logicalId === bare || f.arn.endsWith(`:function:${bare}`))?.arn ?? bare;
  }

  private load(fn: LocalFunction): Promise<Handler> {
    let p = this.loaded.get(fn.arn);
    if (!p) {
      p = import(pathToFileURL(fn.handlerFile).href).then((m: Record<string, unknown>) => {
        const h = m[fn.handlerExport] ?? (m.default as Record<string, unknown> | undefined)?.[fn.handlerExport];
        if (typeof h !== 'function') throw new Error(`${fn.logicalId}: no export ${fn.handlerExport} in ${fn.handlerFile}`);
        return h as Handler;
      });
      this.loaded.set(fn.arn, p);
    }
    return p;
  }
}
