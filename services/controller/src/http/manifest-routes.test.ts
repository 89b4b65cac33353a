import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, createApiFixture } from '../testing/api-fixture.js';

describe('the manifest and files routes', () => {
  it('answer 404 for a disc the catalog does not have, naming the command that lists discs', async () => {
    const res = await request(createApiFixture().app).get('/api/v1/discs/7/manifest').set(AUTH);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.message).toContain('cedar-store media');
  });

  it('find answers an empty page when no manifest holds a match', async () => {
    const res = await request(createApiFixture().app).get('/api/v1/files?glob=report.txt').set(AUTH);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ files: [], nextCursor: null });
  });

  it.each([
    ['/api/v1/files', 'glob'],
    ['/api/v1/files?glob=%2Fetc%2Fhosts', 'starts with "/"'],
    ['/api/v1/files?glob=x&limit=1001', 'limit'],
    ['/api/v1/files?glob=x&day=2026-02-30', 'day'],
    ['/api/v1/files?glob=x&cursor=bm9wZQ', 'cursor'],
    ['/api/v1/files?glob=x&sort=path', 'unknown parameter "sort"'],
    ['/api/v1/discs/1/manifest?limit=0', 'limit'],
  ])('refuses %s with 400 naming %s, searching nothing', async (path, named) => {
    const res = await request(createApiFixture().app).get(path).set(AUTH);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.message).toContain(named);
  });
});
