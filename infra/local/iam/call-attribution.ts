/**
 * Which function made an AWS call. The local runtime runs every function in one process, so the
 * function is remembered in an AsyncLocalStorage for the length of its invocation, and every HTTP
 * request started inside it carries the function's logical id in `x-local-function` (added after the
 * SDK signs, so outside SignedHeaders; the local servers ignore unsigned non-`x-amz-` headers). The
 * local servers read that header and check the call against the function's role (`local-iam.ts`).
 *
 * Requests started outside any invocation (the local runtime itself, the scheduler, tests, a browser
 * using a presigned URL) carry no header and are not checked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';

export const FUNCTION_HEADER = 'x-local-function';

const current = new AsyncLocalStorage<string>();
let installed = false;

/** Runs `fn` as the function `logicalId`: its AWS calls are attributed to it. */
export function runAsFunction<T>(logicalId: string, fn: () => T): T {
  installCallAttribution();
  return current.run(logicalId, fn);
}

/** The function whose invocation the caller is in, if any. */
export function currentFunction(): string | undefined {
  return current.getStore();
}

/**
 * Wraps `http.request`/`https.request` of this process once, before any SDK client resolves them
 * (the SDK's handler looks them up when it first sends).
 */
export function installCallAttribution(): void {
  if (installed) return;
  installed = true;
  for (const mod of [http, https] as const) {
    const original = mod.request;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      const req = (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      const fn = current.getStore();
      if (fn && !req.headersSent && !req.hasHeader(FUNCTION_HEADER)) req.setHeader(FUNCTION_HEADER, fn);
      return req;
    } as typeof http.request;
    mod.request = wrapped;
  }
  syncBuiltinESMExports();
}
