/**
 * The pages have no build step, so their Vietnamese titles (web/js/labels.js) repeat the backend's
 * definitions; this test fails as soon as the two drift apart. Pure: no browser, no stack.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RegisterType, registerTypeTitles } from '../../shared/books/register-type.js';
import { PhysicalCondition } from '../../shared/books/book.js';
import { CorrectionReason, correctionReasonTitles } from '../../shared/review/reasons.js';
import { reasons as scanReasons } from '../../shared/scans/reasons.js';
import { roleTitles } from '../../shared/users/user.js';
import { ActionName, Stage, stageTitles, transitions } from '../../shared/workflow/stages.js';
import { ExecutionsQuery } from '../../functions/routes.js';
import { repoRoot } from '../support/stack-process.js';

// A plain browser module: loaded by URL so TypeScript does not need its types.
const labelsUrl = pathToFileURL(path.join(repoRoot, 'web/js/labels.js')).href;
const load = async () => (await import(labelsUrl)) as Record<string, any>;

describe('web/js/labels.js matches the backend', () => {
  it('stages, in order, with their titles', async () => {
    const web = await load();
    expect(web.stages).toEqual(Stage.options);
    expect(web.stageTitles).toEqual(stageTitles);
  });

  it('actions: titles and which need a reason', async () => {
    const web = await load();
    expect(Object.keys(web.actions).sort()).toEqual([...ActionName.options].sort());
    for (const a of ActionName.options) expect(web.actions[a], a).toEqual({ title: transitions[a].title, needsReason: transitions[a].needsReason });
  });

  it('roles, register types, physical conditions', async () => {
    const web = await load();
    expect(web.roleTitles).toEqual(roleTitles);
    expect(web.registerTypeTitles).toEqual(registerTypeTitles);
    expect(Object.keys(web.registerTypeTitles).sort()).toEqual([...RegisterType.options].sort());
    expect(Object.keys(web.physicalConditionTitles)).toEqual(PhysicalCondition.options);
  });

  it('correction reasons and scan reasons', async () => {
    const web = await load();
    expect(web.correctionReasonTitles).toEqual(correctionReasonTitles);
    expect(Object.keys(web.correctionReasonTitles)).toEqual(CorrectionReason.options);
    expect(web.scanReasonTitles).toEqual(Object.fromEntries(Object.entries(scanReasons).map(([k, v]) => [k, v.vi])));
  });

  it('execution statuses the ops filter offers', async () => {
    const web = await load();
    expect(Object.keys(web.executionStatusTitles).sort()).toEqual([...ExecutionsQuery.shape.status.unwrap().options].sort());
  });
});
