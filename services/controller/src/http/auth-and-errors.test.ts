import { Writable } from 'node:stream';
import {
  AgentLostError,
  AgentUnreachableError,
  DeviceBusyError,
  DeviceMountedError,
  ERROR_CODES,
  MediaFullError,
  ToolMissingError,
  WriteFailedError,
} from '@cedar-store/domain';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { API_TOKEN, AUTH, createApiFixture } from '../testing/api-fixture.js';
import { statusForCode } from './errors.js';

const PROTECTED: Array<[method: 'get' | 'post', path: string]> = [
  ['get', '/readyz'],
  ['get', '/metrics'],
  ['get', '/api/v1/devices'],
  ['get', '/api/v1/devices/burner-1/dvd0/media'],
  ['post', '/api/v1/runs'],
  ['get', '/api/v1/runs'],
  ['get', '/api/v1/runs/some-run'],
  ['get', '/api/v1/runs/some-run/events'],
  ['post', '/api/v1/runs/some-run/cancel'],
  ['get', '/api/v1/media'],
  ['get', '/api/v1/openapi.json'],
  ['get', '/api/v1/no-such-route'],
];

describe('the bearer token', () => {
  it('is not needed for /healthz, which says ok', async () => {
    const f = createApiFixture();
    const res = await request(f.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it.each(PROTECTED)('is required for %s %s: 401 UNAUTHORIZED with WWW-Authenticate', async (method, path) => {
    const f = createApiFixture();
    const res = await request(f.app)[method](path);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.body.error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/^missing bearer token/),
    });
  });

  it.each([
    ['a wrong token', `Bearer ${API_TOKEN}x`],
    ['a prefix of the token', `Bearer ${API_TOKEN.slice(0, -1)}`],
    ['another scheme', `Basic ${Buffer.from(`user:${API_TOKEN}`).toString('base64')}`],
    ['the bare token', API_TOKEN],
  ])('refuses %s, and a refused POST queues nothing', async (_case, authorization) => {
    const f = createApiFixture();
    const res = await request(f.app)
      .post('/api/v1/runs')
      .set('Authorization', authorization)
      .send({ action: 'initialize' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(await f.runs.list()).toEqual([]);
  });

  it('is checked before the body is read: an oversized body without a token is still 401', async () => {
    const f = createApiFixture();
    const res = await request(f.app)
      .post('/api/v1/runs')
      .send({ action: 'store', padding: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(401);
  });

  it('never reaches the log, which still has one line per request', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const f = createApiFixture({ logger: pino({ level: 'debug' }, sink) });
    await request(f.app).get('/api/v1/runs').set(AUTH);
    await request(f.app).get('/api/v1/runs').set('Authorization', 'Bearer guessed-token');
    await request(f.app).post('/api/v1/runs').set(AUTH).send({ action: 'initialize' });
    await f.coordinator.drain();

    const log = lines.join('');
    expect(log).not.toContain(API_TOKEN);
    expect(log).not.toContain('guessed-token');
    expect(log.toLowerCase()).not.toContain('authorization');
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries.filter((entry) => entry.msg === 'request completed')).toHaveLength(3);
    expect(entries.find((entry) => entry.msg === 'run queued')).toMatchObject({
      device: 'burner-1/dvd0',
      action: 'initialize',
    });
  });
});

describe('errors', () => {
  it('answer an unknown route with 404 INVALID_REQUEST naming it', async () => {
    const f = createApiFixture();
    const res = await request(f.app).delete('/api/v1/runs').set(AUTH);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^no route DELETE \/api\/v1\/runs/),
    });
  });

  it('hide internal failures behind a generic message, without stack or detail', async () => {
    const f = createApiFixture();
    vi.spyOn(f.catalog, 'list').mockRejectedValue(new Error('SQLITE_CORRUPT at /var/lib/cedar-store/controller.db'));

    const res = await request(f.app).get('/api/v1/media').set(AUTH);

    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(res.body.error.message).toMatch(
      /^internal error: the controller log has the details \(request [0-9a-f-]{36}\)$/,
    );
    expect(res.text).not.toContain('SQLITE');
    expect(res.text).not.toContain('at ');
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('send no x-powered-by header and no caching', async () => {
    const f = createApiFixture();
    const res = await request(f.app).get('/api/v1/runs').set(AUTH);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each([
    [new DeviceBusyError('burner-1/dvd0 is writing'), 409, 'DEVICE_BUSY'],
    [new DeviceMountedError('the device is mounted: unmount it'), 409, 'DEVICE_MOUNTED'],
    [new MediaFullError('the disc is full: run cedar-store rebuild'), 409, 'MEDIA_FULL'],
    [new AgentUnreachableError('agent burner-1 does not answer'), 503, 'AGENT_UNREACHABLE'],
    [new AgentLostError('agent burner-1 went away'), 503, 'AGENT_LOST'],
    [new ToolMissingError('xorriso is missing: apt install xorriso'), 503, 'TOOL_MISSING'],
  ])('from the agent keep their code and message: %s', async (error, status, code) => {
    const f = createApiFixture();
    f.device().drive.failNext('status', error);
    const res = await request(f.app).get('/api/v1/devices/burner-1/dvd0/media').set(AUTH);
    expect(res.status).toBe(status);
    expect(res.body.error).toEqual({ code, message: error.message });
  });

  it('with a code that is no client business become 500 INTERNAL with a generic message', async () => {
    const f = createApiFixture();
    f.device().drive.failNext('status', new WriteFailedError('wodim: /dev/sr0: Input/output error'));
    const res = await request(f.app).get('/api/v1/devices/burner-1/dvd0/media').set(AUTH);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(res.text).not.toContain('wodim');
  });

  it('map every stable code to its status', () => {
    expect(Object.fromEntries(ERROR_CODES.map((code) => [code, statusForCode(code)]))).toEqual({
      NO_STAGING_DIRECTORY: 500,
      MEDIA_NOT_INITIALIZED: 409,
      MEDIA_NOT_REWRITABLE: 409,
      MEDIA_FULL: 409,
      DEVICE_MOUNTED: 409,
      DEVICE_BUSY: 409,
      DEVICE_UNKNOWN: 404,
      TOOL_MISSING: 503,
      WRITE_FAILED: 500,
      VERIFY_FAILED: 500,
      WRONG_DISC: 409,
      AGENT_UNREACHABLE: 503,
      AGENT_LOST: 503,
      INVALID_REQUEST: 400,
      UNAUTHORIZED: 401,
      INTERNAL: 500,
    });
  });
});
