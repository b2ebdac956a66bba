import { describe, expect, it } from 'vitest';
import { backoffDelay, equalJitterRetryStrategy } from '../../shared/aws/backoff.js';

const o = { baseMs: 100, maxDelayMs: 20_000 };

describe('equal-jitter backoff', () => {
  it('every wait is at least the previous one, whatever the jitter (below the cap)', () => {
    for (const type of ['THROTTLING', 'TRANSIENT'] as const) {
      for (let retry = 0; retry < 5; retry++) {
        const longestNow = backoffDelay(retry, type, { ...o, random: () => 0.999999 });
        const shortestNext = backoffDelay(retry + 1, type, { ...o, random: () => 0 });
        expect(shortestNext).toBeGreaterThanOrEqual(longestNow);
      }
    }
    expect(backoffDelay(0, 'THROTTLING', { ...o, random: () => 0 })).toBe(250);
    expect(backoffDelay(0, 'TRANSIENT', { ...o, random: () => 0 })).toBe(50);
    expect(backoffDelay(30, 'TRANSIENT', { ...o, random: () => 0.999999 })).toBeLessThanOrEqual(20_000);
  });

  it('retries throttling and transient errors up to maxAttempts, never client errors', async () => {
    const s = equalJitterRetryStrategy({ maxAttempts: 3, ...o, random: () => 0 });
    let t = await s.acquireInitialRetryToken('');
    t = await s.refreshRetryTokenForRetry(t, { errorType: 'THROTTLING' });
    expect(t.getRetryCount()).toBe(1);
    t = await s.refreshRetryTokenForRetry(t, { errorType: 'TRANSIENT' });
    expect(t.getRetryCount()).toBe(2);
    await expect(s.refreshRetryTokenForRetry(t, { errorType: 'TRANSIENT' })).rejects.toThrow();
    await expect(s.refreshRetryTokenForRetry(await s.acquireInitialRetryToken(''), { errorType: 'CLIENT_ERROR' })).rejects.toThrow();
  });
});
