import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.js';
import { lambdaContext, loadEvent, useLocalStackEnv } from '../support/handler-env.js';

useLocalStackEnv();
const kebab = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

describe('every API route has a real-shaped sample event its handler accepts', () => {
  for (const route of routeList) {
    it(`${route.method} ${route.path} ← events/api/${kebab(route.name)}.json`, async () => {
      const event = loadEvent(`api/${kebab(route.name)}.json`);
      expect(event.routeKey).toBe(`${route.method} ${route.path}`);
      const mod = (await import(`../../functions/${route.entry.replace(/\.ts$/, '.js')}`)) as { handler: (e: unknown, c: unknown) => Promise<any> };
      const res = await mod.handler(event, lambdaContext);
      // Against the local stack: success, or a domain answer (404 for an execution that does not exist,
      // 409 for an action not allowed now) — never a 500 or a validation error on the sample itself.
      expect([200, 201, 202, 404, 409], JSON.stringify(res)).toContain(res.statusCode);
      expect(res.headers['content-type']).toMatch(/application\/(json|vnd\.openxmlformats)/);
    });
  }

  it('a caller whose role is not on the route gets 403 from the handler too', async () => {
    const event = loadEvent('api/list-executions.json');
    event.requestContext.authorizer.jwt.claims['cognito:groups'] = '[commune_officer]';
    const { handler } = await import('../../functions/ops/list-executions.js');
    expect((await handler(event, lambdaContext as never)).statusCode).toBe(403);
  });
});
