import { describe, expect, it } from 'vitest';
import { useLocalStackEnv } from '../support/handler-env.js';

useLocalStackEnv();

/**
 * The report workflow's steps, called in-process against the local servers: what each step reads
 * (issue 7: ≈ books + units per run) and how a unit's history rolls from week to week.
 * Weeks far from the e2e test's, so the two never share send records.
 */
const [W1, W2, W3] = ['2024-W40', '2024-W41', '2024-W43'];

describe('weekly report steps', () => {
  it('read the units once per run, then only books and one history item per reporting unit', async () => {
    const { planWeeklyReport, prepareProvinceReport, runUnitReport, runProvinceReport, runNationalReport } = await import('../../shared/use-cases/weekly-report.js');
    const { listBooksOfCommune } = await import('../../shared/books/book-repo.js');
    const { findPreviousUnitSnapshots, listSentReports } = await import('../../shared/reports/report-repo.js');
    const { listUnits } = await import('../../shared/units/unit-repo.js');
    const { communesInScope } = await import('../../shared/units/unit.js');

    const runWeek = async (week: string) => {
      const plan = await planWeeklyReport({ week, unit: '90' });
      expect(plan).toMatchObject({ week, scope: '90', provinces: ['90'], national: false });
      const prepared = await prepareProvinceReport({ week, scope: plan.scope, province: '90' });
      expect(prepared.itemsRead).toBe(1);
      expect(prepared.units.map((u) => u.code)).toEqual(['901', '902']);
      const units = [];
      for (const slice of prepared.units) units.push({ slice, result: await runUnitReport({ week, unit: slice, resend: false }) });
      const province = await runProvinceReport({ week, scope: plan.scope, province: '90', resend: false });
      return { plan, units, province };
    };

    const first = await runWeek(W1);
    // Plan: every unit version once (the cache may be warm in this process: then none) + config + recipients + send records.
    expect(first.plan.itemsRead).toBeLessThanOrEqual((await listUnits()).length + 2);
    const all = await listUnits();
    for (const { slice, result } of first.units) {
      const communes = slice.units.filter((u) => u.level === 'commune').map((u) => u.code);
      const books = (await Promise.all([...new Set(communes.flatMap((c) => communesInScope(all, c)))].map((c) => listBooksOfCommune(c)))).flat();
      // Its books, and no history yet (the week before was never run): nothing else.
      expect(result.itemsRead, slice.code).toBe(books.length);
      expect(result.status).toBe('sent');
    }
    // The province rollup: its plan and one snapshot item per reporting unit.
    expect(first.province.itemsRead).toBe(1 + 2);

    const second = await runWeek(W2);
    for (const { slice, result } of second.units) {
      const communes = slice.units.filter((u) => u.level === 'commune').map((u) => u.code);
      const books = (await Promise.all([...new Set(communes.flatMap((c) => communesInScope(all, c)))].map((c) => listBooksOfCommune(c)))).flat();
      // Plus exactly one history item: last week's.
      expect(result.itemsRead, slice.code).toBe(books.length + 1);
    }
    const rolled = await findPreviousUnitSnapshots('90', '901', '2024-W42');
    expect(rolled?.week).toBe(W2);
    expect([...new Set(rolled!.history.map((s) => s.week))]).toEqual([W1]);

    // A skipped week: the next run finds the last item two weeks back and carries both weeks.
    await runWeek(W3);
    const afterGap = await findPreviousUnitSnapshots('90', '901', '2024-W44');
    expect(afterGap?.week).toBe(W3);
    expect([...new Set(afterGap!.history.map((s) => s.week))].sort()).toEqual([W1, W2]);

    // The national rollup reads its plan and one series item per province (a full run plans it).
    const full = await planWeeklyReport({ week: W3 });
    expect(full.scope).toBe('all');
    const national = await runNationalReport({ week: W3, resend: false });
    expect(national.itemsRead).toBe(1 + 1);
    expect((await listSentReports(W3)).map((r) => r.unitCode).sort()).toEqual(['901', '902', 'P90', 'VN']);
  });
});

describe('an interrupted send', () => {
  it('is finished by a retry of the same run, left to a live other run, and taken over when stale', async () => {
    const { planWeeklyReport, prepareProvinceReport, runUnitReport } = await import('../../shared/use-cases/weekly-report.js');
    const { findSentReport, saveSentReport } = await import('../../shared/reports/report-repo.js');
    const { stackUrls } = await import('../support/api-client.js');
    const mails = async () => ((await (await fetch(`${stackUrls().api}/dev/mail`)).json()) as { emails: { destination: { to: string[] } }[] }).emails.length;
    const week = '2024-W30';
    const plan = await planWeeklyReport({ week, unit: '901' });
    const [slice] = (await prepareProvinceReport({ week, scope: plan.scope, province: '90' })).units;
    const plant = async (sendingBy: string, minutesAgo: number) => {
      const current = await findSentReport(week, '901');
      const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const record = { week, unitCode: '901', kind: 'district' as const, s3Key: 'x', bytes: 1, recipients: ['a@b.vn'], status: 'sending' as const, sendingBy, attempts: 1, generatedAt: at, version: current?.version ?? 0 };
      expect(await saveSentReport(record, current?.version)).toBe(true);
    };

    // Run A wrote `sending` and died before SES; run B, at the same time, leaves it alone.
    await plant('run-A', 1);
    let before = await mails();
    expect((await runUnitReport({ week, run: 'run-B', unit: slice!, resend: false })).status).toBe('sending');
    expect(await mails()).toBe(before);
    // The retried step of run A finishes it: one email.
    expect((await runUnitReport({ week, run: 'run-A', unit: slice!, resend: false })).status).toBe('sent');
    expect(await mails()).toBe(before + 1);

    // A `sending` left 30 minutes ago by a dead run is taken over.
    await plant('run-dead', 30);
    before = await mails();
    expect((await runUnitReport({ week, run: 'run-C', unit: slice!, resend: false })).status).toBe('sent');
    expect(await mails()).toBe(before + 1);
    expect((await findSentReport(week, '901'))?.sendingBy).toBe('run-C');
  });
});
