import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/api-client.js';
import { type FaultProxy, gaps, type SeenRequest, startFaultProxy } from '../support/fault-proxy.js';
import { useLocalStackEnv } from '../support/handler-env.js';

/**
 * Issue 9, throttling and timeouts: our real clients (`shared/aws/clients.ts`), pointed through
 * AWS_ENDPOINT_URL_* at a proxy in front of the local DynamoDB, S3 and Step Functions, which answers
 * the first requests with the service's throttling error or holds them past the client timeout.
 * The use cases must still succeed, after the configured number of attempts, with growing waits.
 */
const { env } = useLocalStackEnv();
const proxies: Record<'dynamodb' | 's3' | 'sfn', FaultProxy> = {
  dynamodb: await startFaultProxy('dynamodb', env.AWS_ENDPOINT_URL_DYNAMODB!),
  s3: await startFaultProxy('s3', env.AWS_ENDPOINT_URL_S3!),
  sfn: await startFaultProxy('sfn', env.AWS_ENDPOINT_URL_SFN!),
};
const MAX_ATTEMPTS = 6;
const BASE_MS = 100;
const TIMEOUT_MS = 800;
// Read once, when the clients module is first imported below.
Object.assign(process.env, {
  AWS_ENDPOINT_URL_DYNAMODB: proxies.dynamodb.url,
  AWS_ENDPOINT_URL_S3: proxies.s3.url,
  AWS_ENDPOINT_URL_SFN: proxies.sfn.url,
  SDK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  SDK_RETRY_BASE_MS: String(BASE_MS),
  SDK_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
});

afterAll(async () => {
  for (const p of Object.values(proxies)) await p.close();
});

const { demoUsers } = await import('../../shared/demo/demo-users.js');
const principal = (username: string) => {
  const u = demoUsers.find((d) => d.username === username)!;
  return { userId: u.userId, username: u.username, role: u.role, unit: u.unit };
};
const ctx = (username: string) => ({ principal: principal(username), requestId: `throttle-${Math.random().toString(36).slice(2)}`, now: new Date().toISOString() });
const inventory = () => ({
  unitCode: '90101',
  registerType: 'KS' as const,
  quyenSo: `${Math.floor(Math.random() * 9000) + 1}/1987`,
  yearOpened: 1987,
  pageCount: 50,
  closingTotal: 10,
  physicalCondition: 'worn' as const,
  custodyLocation: 'Tủ 1',
  notes: '',
});

const is = (suffix: string) => (op: string) => op.endsWith(suffix);
const figures: string[] = [];

/** Attempts of one call: numbered 1…n by the SDK, the last one forwarded, each wait at least the one before. */
function expectBackoff(seen: SeenRequest[], attempts: number, firstWaitAtLeast: number) {
  expect(seen.map((s) => s.attempt)).toEqual(Array.from({ length: attempts }, (_, i) => i + 1));
  expect(seen.at(-1)!.answered).toBe('forwarded');
  const g = gaps(seen);
  expect(g[0]).toBeGreaterThanOrEqual(firstWaitAtLeast);
  // Equal jitter: wait n+1 ≥ wait n (a few ms of timer and loopback noise allowed).
  for (let i = 1; i < g.length; i++) expect(g[i]!).toBeGreaterThanOrEqual(g[i - 1]! - 15);
  return g;
}

function record(service: string, what: string, seen: SeenRequest[]) {
  const line = `${service} ${what}: ${seen.length} attempts (${seen.map((s) => s.answered).join(', ')}), waits ${gaps(seen).join(' → ')} ms`;
  figures.push(line);
  console.log(`[throttling] ${line}`);
}

describe('throttling and timeouts are retried with growing backoff (real clients, real local servers)', () => {
  afterAll(() => console.log(`[throttling] summary: ${figures.length} cases\n  ${figures.join('\n  ')}`));

  it('DynamoDB: ProvisionedThroughputExceededException ×3 on PutItem → the book is inventoried on attempt 4', async () => {
    const { createBook } = await import('../../shared/use-cases/create-book.js');
    const { getBook } = await import('../../shared/books/book-repo.js');
    proxies.dynamodb.clear();
    proxies.dynamodb.throttle(3, is('.PutItem'));
    const view = await createBook(inventory(), ctx('hotich.binhan'));
    const puts = proxies.dynamodb.attempts(is('.PutItem'));
    const first = puts.slice(0, 4);
    // Throttling waits start from 5 × base: [250, 500] ms, then [500, 1000], [1000, 2000].
    expectBackoff(first, 4, (BASE_MS * 5) / 2);
    expect(first.filter((s) => s.answered === 'throttled')).toHaveLength(3);
    expect((await getBook(view.bookId)).stage).toBe('inventory');
    record('DynamoDB', 'PutItem throttled ×3', first);
  });

  it('DynamoDB: throttled beyond maxAttempts → the error surfaces after exactly maxAttempts, and nothing was written', async () => {
    const { createBook } = await import('../../shared/use-cases/create-book.js');
    const { findBook } = await import('../../shared/books/book-repo.js');
    const { bookIdOf } = await import('../../shared/books/book.js');
    proxies.dynamodb.clear();
    proxies.dynamodb.throttle(100, is('.PutItem'));
    const inv = inventory();
    await expect(createBook(inv, ctx('hotich.binhan'))).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { attempts: MAX_ATTEMPTS } });
    const puts = proxies.dynamodb.attempts(is('.PutItem'));
    expect(puts).toHaveLength(MAX_ATTEMPTS);
    expect(puts.every((s) => s.answered === 'throttled')).toBe(true);
    proxies.dynamodb.clear();
    expect(await findBook(bookIdOf(inv))).toBeUndefined();
    record('DynamoDB', `PutItem throttled past maxAttempts (gives up)`, puts);
  });

  it('DynamoDB: two answers held past the client timeout → GetItem succeeds on attempt 3', async () => {
    const { createBook } = await import('../../shared/use-cases/create-book.js');
    const { getBook } = await import('../../shared/books/book-repo.js');
    const view = await createBook(inventory(), ctx('hotich.binhan'));
    proxies.dynamodb.clear();
    proxies.dynamodb.delay(2, TIMEOUT_MS * 3, is('.GetItem'));
    const started = Date.now();
    expect((await getBook(view.bookId)).bookId).toBe(view.bookId);
    const gets = proxies.dynamodb.attempts(is('.GetItem'));
    expect(gets.map((s) => s.answered)).toEqual(['delayed', 'delayed', 'forwarded']);
    // Each timed-out attempt took the timeout, not the proxy's hold.
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3 * 2);
    expectBackoff(gets, 3, TIMEOUT_MS);
    record('DynamoDB', `GetItem timed out ×2 (${TIMEOUT_MS} ms)`, gets);
  });

  it('S3: 503 SlowDown ×3 on PutObject and ×2 on a ranged GetObject → both succeed with the same bytes', async () => {
    const { putObject, getObjectRange } = await import('../../shared/aws/s3-objects.js');
    const { getConfig } = await import('../../shared/config.js');
    const bucket = getConfig().ARCHIVE_BUCKET;
    const key = `reports/throttle-test/${Date.now()}.bin`;
    const body = Buffer.from('dữ liệu thử giới hạn tốc độ '.repeat(50));
    proxies.s3.clear();
    proxies.s3.throttle(3, (op) => op.startsWith('PUT '));
    await putObject(bucket, key, body, 'application/octet-stream');
    const puts = proxies.s3.attempts((op) => op.startsWith('PUT '));
    expectBackoff(puts, 4, (BASE_MS * 5) / 2);
    record('S3', 'PutObject SlowDown ×3', puts);

    proxies.s3.clear();
    proxies.s3.throttle(2, (op) => op.startsWith('GET '));
    expect(await getObjectRange(bucket, key, 0, 100)).toEqual(body.subarray(0, 100));
    const gets = proxies.s3.attempts((op) => op.startsWith('GET '));
    expectBackoff(gets, 3, (BASE_MS * 5) / 2);
    record('S3', 'GetObject SlowDown ×2', gets);

    proxies.s3.clear();
    proxies.s3.delay(2, TIMEOUT_MS * 3, (op) => op.startsWith('GET '));
    expect(await getObjectRange(bucket, key, 100, 50)).toEqual(body.subarray(100, 150));
    const slow = proxies.s3.attempts((op) => op.startsWith('GET '));
    expect(slow.map((s) => s.answered)).toEqual(['delayed', 'delayed', 'forwarded']);
    record('S3', `GetObject timed out ×2 (${TIMEOUT_MS} ms)`, slow);
  });

  it('Step Functions: ThrottlingException ×3 on StartExecution → the book still reaches Entry; a held DescribeExecution is retried', async () => {
    const { createBook } = await import('../../shared/use-cases/create-book.js');
    const { submitAction } = await import('../../shared/use-cases/submit-action.js');
    const { getBook } = await import('../../shared/books/book-repo.js');
    const { describeExecution } = await import('../../shared/workflow/workflow-port.js');
    const view = await createBook(inventory(), ctx('hotich.binhan'));
    proxies.sfn.clear();
    proxies.sfn.throttle(3, is('.StartExecution'));
    await submitAction(view.bookId, { action: 'startDigitisation' }, ctx('hotich.binhan'));
    const starts = proxies.sfn.attempts(is('.StartExecution'));
    expectBackoff(starts, 4, (BASE_MS * 5) / 2);
    record('Step Functions', 'StartExecution ThrottlingException ×3', starts);
    const book = await waitFor(async () => {
      const b = await getBook(view.bookId);
      return b.stage === 'entry' && b.taskToken ? b : undefined;
    }, 'entry');
    expect(book.executionSeq).toBe(1);

    proxies.sfn.clear();
    proxies.sfn.delay(2, TIMEOUT_MS * 3, is('.DescribeExecution'));
    expect((await describeExecution(book.executionArn!)).status).toBe('RUNNING');
    const described = proxies.sfn.attempts(is('.DescribeExecution'));
    expect(described.map((s) => s.answered)).toEqual(['delayed', 'delayed', 'forwarded']);
    record('Step Functions', `DescribeExecution timed out ×2 (${TIMEOUT_MS} ms)`, described);
  });
});
