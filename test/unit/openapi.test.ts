import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../functions/openapi.js';
import { routeList } from '../../functions/routes.js';

describe('OpenAPI document', () => {
  it('describes every route with its roles, parameters and request schema', () => {
    const doc = buildOpenApi() as { paths: Record<string, Record<string, any>> };
    for (const r of routeList) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, r.name).toBeDefined();
      expect(op['x-roles']).toEqual(r.roles);
      if (r.body) {
        const schema = op.requestBody.content['application/json'].schema;
        expect(schema.type === 'object' || Array.isArray(schema.anyOf), r.name).toBe(true);
      }
    }
    const create = doc.paths['/books']!.post;
    expect(create.requestBody.content['application/json'].schema.properties.registerType.enum).toEqual(['KS', 'KH', 'KT', 'CMC', 'NCN', 'GH', 'TDCC']);
  });
});
