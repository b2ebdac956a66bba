import { rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { repoRoot, type StackInfo, startStackProcess } from './stack-process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** One local stack for all integration and e2e files, on free ports and a throw-away data dir. */
export default async function setup(project: TestProject) {
  const dataDir = path.join(repoRoot, '.local', `test-${process.pid}`);
  const stack = await startStackProcess({ LOCAL_DATA_DIR: dataDir, LOCAL_TIME_SCALE: '1000', LOCAL_SEED: 'true', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
  project.provide('stack', stack.info);
  return async () => {
    await stack.stop();
    // The local IAM check (infra/local/iam/) prints every call a function's role does not allow: the
    // suite proves the declared grants are enough only if there is none, caught or not by the code.
    const summary = /\[local-iam\] \d+ calls.*$/m.exec(stack.output());
    if (summary) console.log(summary[0]);
    const denied = stack
      .output()
      .split('\n')
      .filter((l) => l.includes('[local-iam] DENIED'));
    if (denied.length) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`Functions made calls their roles do not allow (declare them in FunctionAccess):\n${[...new Set(denied)].join('\n')}`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
}
