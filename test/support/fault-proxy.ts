/**
 * A small HTTP proxy in front of one local AWS-compatible server (dynalite, the S3 front, the local
 * Step Functions). It forwards every request unchanged (Host header included, so signatures still
 * match), except that an armed rule answers matching requests with the service's own throttling
 * error, or holds them past the client's timeout. It records every request it sees, with its time
 * and the SDK's `amz-sdk-request: attempt=n; max=m` header, so tests can count attempts and measure
 * the backoff between them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Service = 'dynamodb' | 's3' | 'sfn';

export interface SeenRequest {
  at: number;
  method: string;
  path: string;
  /** `X-Amz-Target` (JSON protocols) or `METHOD /path` (S3). */
  operation: string;
  attempt: number | undefined;
  answered: 'forwarded' | 'throttled' | 'delayed';
}

interface Rule {
  match: (op: string) => boolean;
  remaining: number;
  action: { kind: 'throttle' } | { kind: 'delay'; ms: number };
}

/** The error each service answers when it throttles (shapes as AWS sends them). */
function throttleResponse(service: Service): { status: number; headers: Record<string, string>; body: string } {
  switch (service) {
    case 'dynamodb':
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'proxy-throttle' },
        body: JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        }),
      };
    case 's3':
      return {
        status: 503,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'proxy-throttle' },
        body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>proxy-throttle</RequestId></Error>',
      };
    case 'sfn':
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'proxy-throttle' },
        body: JSON.stringify({ __type: 'com.amazonaws.swf.base.model#ThrottlingException', message: 'Rate exceeded' }),
      };
  }
}

export interface FaultProxy {
  url: string;
  seen: SeenRequest[];
  /** The next `times` requests whose operation matches get the service's throttling error. */
  throttle(times: number, match?: (op: string) => boolean): void;
  /** The next `times` matching requests are held `ms` before being forwarded (past the client timeout). */
  delay(times: number, ms: number, match?: (op: string) => boolean): void;
  /** Requests seen for one operation since `since`. */
  attempts(match: (op: string) => boolean, since?: number): SeenRequest[];
  clear(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(service: Service, target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: Rule[] = [];
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target : `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const attemptHeader = /attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''));
    const rule = rules.find((r) => r.remaining > 0 && r.match(operation));
    if (rule) rule.remaining--;
    const entry: SeenRequest = {
      at: Date.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      operation,
      attempt: attemptHeader ? Number(attemptHeader[1]) : undefined,
      answered: 'forwarded',
    };
    seen.push(entry);
    if (rule?.action.kind === 'throttle') {
      entry.answered = 'throttled';
      const t = throttleResponse(service);
      req.resume();
      req.on('end', () => {
        res.writeHead(t.status, { ...t.headers, 'content-length': Buffer.byteLength(t.body) });
        res.end(t.body);
      });
      return;
    }
    const forward = () => {
      const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(up);
    };
    if (rule?.action.kind === 'delay') {
      entry.answered = 'delayed';
      let gone = false;
      res.on('close', () => {
        gone = true;
      });
      req.pause();
      setTimeout(() => {
        if (gone) return; // the client gave up: the request never reaches the service
        req.resume();
        forward();
      }, rule.action.ms);
      return;
    }
    forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const any = () => true;
  return {
    url,
    seen,
    throttle: (times, match = any) => {
      rules.push({ match, remaining: times, action: { kind: 'throttle' } });
    },
    delay: (times, ms, match = any) => {
      rules.push({ match, remaining: times, action: { kind: 'delay', ms } });
    },
    attempts: (match, since = 0) => seen.filter((s) => s.at >= since && match(s.operation)),
    clear: () => {
      rules.length = 0;
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Gaps in ms between consecutive requests. */
export function gaps(requests: readonly SeenRequest[]): number[] {
  return requests.slice(1).map((r, i) => r.at - requests[i]!.at);
}
