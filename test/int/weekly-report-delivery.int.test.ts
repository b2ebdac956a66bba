/**
 * Weekly report delivery, in-process against the local servers: a workbook above the attachment limit
 * goes as a presigned link that downloads it; an SES failure is recorded (status, error, attempts, audit)
 * and the next run sends it once; every send records unit, week, recipients, S3 key and message id.
 * The limit is shrunk for this file only, and SES sits behind a switch that can refuse sends.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { stackUrls } from '../support/api-client.js';
import { useLocalStackEnv } from '../support/handler-env.js';

const { env } = useLocalStackEnv();

/** Forwards to the local SES, or answers SendEmail as SES does when it rejects a message. */
let refuse = false;
const ses = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (refuse) {
    res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' });
    res.end(JSON.stringify({ message: 'Email address is not verified.' }));
    return;
  }
  const upstream = await fetch(`${env.AWS_ENDPOINT_URL_SESV2}${req.url}`, {
    method: req.method,
    headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)) as [string, string][]),
    body: chunks.length ? Buffer.concat(chunks) : undefined,
  });
  res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
  res.end(Buffer.from(await upstream.arrayBuffer()));
});
await new Promise<void>((resolve) => ses.listen(0, '127.0.0.1', resolve));
// Read once, when the modules below first build their clients and configuration.
Object.assign(process.env, { AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${(ses.address() as AddressInfo).port}`, REPORT_ATTACH_LIMIT_BYTES: '1000' });
afterAll(() => new Promise<void>((resolve) => ses.close(() => resolve())));

const { planWeeklyReport, prepareProvinceReport, runUnitReport } = await import('../../shared/use-cases/weekly-report.js');
const { findSentReport } = await import('../../shared/reports/report-repo.js');
const { listAudit } = await import('../../shared/audit/audit.js');

interface Mail {
  subject: string;
  destination: { to: string[] };
  body?: { text?: string; html?: string };
  attachments?: { filename: string }[];
}
const mailsFor = async (week: string, to: string) =>
  (((await (await fetch(`${stackUrls().api}/dev/mail`)).json()) as { emails: Mail[] }).emails).filter((m) => m.subject.includes(week) && m.destination.to.includes(to));

async function slice901(week: string) {
  const plan = await planWeeklyReport({ week, unit: '901' });
  return (await prepareProvinceReport({ week, scope: plan.scope, province: '90' })).units[0]!;
}

describe('weekly report delivery', () => {
  it('a workbook above the attachment limit is sent as a link that downloads it', async () => {
    const week = '2024-W10';
    expect((await runUnitReport({ week, run: 'link-1', unit: await slice901(week), resend: false })).status).toBe('sent');
    const [mail, ...more] = await mailsFor(week, 'phongtuphap.binhminh@demo.hotich.vn');
    expect(more).toEqual([]);
    expect(mail!.attachments?.filter((a) => a.filename.endsWith('.xlsx')) ?? []).toEqual([]);
    const text = JSON.stringify(mail);
    const link = /https?:\/\/[^\s"<>\\]+X-Amz-Signature[^\s"<>\\]*/.exec(text)?.[0]?.replaceAll('&amp;', '&');
    expect(link, 'a presigned link in the email').toBeDefined();
    const download = await fetch(link!);
    expect(download.status, `${link}\n${download.status === 200 ? '' : await download.text()}`).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const record = await findSentReport(week, '901');
    expect(record).toMatchObject({ status: 'sent', recipients: ['phongtuphap.binhminh@demo.hotich.vn'], s3Key: `reports/weekly/${week}/901.xlsx`, bytes: bytes.length });
    expect(record?.messageId).toEqual(expect.any(String));
  });

  it('an SES refusal is recorded and audited; the next run sends the email once', async () => {
    const week = '2024-W11';
    refuse = true;
    await expect(runUnitReport({ week, run: 'ses-down', unit: await slice901(week), resend: false })).rejects.toThrow(/not verified/);
    const failed = await findSentReport(week, '901');
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('MessageRejected') });
    expect(failed?.messageId).toBeUndefined();
    expect(await mailsFor(week, 'phongtuphap.binhminh@demo.hotich.vn')).toEqual([]);

    refuse = false;
    // The next run (the plan now knows the failed record) sends it; a run after that sends nothing.
    expect((await runUnitReport({ week, run: 'ses-up', unit: await slice901(week), resend: false })).status).toBe('sent');
    expect((await runUnitReport({ week, run: 'ses-again', unit: await slice901(week), resend: false })).status).toBe('sent');
    expect(await mailsFor(week, 'phongtuphap.binhminh@demo.hotich.vn')).toHaveLength(1);
    const sent = await findSentReport(week, '901');
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sent?.lastError).toBeUndefined();

    const trail = (await listAudit('report', `${week}#901`)).map((e) => [e.action, (e.before as { status?: string } | null)?.status ?? null, (e.after as { status: string }).status]);
    expect(trail).toEqual([
      ['report.failed', 'sending', 'failed'],
      ['report.sent', 'failed', 'sent'],
      ['report.regenerated', 'sent', 'sent'],
    ]);
  });
});
