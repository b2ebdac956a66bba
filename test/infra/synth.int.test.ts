import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/stack-process.js';

const run = promisify(execFile);
const outdir = mkdtempSync(path.join(os.tmpdir(), 'hotich-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npm run synth', () => {
  it('synthesises a deployable app with the real CDK CLI, offline, with cdk-nag as a validation plugin', async () => {
    // No AWS credentials, no network: the CLI must neither look anything up nor phone home.
    const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', HTTPS_PROXY: 'http://127.0.0.1:9' };
    const { stdout, stderr } = await run(path.join(repoRoot, 'node_modules/.bin/cdk'), ['synth', '--no-notices', '--quiet', '--output', outdir, '-c', 'stage=prod'], {
      cwd: repoRoot,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(`${stdout}${stderr}`).not.toMatch(/ERROR|Synthesis finished with errors/);
    for (const stack of ['HoTich-prod-Stateful', 'HoTich-prod-App', 'HoTich-prod-Monitoring']) {
      expect(existsSync(path.join(outdir, `${stack}.template.json`)), stack).toBe(true);
    }
    const app = JSON.parse(readFileSync(path.join(outdir, 'HoTich-prod-App.template.json'), 'utf8'));
    const resources = Object.values(app.Resources as Record<string, { Type: string; Properties: any }>);
    const fns = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Runtime).startsWith('nodejs'));
    expect(fns.length).toBeGreaterThan(40);
    // Every function's bundle is in the assembly (deployable without Docker).
    for (const f of fns) {
      const key = String(f.Properties.Code.S3Key).replace(/\.zip$/, '');
      expect(existsSync(path.join(outdir, `asset.${key}`, 'index.mjs')), key).toBe(true);
    }
    const stateful = JSON.parse(readFileSync(path.join(outdir, 'HoTich-prod-Stateful.template.json'), 'utf8'));
    const tables = Object.values(stateful.Resources as Record<string, { Type: string; Properties: any; DeletionPolicy?: string }>).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    for (const t of tables) {
      expect(t.Properties.DeletionProtectionEnabled).toBe(true);
      expect(t.DeletionPolicy).toBe('Retain');
    }
    // The pages: web/ and the generated config.js are staged as assets of the deployment.
    const deployment = resources.find((r) => r.Type === 'Custom::CDKBucketDeployment')!;
    const staged = (deployment.Properties.SourceObjectKeys as string[]).map((k) => path.join(outdir, `asset.${k.replace(/\.zip$/, '')}`));
    expect(staged.map((d) => existsSync(path.join(d, 'index.html')) || existsSync(path.join(d, 'config.js')))).toEqual([true, true]);
    // Both packs (AwsSolutions, Serverless) run as validation plugins; a violation is listed per plugin.
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations?: unknown[] }[] };
    expect(report.pluginReports.flatMap((p) => (p.violations ?? []).map((v) => ({ plugin: p.pluginName, v })))).toEqual([]);
  });
});
