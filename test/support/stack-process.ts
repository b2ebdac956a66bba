/** Starts `infra/local/main.ts` as a child process (the same thing `npm start` runs) and waits until it is ready. */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackInfo {
  urls: { api: string; dynamo: string; s3: string; sfn: string; ses: string; web: string };
  resumed: string[];
  dataDir: string;
}

export interface StackProcess {
  info: StackInfo;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

export async function startStackProcess(env: Record<string, string>): Promise<StackProcess> {
  const child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), ['infra/local/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, LOCAL_PORTS: 'auto', LOCAL_SEED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const info = await new Promise<StackInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local stack did not start:\n${out}`)), 150_000);
    // Everything the stack (and its functions) prints is kept for the no-personal-data-in-logs test.
    const logFile = env.LOCAL_DATA_DIR ? path.join(env.LOCAL_DATA_DIR, 'stack.log') : undefined;
    if (logFile) mkdirSync(path.dirname(logFile), { recursive: true });
    const keep = (d: Buffer) => logFile && appendFileSync(logFile, d);
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /LOCAL_STACK_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as StackInfo);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with ${code}:\n${out}`));
    });
  });
  return {
    info,
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}
