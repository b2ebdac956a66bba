import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const base = { TABLE_NAME: 't', AUDIT_TABLE_NAME: 'a', UPLOAD_BUCKET: 'u', ARCHIVE_BUCKET: 'r' };

async function freshConfig(env: Record<string, string>) {
  vi.resetModules();
  for (const [k, v] of Object.entries({ ...base, ...env })) vi.stubEnv(k, v);
  return import('../../shared/config.js');
}

describe('the test-only fault hook cannot be switched on in a deployed stage', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('FAULT_PLAN_FILE is refused outside local and test', async () => {
    for (const stage of ['dev', 'staging', 'prod']) {
      const { getConfig } = await freshConfig({ STAGE: stage, FAULT_PLAN_FILE: '/tmp/plan.json' });
      expect(() => getConfig()).toThrow(/FAULT_PLAN_FILE is test-only/);
    }
    for (const stage of ['local', 'test']) {
      const { getConfig } = await freshConfig({ STAGE: stage, FAULT_PLAN_FILE: '/tmp/plan.json' });
      expect(getConfig().FAULT_PLAN_FILE).toBe('/tmp/plan.json');
    }
  });

  it('without it, a fault point does nothing', async () => {
    await freshConfig({ STAGE: 'prod' });
    const { faultPoint } = await import('../../shared/faults.js');
    expect(() => faultPoint('entry.validated', 'upload:x')).not.toThrow();
  });

  it('no infrastructure code sets it (so no deployed function can have it)', () => {
    const root = path.resolve(import.meta.dirname, '../../infra');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.startsWith('local'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(readFileSync(path.join(root, f), 'utf8'), f).not.toContain('FAULT_PLAN_FILE');
  });

  it('no synthesised function carries it, in the local stage or a deployed one', async () => {
    const { App } = await import('aws-cdk-lib');
    const { Template } = await import('aws-cdk-lib/assertions');
    const { buildApp } = await import('../../infra/app.js');
    const { cdkContext } = await import('../../infra/config.js');
    for (const stage of ['local', 'prod']) {
      const built = buildApp(new App({ context: { ...cdkContext, stage, 'aws:cdk:bundling-stacks': [] } }));
      const fns = Object.values(Template.fromStack(built.appStack).findResources('AWS::Lambda::Function'));
      const vars = fns.map((f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, unknown>);
      for (const v of vars) expect(Object.keys(v)).not.toContain('FAULT_PLAN_FILE');
      // Ours (the CDK's own custom-resource functions have no configuration of ours) run in their stage.
      const ours = vars.filter((v) => 'TABLE_NAME' in v);
      expect(ours.length).toBeGreaterThan(10);
      for (const v of ours) expect(v.STAGE).toBe(stage);
    }
  }, 120_000);
});
