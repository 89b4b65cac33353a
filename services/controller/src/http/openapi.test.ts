import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, createApiFixture } from '../testing/api-fixture.js';
import { DASHBOARD_PAGES } from './dashboard-routes.js';

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; parameters?: Array<{ name: string; in: string }> }>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { additionalProperties?: unknown }> };
  security: unknown[];
};

describe('GET /api/v1/openapi.json', () => {
  it('describes every route, generated from the schemas the routes validate with', async () => {
    const f = createApiFixture();
    const res = await request(f.app).get('/api/v1/openapi.json').set(AUTH);
    expect(res.status).toBe(200);
    const doc = res.body as Document;

    expect(doc.openapi).toBe('3.1.0');
    expect(Object.fromEntries(Object.entries(doc.paths).map(([path, item]) => [path, Object.keys(item)]))).toEqual({
      '/healthz': ['get'],
      '/readyz': ['get'],
      '/metrics': ['get'],
      '/api/v1/devices': ['get'],
      '/api/v1/devices/{agent}/{device}/media': ['get'],
      '/api/v1/runs': ['post', 'get'],
      '/api/v1/runs/{id}': ['get'],
      '/api/v1/runs/{id}/events': ['get'],
      '/api/v1/runs/{id}/cancel': ['post'],
      '/api/v1/media': ['get'],
      '/api/v1/discs/{disc}/manifest': ['get'],
      '/api/v1/files': ['get'],
      '/api/v1/openapi.json': ['get'],
    });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/healthz']?.get?.security).toEqual([]);
    expect(doc.components.schemas.SubmitRun?.additionalProperties).toBe(false);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Run', 'RunList', 'RunEvent', 'Error', 'Devices', 'MediaStatus', 'MediaCatalog']),
    );
    expect(doc.paths['/api/v1/runs']?.get?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual([
      'query:status',
      'query:device',
      'query:limit',
    ]);
  });

  it('documents exactly the routes the app serves, no more and no fewer', async () => {
    const f = createApiFixture();
    const doc = (await request(f.app).get('/api/v1/openapi.json').set(AUTH)).body as Document;
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );

    // The dashboard's pages are static files, no API: docs/dashboard.md describes them.
    const pages = DASHBOARD_PAGES.map((path) => `get ${path.replace(/:(\w+)/g, '{$1}')}`);
    const api = servedRoutes(f.app).filter((route) => !pages.includes(route));
    expect(api.sort()).toEqual([...documented].sort());

    // The walk above reads express internals; the app answering each documented route keeps it honest.
    for (const route of documented) {
      const [method, path] = route.split(' ') as ['get' | 'post', string];
      const concrete = path.replace('{agent}', 'burner-1').replace('{device}', 'dvd0').replace('{id}', 'no-such-run');
      const res = await request(f.app)[method](concrete).set(AUTH);
      expect(res.body?.error?.message ?? '', route).not.toMatch(/^no route/);
    }
  });
});

type RouterLayer = {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
  slash: boolean;
  rawPath?: unknown;
};

/** Every `method path` the app routes, walked from express 5's router stack, with `:id` written `{id}`. */
function servedRoutes(app: ReturnType<typeof createApiFixture>['app']): string[] {
  const walk = (stack: RouterLayer[], prefix: string): string[] =>
    stack.flatMap((layer) => {
      if (layer.route) {
        const { path, methods } = layer.route;
        if (typeof path !== 'string') throw new Error(`route path ${String(path)} is not a string`);
        const openApiPath = `${prefix}${path}`.replace(/:(\w+)/g, '{$1}');
        return Object.keys(methods).map((method) => {
          if (method === '_all') throw new Error(`${openApiPath} answers every method, which OpenAPI cannot name`);
          return `${method} ${openApiPath}`;
        });
      }
      if (!layer.handle.stack) return [];
      if (!layer.slash && typeof layer.rawPath !== 'string') throw new Error('a router is mounted on a pattern');
      return walk(layer.handle.stack, layer.slash ? prefix : `${prefix}${String(layer.rawPath)}`);
    });
  return walk((app.router as unknown as { stack: RouterLayer[] }).stack, '');
}
