/**
 * Local API Gateway (HTTP API, payload 2.0): routes from the synthesised template, JWT checked like
 * the JWT authorizer, each request turned into the event the deployed function receives.
 * Local-only routes live under /dev (sign-in, demo users, mail) and never exist in AWS.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { demoUsers } from '../../shared/demo/demo-users.js';
import type { LocalAuth } from './auth.js';
import type { LocalRoute } from './cdk-model.js';
import type { LocalLambdas } from './lambda-runtime.js';

const MAX_BODY = 10 * 1024 * 1024;

export interface ApiServerOptions {
  host: string;
  port: number;
  routes: LocalRoute[];
  lambdas: LocalLambdas;
  auth: LocalAuth;
  mailUrl: string;
  webDir?: string;
  /** Extra info for GET /dev/info (endpoints of the local servers). */
  info?: Record<string, unknown>;
}

interface CompiledRoute extends LocalRoute {
  regex: RegExp;
  names: string[];
}

function compile(r: LocalRoute): CompiledRoute {
  const names: string[] = [];
  const pattern = r.path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)(\+?)\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...r, regex: new RegExp(`^${pattern}$`), names };
}

export async function startApiServer(opts: ApiServerOptions) {
  const routes = opts.routes.map(compile);
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error('[api] internal error', (err as Error).message);
      send(res, 500, { message: 'Internal Server Error' });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    cors(req, res);
    if (method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const body = await readBody(req);
    if (body === null) return send(res, 413, { message: 'Request Entity Too Large' });

    if (url.pathname.startsWith('/dev/')) return devRoute(method, url, body, res);

    const route = routes.find((r) => r.method === method && r.regex.test(url.pathname));
    if (!route) {
      if (method === 'GET' && opts.webDir && serveStatic(url.pathname, res)) return;
      return send(res, 404, { message: 'Not Found' });
    }
    const claims = await opts.auth.verify(req.headers.authorization);
    if (!claims) return send(res, 401, { message: 'Unauthorized' });

    const match = route.regex.exec(url.pathname)!;
    const pathParameters = Object.fromEntries(route.names.map((n, i) => [n, match[i + 1]!]));
    const event = toEvent(req, url, route, pathParameters, claims, body);
    let result: unknown;
    try {
      result = await opts.lambdas.invoke(route.functionArn, event);
    } catch (err) {
      console.error(`[api] ${route.routeKey} function error: ${(err as Error).name}`);
      return send(res, 500, { message: 'Internal Server Error' });
    }
    const r = normaliseResult(result);
    // API Gateway HTTP APIs name each request in the `apigw-requestid` response header.
    res.writeHead(r.statusCode ?? 200, { ...(r.headers as Record<string, string>), 'apigw-requestid': event.requestContext.requestId });
    res.end(r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
  }

  async function devRoute(method: string, url: URL, body: Buffer, res: http.ServerResponse) {
    if (method === 'POST' && url.pathname === '/dev/login') {
      let username: unknown;
      try {
        username = JSON.parse(body.toString('utf8')).username;
      } catch {
        return send(res, 400, { error: 'InvalidInput', message: 'Nội dung JSON không đọc được' });
      }
      const user = demoUsers.find((u) => u.username === username);
      if (!user) return send(res, 401, { error: 'Unauthenticated', message: 'Không có người dùng này' });
      return send(res, 200, { token: await opts.auth.sign(user), user });
    }
    if (method === 'GET' && url.pathname === '/dev/users') return send(res, 200, demoUsers);
    if (method === 'GET' && url.pathname === '/dev/mail') {
      const r = await fetch(`${opts.mailUrl}/store`);
      return send(res, r.status, await r.json());
    }
    if (method === 'GET' && url.pathname === '/dev/info') return send(res, 200, opts.info ?? {});
    return send(res, 404, { message: 'Not Found' });
  }

  function serveStatic(pathname: string, res: http.ServerResponse): boolean {
    const root = path.resolve(opts.webDir!);
    const file = path.resolve(root, `.${pathname === '/' ? '/index.html' : decodeURIComponent(pathname)}`);
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) return false;
    const types: Record<string, string> = {
      '.html': 'text/html; charset=utf-8',
      '.js': 'text/javascript; charset=utf-8',
      '.css': 'text/css; charset=utf-8',
      '.svg': 'image/svg+xml',
      '.json': 'application/json',
    };
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
    return true;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function toEvent(
  req: http.IncomingMessage,
  url: URL,
  route: CompiledRoute,
  pathParameters: Record<string, string>,
  claims: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  // Null-prototype maps: a parameter or header named "__proto__" must reach the function as a key (as
  // API Gateway's JSON event carries it), not vanish into the object's prototype.
  const headers: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = Object.create(null);
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = Date.now();
  const text = isText(headers['content-type']);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
    },
    body: body.length ? (text ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !text,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

function isText(contentType: string | undefined): boolean {
  return !contentType || /^(text\/|application\/(json|xml|x-www-form-urlencoded))/i.test(contentType);
}

/** Payload 2.0 rules: a plain object/string result means 200 with a JSON body. */
function normaliseResult(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === 'object' && 'statusCode' in result) return result as APIGatewayProxyStructuredResultV2;
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof result === 'string' ? result : JSON.stringify(result) };
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function cors(req: http.IncomingMessage, res: http.ServerResponse) {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
  res.setHeader('access-control-allow-headers', 'authorization,content-type');
  res.setHeader('access-control-allow-methods', 'GET,POST,PATCH,PUT,DELETE,OPTIONS');
  res.setHeader('access-control-max-age', '3600');
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
