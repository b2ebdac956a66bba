import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactText } from '../../shared/log-redaction.js';

describe('log redaction', () => {
  it('masks ID numbers, dates of birth and emails inside any text', () => {
    expect(redactText('CCCD 001318000111 sinh 12.03.2018, gửi mai.tran@example.vn')).toBe('CCCD [number] sinh [date], gửi [email]');
    expect(redactText('ngày 5/7/1980 và 05-07-1980')).toBe('ngày [date] và [date]');
    // Ids and codes we do log stay: book ids, weeks, unit codes, UUIDs, ISO timestamps.
    const kept = 'book 90101-KS-02.2018-2018 week 2026-W48 unit 90101 upload 2b7c1e8a-1f0e-4c3b-9a7d-2f3e4a5b6c7d at 2026-12-07T11:00:00.000Z';
    expect(redactText(kept)).toBe(kept);
  });

  it('replaces attributes whose names hold personal data, at any depth, and masks the rest', () => {
    const out = redact({
      bookId: '90101-KS-02.2018-2018',
      nksHoTen: 'Trần Thị Mai',
      record: { fields: { meHoTen: 'Lê Thị Lan' }, so: '1/2018', chaNgaySinh: '1985' },
      recipients: ['a@b.vn'],
      before: { status: 'x' },
      note: 'gọi 0912345678',
      list: [{ email: 'x@y.vn' }, 'số 123456789012'],
    });
    expect(out).toEqual({
      bookId: '90101-KS-02.2018-2018',
      nksHoTen: REDACTED,
      record: { fields: REDACTED, so: '1/2018', chaNgaySinh: REDACTED },
      recipients: REDACTED,
      before: REDACTED,
      note: 'gọi [number]',
      list: [{ email: REDACTED }, 'số [number]'],
    });
  });

  it('survives cycles and deep nesting', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(redact(a)).toEqual({ x: 1, self: '[…]' });
  });

  it('the logger redacts what a careless call passes, in the message and the attributes', async () => {
    const lines: string[] = [];
    const { Logger } = await import('@aws-lambda-powertools/logger');
    const { logger } = await import('../../shared/logger.js');
    const child = logger.createChild({ logLevel: 'DEBUG' }) as InstanceType<typeof Logger>;
    const original = process.stdout.write.bind(process.stdout);
    // Powertools writes through console → process.stdout.
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      child.info('Nhận hồ sơ của Trần Thị Mai, CCCD 001318000111', { nksHoTen: 'Trần Thị Mai', error: new Error('không khớp 12.03.2018') });
    } finally {
      process.stdout.write = original;
    }
    const text = lines.join('');
    expect(text).toContain('[redacted]');
    for (const secret of ['001318000111', '12.03.2018']) expect(text).not.toContain(secret);
    expect(JSON.parse(text.trim().split('\n').at(-1)!).nksHoTen).toBe(REDACTED);
  });
});
