import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { stageTitles } from '../../shared/workflow/stages.js';
import { asUser, stackUrls, waitFor } from '../support/api-client.js';
import { act, actors, createBook } from '../support/book-flow.js';

interface Mail {
  subject: string;
  destination: { to: string[] };
  attachments?: { filename: string; content: string; contentType?: string }[];
}

async function mails(): Promise<Mail[]> {
  return ((await (await fetch(`${stackUrls().api}/dev/mail`)).json()) as { emails: Mail[] }).emails;
}

/** The pre-2025 structure reports by district; a week before the 1/7/2025 merger exercises it. */
const WEEK = '2025-W20';

describe('weekly report', () => {
  it('one email per district with the workbook; figures equal a recount; a second run sends nothing new', async () => {
    const a = await actors();
    const ops = await asUser('vanhanh');
    const other = await asUser('hotich.binhthanh');
    // Books in several stages across communes of district 901.
    const started = await createBook(a.officer);
    await act(a.officer, started, 'startDigitisation');
    await createBook(other, { unitCode: '90102' });

    const mailBefore = (await mails()).length;
    const run = await ops.post('/reports/weekly/run', { week: WEEK });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    expect(run.body.executionArn).toMatch(/weekly-reports/);
    const sent = await waitFor(async () => {
      const r = await ops.get(`/reports/weekly?week=${WEEK}`);
      const districts = (r.body.reports as { unitCode: string; status: string }[]).filter((x) => ['901', '902'].includes(x.unitCode));
      const national = (r.body.reports as { unitCode: string; status: string }[]).find((x) => x.unitCode === 'VN');
      return districts.length === 2 && districts.every((d) => d.status === 'sent') && national?.status === 'sent' ? r.body.reports : undefined;
    }, 'district reports sent', 60_000);
    expect(sent.find((r: { unitCode: string }) => r.unitCode === 'P90')).toMatchObject({ kind: 'provinceRollup', status: 'sent' });

    const newMail = (await mails()).slice(mailBefore);
    const district901 = newMail.filter((m) => m.destination.to.includes('phongtuphap.binhminh@demo.hotich.vn'));
    const district902 = newMail.filter((m) => m.destination.to.includes('phongtuphap.phuloc@demo.hotich.vn'));
    expect(district901).toHaveLength(1);
    expect(district902).toHaveLength(1);
    expect(district901[0]!.subject).toContain(WEEK);
    const attachment = district901[0]!.attachments?.find((x) => x.filename.endsWith('.xlsx'));
    expect(attachment).toBeDefined();

    // The workbook's per-commune figures equal a recount from the stored books.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(attachment!.content, 'base64') as never);
    const sheet = wb.getWorksheet('Theo xã')!;
    let headerRow = 0;
    sheet.eachRow((row, n) => {
      if (!headerRow && row.values && (row.values as unknown[]).includes('Mã xã')) headerRow = n;
    });
    expect(headerRow).toBeGreaterThan(0);
    const headers = (sheet.getRow(headerRow).values as unknown[]).map(String);
    const col = (h: string) => headers.indexOf(h);
    const district = await asUser('tuphap.binhminh');
    for (const commune of ['90101', '90102', '90103']) {
      const row = sheet.getRows(headerRow + 1, sheet.rowCount - headerRow)!.find((r) => String(r.getCell(col('Mã xã')).value) === commune)!;
      expect(row, commune).toBeDefined();
      const books = (await district.get(`/books?unit=${commune}`)).body as { stage: keyof typeof stageTitles }[];
      expect(Number(row.getCell(col('Tổng số sổ')).value), `${commune} total`).toBe(books.length);
      for (const stage of Object.keys(stageTitles) as (keyof typeof stageTitles)[]) {
        expect(Number(row.getCell(col(`Sổ: ${stageTitles[stage]}`)).value), `${commune} ${stage}`).toBe(books.filter((b) => b.stage === stage).length);
      }
    }

    // Running the week again regenerates the files but sends nothing new.
    const count = (await mails()).length;
    const generated = (r: { reports: { unitCode: string; generatedAt: string }[] }) => r.reports.find((x) => x.unitCode === 'VN')!.generatedAt;
    const firstGeneratedAt = generated((await ops.get(`/reports/weekly?week=${WEEK}`)).body);
    const again = await ops.post('/reports/weekly/run', { week: WEEK });
    expect(again.status).toBe(202);
    await waitFor(async () => {
      const r = await ops.get(`/reports/weekly?week=${WEEK}`);
      return generated(r.body) !== firstGeneratedAt ? true : undefined;
    }, 'second run regenerated the national report (its last step)', 60_000);
    const afterSecond = (await ops.get(`/reports/weekly?week=${WEEK}`)).body.reports as { unitCode: string; status: string; attempts: number }[];
    expect(afterSecond.find((r) => r.unitCode === '901')).toMatchObject({ status: 'sent', attempts: 1 });
    expect((await mails()).length).toBe(count);

    // resend: true sends again on purpose.
    const resend = await ops.post('/reports/weekly/run', { week: WEEK, unit: '901', resend: true });
    expect(resend.status).toBe(202);
    await waitFor(async () => ((await mails()).length > count ? true : undefined), 'resent', 60_000);
    const resent = (await mails()).slice(count);
    expect(resent.every((m) => m.destination.to.includes('phongtuphap.binhminh@demo.hotich.vn') || m.destination.to.includes('sotuphap.anhoa@demo.hotich.vn'))).toBe(true);
  });

  it('only ops may run a week; viewers list only their units', async () => {
    const district = await asUser('tuphap.binhminh');
    expect((await district.post('/reports/weekly/run', { week: WEEK })).status).toBe(403);
    const list = await district.get(`/reports/weekly?week=${WEEK}`);
    expect(list.status).toBe(200);
    const codes = (list.body.reports as { unitCode: string }[]).map((r) => r.unitCode);
    expect(codes).toContain('901');
    expect(codes).not.toContain('902');
    expect((await district.get(`/reports/weekly?week=${WEEK}&unit=902`)).status).toBe(403);
  });
});
