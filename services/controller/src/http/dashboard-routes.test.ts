import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiFixture } from '../testing/api-fixture.js';
import { DASHBOARD_CSP, dashboardRoutes } from './dashboard-routes.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cedar-dashboard-routes-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>cedar-store</title>');
  await writeFile(join(root, 'assets/app.js'), 'console.log(1);');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const app = (at: string | undefined) => express().use(dashboardRoutes(at));

describe('the dashboard files', () => {
  it('serves the page at each view path without a token, under a strict policy', async () => {
    for (const path of ['/', '/runs', '/runs/some-run', '/media', '/actions']) {
      const res = await request(app(root)).get(path);
      expect(res.status, path).toBe(200);
      expect(res.type, path).toBe('text/html');
      expect(res.text).toContain('<title>cedar-store</title>');
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|data:/);
  });

  it('serves its assets by type with nosniff, and nothing outside the assets folder', async () => {
    const js = await request(app(root)).get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.type).toMatch(/^(text|application)\/javascript$/);
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect((await request(app(root)).get('/assets/../index.html')).status).not.toBe(200);
    expect((await request(app(root)).get('/assets/%2e%2e/index.html')).status).not.toBe(200);
    expect((await request(app(root)).get('/assets/missing.js')).status).toBe(404);
  });

  it('says how to build it when it is not built', async () => {
    const res = await request(app(join(root, 'nothing-here'))).get('/');
    expect(res.status).toBe(503);
    expect(res.text).toContain('npm run build');
  });
});

describe('the dashboard beside the API', () => {
  it('asks no token for the page, and the API still refuses a request without one', async () => {
    const f = createApiFixture();
    expect((await request(f.app).get('/')).status).not.toBe(401);
    const api = await request(f.app).get('/api/v1/runs');
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('UNAUTHORIZED');
    // A write to a page path is no page: it meets the token check like any other request.
    expect((await request(f.app).post('/runs')).status).toBe(401);
  });
});
