import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, createApiFixture } from '../testing/api-fixture.js';

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

  it('names a route for each route the app serves', async () => {
    const f = createApiFixture();
    const doc = (await request(f.app).get('/api/v1/openapi.json').set(AUTH)).body as Document;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        const concrete = path.replace('{agent}', 'burner-1').replace('{device}', 'dvd0').replace('{id}', 'no-such-run');
        const res = await request(f.app)[method as 'get' | 'post'](concrete).set(AUTH);
        expect(res.body?.error?.message ?? '', `${method} ${path}`).not.toMatch(/^no route/);
      }
    }
  });
});
