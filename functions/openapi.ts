/** Builds the OpenAPI 3.1 document from the route table's zod schemas (zod 4's JSON Schema export). */
import { z } from 'zod';
import { ErrorBody, routeList } from './routes.js';

export function buildOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routeList) {
    const params = [
      ...Object.keys(r.params?.shape ?? {}).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...Object.entries(r.query?.shape ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: toSchema(s as z.ZodType, 'input') })),
    ];
    paths[r.path] = paths[r.path] ?? {};
    paths[r.path]![r.method.toLowerCase()] = {
      operationId: r.name,
      summary: r.summary,
      'x-roles': r.roles,
      security: [{ jwt: [] }],
      parameters: params,
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(r.body, 'input') } } } } : {}),
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: toSchema(r.response, 'output') } } },
        '4XX': { description: 'Lỗi dữ liệu, quyền hoặc trạng thái', content: { 'application/json': { schema: toSchema(ErrorBody, 'output') } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Số hóa sổ hộ tịch – API', version: '1' },
    components: { securitySchemes: { jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}

function toSchema(schema: z.ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}
