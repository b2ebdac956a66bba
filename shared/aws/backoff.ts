/**
 * The SDK clients' retry strategy: the SDK's "standard" rules (retry throttling and transient errors —
 * 5xx, timeouts, resets — never client errors; a retry quota so an outage does not turn into a retry
 * storm) with *equal-jitter* exponential backoff instead of the SDK's full jitter.
 *
 * Why equal jitter: retry n waits in [d·2ⁿ/2, d·2ⁿ], so (below the 20 s cap) every wait is at least as long as the one
 * before it (the lower bound of n+1 is the upper bound of n) while concurrent clients still spread
 * out. With full jitter (0…d·2ⁿ) a retry may fire almost at once after a throttle, which is what
 * throttling asks us not to do; and "backoff happened" can be asserted in tests.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

type AnyRetryStrategy = NonNullable<DynamoDBClientConfig['retryStrategy']>;
/** The SDK's RetryStrategyV2 shape, taken from the client config so no extra package is needed. */
export type RetryStrategyV2 = Extract<AnyRetryStrategy, { acquireInitialRetryToken: unknown }>;
type RetryErrorInfo = Parameters<RetryStrategyV2['refreshRetryTokenForRetry']>[1];
type ErrorType = RetryErrorInfo['errorType'];

export interface BackoffOptions {
  maxAttempts: number;
  baseMs: number;
  maxDelayMs: number;
  /** For tests: a source of [0, 1). */
  random?: () => number;
}

/** Throttling asks for more patience than a dropped connection. */
const THROTTLING_FACTOR = 5;
/** The SDK's retry quota (same numbers as its standard mode). */
const QUOTA = 500;
const COST: Record<'THROTTLING' | 'TRANSIENT', number> = { THROTTLING: 5, TRANSIENT: 10 };
const NO_RETRY_REFUND = 1;

/** The wait before retry `retry` (0-based): equal jitter over base·2^retry, capped. */
export function backoffDelay(retry: number, errorType: ErrorType, o: Pick<BackoffOptions, 'baseMs' | 'maxDelayMs' | 'random'>): number {
  const base = errorType === 'THROTTLING' ? o.baseMs * THROTTLING_FACTOR : o.baseMs;
  const ceiling = Math.min(o.maxDelayMs, base * 2 ** retry);
  return Math.floor(ceiling / 2 + (o.random ?? Math.random)() * (ceiling / 2));
}

interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
  cost?: number;
}

export function equalJitterRetryStrategy(o: BackoffOptions): RetryStrategyV2 {
  let capacity = QUOTA;
  const token = (count: number, delay: number, cost?: number): Token => ({ getRetryCount: () => count, getRetryDelay: () => delay, cost });
  return {
    async acquireInitialRetryToken() {
      return token(0, 0);
    },
    async refreshRetryTokenForRetry(previous: Token, info: RetryErrorInfo) {
      const type = info.errorType;
      const retryable = type === 'THROTTLING' || type === 'TRANSIENT';
      const retries = previous.getRetryCount();
      if (!retryable || retries + 1 >= o.maxAttempts) throw new Error('No retry token available');
      const cost = COST[type];
      if (capacity < cost) throw new Error('Retry quota exhausted');
      capacity -= cost;
      let delay = backoffDelay(retries, type, o);
      // A server's Retry-After is honoured, within 5 s more than our own backoff.
      if (info.retryAfterHint instanceof Date) delay = Math.max(delay, Math.min(info.retryAfterHint.getTime() - Date.now(), delay + 5_000));
      return token(retries + 1, delay, cost);
    },
    recordSuccess(t: Token) {
      capacity = Math.min(QUOTA, capacity + (t.cost ?? NO_RETRY_REFUND));
    },
  } as RetryStrategyV2;
}
