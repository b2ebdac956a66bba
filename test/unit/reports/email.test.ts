import { describe, expect, it } from 'vitest';
import { demoUnits } from '../../../shared/demo/demo-units.js';
import { InvalidInput } from '../../../shared/errors.js';
import { burnDownChartOf } from '../../../shared/reports/burn-down-chart.js';
import { buildReportEmail, headlineOf, type ReportEmailInput, reportSubject, XLSX_TYPE } from '../../../shared/reports/email.js';
import { buildDistrictReport } from '../../../shared/reports/rollup.js';
import { campaign2024, steadySeries } from './fixtures.js';

interface Part {
  headers: string;
  body: string;
}

/** Leaf MIME parts of a raw message (enough structure for assertions, not a general parser). */
function leafParts(raw: string): Part[] {
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/g)].map((m) => m[1]!);
  let chunks = [raw];
  for (const b of boundaries) chunks = chunks.flatMap((c) => c.split(`--${b}`));
  return chunks
    .map((c) => {
      const at = c.indexOf('\r\n\r\n');
      // Unfold continuation lines so each header reads as one line.
      return at < 0 ? undefined : { headers: c.slice(0, at).replace(/\r\n[ \t]+/g, ' '), body: c.slice(at + 4) };
    })
    .filter((p): p is Part => p !== undefined && /^Content-Type: (?!multipart)/im.test(p.headers));
}

function decodeBody(p: Part): Buffer {
  if (/Content-Transfer-Encoding: base64/i.test(p.headers)) return Buffer.from(p.body.replace(/\s+/g, ''), 'base64');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(p.headers)) {
    const soft = p.body.replace(/=\r\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(soft.charCodeAt(i));
    }
    return Buffer.from(bytes);
  }
  return Buffer.from(p.body, 'utf8');
}

/** RFC 2047 encoded words of a header, decoded and joined (whitespace between words dropped). */
function decodeHeader(raw: string, name: string): string {
  const m = new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(raw);
  if (!m) throw new Error(`no ${name} header`);
  const value = m[1]!.replace(/\r\n[ \t]/g, ' ');
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeBody({ headers: 'Content-Transfer-Encoding: quoted-printable', body: text.replace(/_/g, ' ') }).toString('utf8'),
    );
}

const weeks = ['2024-W33', '2024-W34', '2024-W35', '2024-W36'];
const report = buildDistrictReport({
  week: '2024-W36',
  unitCode: '901',
  units: demoUnits,
  campaign: campaign2024,
  snapshots: ['90101', '90102', '90103'].flatMap((c) => steadySeries(c, weeks, { expected: 1000, start: 300, perWeek: 40 })),
  generatedAt: '2024-09-06T04:05:00.000Z',
});
const chartPng = burnDownChartOf(report);
const workbook = Buffer.from('PK\u0003\u0004 pretend xlsx bytes', 'binary');

function input(over: Partial<ReportEmailInput> = {}): ReportEmailInput {
  return {
    to: ['phongtuphap@binhminh.example.vn', 'lanhdao@binhminh.example.vn'],
    from: 'Hệ thống số hóa hộ tịch <bao-cao@hotich.example.vn>',
    unitCode: '901',
    unitName: 'Huyện Bình Minh',
    week: '2024-W36',
    headline: headlineOf(report),
    workbook,
    chartPng,
    sizeLimitBytes: 10 * 1024 * 1024,
    date: new Date('2024-09-06T04:10:00Z'),
    ...over,
  };
}

describe('weekly report email (raw MIME)', () => {
  it('has the Vietnamese subject, encoded, and a deterministic Message-ID and idempotency key', async () => {
    const raw = (await buildReportEmail(input())).toString('utf8');
    expect(raw).toMatch(/^Subject: =\?UTF-8\?[QB]\?/im);
    expect(decodeHeader(raw, 'Subject')).toBe('Báo cáo tiến độ số hóa sổ hộ tịch tuần 2024-W36 – Huyện Bình Minh');
    expect(reportSubject('2026-W48', 'Huyện Bình Minh')).toBe('Báo cáo tiến độ số hóa sổ hộ tịch tuần 2026-W48 – Huyện Bình Minh');
    expect(raw).toMatch(/^Message-ID: <bao-cao-tuan\.901\.2024-W36@hotich\.example\.vn>/im);
    expect(raw).toMatch(/^X-Idempotency-Key: bao-cao-tuan:901:2024-W36/im);
    expect(raw).toMatch(/^To: phongtuphap@binhminh\.example\.vn, lanhdao@binhminh\.example\.vn/im);
    const again = (await buildReportEmail(input())).toString('utf8');
    expect(/^Message-ID: .*$/im.exec(again)?.[0]).toBe(/^Message-ID: .*$/im.exec(raw)?.[0]);
  });

  it('has text and HTML bodies with the headline numbers, the chart inline and the workbook attached when small', async () => {
    const raw = (await buildReportEmail(input())).toString('utf8');
    const parts = leafParts(raw);
    const text = parts.find((p) => /Content-Type: text\/plain/i.test(p.headers))!;
    const html = parts.find((p) => /Content-Type: text\/html/i.test(p.headers))!;
    const textBody = decodeBody(text).toString('utf8');
    const htmlBody = decodeBody(html).toString('utf8');
    const h = headlineOf(report);
    // 3 communes × 1,000 expected; 300 + 3 × 40 = 420 done each.
    expect(h).toMatchObject({ recordsExpected: 3000, recordsDone: 1260, recordsDoneThisWeek: 120, recordsRemaining: 1740 });
    for (const body of [textBody, htmlBody]) {
      expect(body).toContain('1.260 / 3.000 (42,0%)');
      expect(body).toContain('120 bản ghi');
      expect(body).toContain('bao-cao-tien-do-901-2024-W36.xlsx');
    }
    expect(htmlBody).toContain('src="cid:bieu-do-tien-do@bao-cao-tuan"');

    const image = parts.find((p) => /Content-Type: image\/png/i.test(p.headers))!;
    expect(image.headers).toMatch(/Content-ID: <bieu-do-tien-do@bao-cao-tuan>/i);
    expect(decodeBody(image).equals(chartPng)).toBe(true);
    expect(raw).toMatch(/Content-Type: multipart\/related/i);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/i);

    const xlsx = parts.find((p) => p.headers.includes(XLSX_TYPE))!;
    expect(xlsx.headers).toMatch(/Content-Disposition: attachment; filename=bao-cao-tien-do-901-2024-W36\.xlsx/i);
    expect(decodeBody(xlsx).equals(workbook)).toBe(true);
  });

  it('links a presigned URL instead of attaching when the workbook is large', async () => {
    const url = 'https://reports.example.s3.amazonaws.com/901/2024-W36.xlsx?X-Amz-Signature=abc&X-Amz-Expires=604800';
    const raw = (await buildReportEmail(input({ workbook: { presignedUrl: url, expiresAt: '2024-09-13T04:10:00.000Z' } }))).toString('utf8');
    const parts = leafParts(raw);
    expect(parts.some((p) => p.headers.includes(XLSX_TYPE))).toBe(false);
    const html = decodeBody(parts.find((p) => /text\/html/i.test(p.headers))!).toString('utf8');
    const text = decodeBody(parts.find((p) => /text\/plain/i.test(p.headers))!).toString('utf8');
    expect(html).toContain(`href="${url.replace(/&/g, '&amp;')}"`);
    expect(text).toContain(url);
    expect(text).toContain('hiệu lực đến 13/09/2024');
    expect(parts.some((p) => /image\/png/i.test(p.headers))).toBe(true);
  });

  it('refuses to attach a workbook over the size limit', async () => {
    await expect(buildReportEmail(input({ sizeLimitBytes: workbook.length - 1 }))).rejects.toThrow(InvalidInput);
    await expect(buildReportEmail(input({ sizeLimitBytes: workbook.length }))).resolves.toBeInstanceOf(Buffer);
  });
});
