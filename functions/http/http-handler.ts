/**
 * Primary adapter plumbing for every HTTP route: identity → role check → zod parsing → use case →
 * JSON response; errors mapped once (`toErrorResponse`). Handlers stay a few lines.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { DomainError, Forbidden, InvalidInput } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import type { RequestContext } from '../../shared/request-context.js';
import { principalFromClaims } from '../../shared/users/claims.js';
import { getRoute, type RouteDef, type RouteName, type routes } from '../routes.js';

const MAX_BODY_BYTES = 64 * 1024;

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

type Field<R, K extends string> = R extends Record<K, infer T> ? Infer<T> : undefined;

export interface HttpRequest<R> {
  params: Field<R, 'params'>;
  query: Field<R, 'query'>;
  body: Field<R, 'body'>;
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
}

export interface HttpResult {
  status?: number;
  body?: unknown;
  /** A file download instead of JSON (API Gateway returns it decoded from base64). */
  file?: { content: Buffer; contentType: string; fileName: string };
}

export type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Wraps a use-case call as a Lambda handler for the named route of `functions/routes.ts`. */
export function httpHandler<N extends RouteName>(
  routeName: N,
  fn: (req: HttpRequest<(typeof routes)[N]>, ctx: RequestContext) => Promise<HttpResult>,
) {
  const route: RouteDef = getRoute(routeName);
  const core = async (event: Event, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const principal = principalFromClaims(event.requestContext?.authorizer?.jwt?.claims);
    if (!route.roles.includes(principal.role)) throw new Forbidden('Vai trò của bạn không được dùng chức năng này', { role: principal.role });
    const ctx: RequestContext = {
      principal,
      requestId: event.requestContext?.requestId ?? context.awsRequestId,
      now: new Date(event.requestContext?.timeEpoch ?? Date.now()).toISOString(),
    };
    logger.appendKeys({ route: route.name, requestId: ctx.requestId, role: principal.role, unit: principal.unit });
    const req = {
      params: parse(route.params, decodeParams(event.pathParameters), 'path'),
      query: parse(route.query, event.queryStringParameters ?? {}, 'query'),
      body: route.body ? parse(route.body, readJson(event), 'body') : undefined,
      event,
    } as HttpRequest<(typeof routes)[N]>;
    const result = await fn(req, ctx);
    if (result.file) {
      return {
        statusCode: result.status ?? 200,
        headers: {
          'content-type': result.file.contentType,
          'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(result.file.fileName)}`,
          'cache-control': 'no-store',
        },
        body: result.file.content.toString('base64'),
        isBase64Encoded: true,
      };
    }
    return json(result.status ?? 200, result.body);
  };
  return middy<Event, APIGatewayProxyStructuredResultV2>()
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        request.response = toErrorResponse(request.error, route.name);
      },
    })
    .handler(core);
}

function parse<T extends z.ZodType | undefined>(schema: T, value: unknown, where: string) {
  if (!schema) return undefined;
  const res = schema.safeParse(value);
  if (!res.success) {
    throw new InvalidInput('Dữ liệu gửi lên không hợp lệ', {
      issues: res.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message, code: i.code })),
    });
  }
  return res.data;
}

function decodeParams(p: Record<string, string | undefined> | undefined) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p ?? {})) {
    if (v === undefined) continue;
    try {
      out[k] = v.includes('%') ? decodeURIComponent(v) : v;
    } catch {
      throw new InvalidInput('Tham số đường dẫn không hợp lệ', { issues: [{ path: `path.${k}`, message: 'bad encoding' }] });
    }
  }
  return out;
}

function readJson(event: Event): unknown {
  const ct = event.headers?.['content-type'] ?? '';
  if (!ct.toLowerCase().startsWith('application/json')) {
    throw new InvalidInput('Nội dung phải là JSON (Content-Type: application/json)', { issues: [{ path: 'headers.content-type', message: ct || 'missing' }] });
  }
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw new InvalidInput('Nội dung quá lớn', { issues: [{ path: 'body', message: `> ${MAX_BODY_BYTES} bytes` }] });
  try {
    return JSON.parse(raw);
  } catch {
    throw new InvalidInput('Nội dung JSON không đọc được', { issues: [{ path: 'body', message: 'malformed JSON' }] });
  }
}

export function json(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** The single mapping of errors to HTTP: domain errors keep their status and message; anything else is a plain 500. */
export function toErrorResponse(err: unknown, routeName: string): APIGatewayProxyStructuredResultV2 {
  if (err instanceof DomainError && err.status < 500) {
    return json(err.status, { error: err.code, message: err.message, details: err.details });
  }
  const status = (err as { statusCode?: number; expose?: boolean })?.statusCode;
  if (status && status < 500 && (err as { expose?: boolean }).expose) {
    return json(status, { error: 'BadRequest', message: (err as Error).message });
  }
  logger.error('Unhandled error', { route: routeName, error: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack });
  return json(500, { error: 'InternalError', message: 'Lỗi hệ thống, vui lòng thử lại sau' });
}
