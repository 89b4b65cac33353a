// The controller's HTTP API (the real express app over in-memory adapters, behind the real
// HTTP server settings) fuzzed with fast-check: every documented route, random path segments,
// query strings, bodies and headers. A user must never see a 500 or an answer in another
// shape than { error: { code, message } }, and a refused request must never create a run.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_CODES } from '@cedar-store/domain';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../services/controller/src/http/openapi.js';
import { createApiServer } from '../../services/controller/src/server/http-server.js';
import { API_TOKEN, createApiFixture } from '../../services/controller/src/testing/api-fixture.js';
import {
  concretePath,
  contentEncoding,
  contentType,
  documentedRoutes,
  extraHeaders,
  fuzzBody,
  queryString,
  wrongAuthorization,
  type Route,
} from './support/http-arbitraries.js';
import { send, type FuzzRequest, type RawAnswer } from './support/http-request.js';
import { FuzzTally } from './support/tally.js';

const ROUTES = documentedRoutes(buildOpenApiDocument());
const OTHER_METHODS = ['PUT', 'DELETE', 'PATCH'];
const MAX_MESSAGE_LENGTH = 1000;

let fixture: ReturnType<typeof createApiFixture>;
let server: Server;
let port: number;
const tally = new FuzzTally('http-app');

beforeAll(async () => {
  fixture = createApiFixture();
  // Staged so that a request which does pass validation has real work to do.
  fixture.device().staging.addDay('2026-11-26', { 'a.txt': 'a' });
  server = createApiServer(fixture.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  tally.print();
  await fixture.coordinator.drain();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The request a property sends: a route, a way to write its path, a query, a body and headers. */
function fuzzRequest(authorization: fc.Arbitrary<string | string[] | undefined>, routes: Route[] = ROUTES) {
  return fc
    .record({
      // Routes that take a body get more cases: that is where a run could be created.
      route: fc.oneof(
        fc.constantFrom(...routes),
        fc.constantFrom(...routes.filter((route) => route.method === 'POST')),
      ),
      otherMethod: fc.oneof(
        { weight: 9, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
      ),
      path: fc.constant(null),
      query: queryString,
      body: fuzzBody,
      contentType,
      contentEncoding,
      extra: extraHeaders,
      authorization,
    })
    .chain((parts) => concretePath(parts.route.path).map((path) => ({ ...parts, path })))
    .map((parts): FuzzRequest & { route: Route } => ({
      route: parts.route,
      method: parts.otherMethod ?? parts.route.method,
      target: `${parts.path}${parts.query}`,
      headers: {
        ...parts.extra,
        ...(parts.authorization === undefined ? {} : { authorization: parts.authorization }),
        ...(parts.contentType === undefined ? {} : { 'content-type': parts.contentType }),
        ...(parts.contentEncoding === undefined ? {} : { 'content-encoding': parts.contentEncoding }),
      },
      ...(parts.body === undefined ? {} : { body: parts.body }),
    }));
}

/** What every answer must be, whatever was asked: no 500, and errors in the API's one shape. */
function expectWellFormed(answer: RawAnswer, what: string): void {
  expect(answer.status, what).toBeLessThan(500);
  if (answer.status < 400) return;
  expect(answer.headers['content-type'], what).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
  expect(Object.keys(body), what).toEqual(['error']);
  expect(Object.keys(body.error ?? {}).sort(), what).toEqual(['code', 'message']);
  expect(ERROR_CODES, what).toContain(body.error?.code);
  expect(body.error?.message, what).toEqual(expect.any(String));
  expect((body.error?.message as string).length, what).toBeGreaterThan(0);
  // Whatever size the request, the message stays readable: client input is never echoed at length.
  expect((body.error?.message as string).length, what).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
}

/** The size of the request line and headers as sent, which Node's header limit applies to. */
function headerBytes(req: FuzzRequest): number {
  const lines = Object.entries(req.headers ?? {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}\r\n`),
  );
  return Buffer.byteLength(`${req.method} ${req.target} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('')}`) + 100;
}

const describeRequest = (req: FuzzRequest): string =>
  `${req.method} ${req.target.slice(0, 200)} ${JSON.stringify(req.headers).slice(0, 300)} ${String(req.body).slice(0, 200)}`;

describe('the HTTP API under hostile input', { timeout: 120_000 }, () => {
  it('fuzzes the documented routes from the OpenAPI document, all of them', () => {
    expect(ROUTES.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/runs',
        'GET /api/v1/runs/{id}',
        'GET /api/v1/devices/{agent}/{device}/media',
      ]),
    );
  });

  it('with the token: never a 500, errors always coded, and a run is created only by a 202', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest(fc.constant(`Bearer ${API_TOKEN}`)), async (req) => {
        const before = (await fixture.runs.list({ limit: 10_000 })).length;
        const answer = await send(port, req);
        const what = describeRequest(req);
        expectWellFormed(answer, what);
        const after = (await fixture.runs.list({ limit: 10_000 })).length;
        expect(after, what).toBe(before + (answer.status === 202 ? 1 : 0));
        if (answer.status === 202) expect(`${req.method} ${req.route.path}`).toBe('POST /api/v1/runs');
        expect(({} as Record<string, unknown>).polluted, what).toBeUndefined();
        tally.record(answer.status, answer.status >= 400);
      }),
      { numRuns: 300 },
    );
  });

  it('without the right token: 401 UNAUTHORIZED before anything else is looked at, and nothing created', async () => {
    const guarded = ROUTES.filter((route) => route.needsToken);
    await fc.assert(
      fc.asyncProperty(fuzzRequest(wrongAuthorization(API_TOKEN), guarded), async (req) => {
        const before = (await fixture.runs.list({ limit: 10_000 })).length;
        const answer = await send(port, req);
        const what = describeRequest(req);
        // Node refuses a request whose headers exceed its limit before any code of ours runs.
        const size = headerBytes(req);
        if (size > 17_000) expect(answer.status, what).toBe(431);
        else if (size < 15_000) expect(answer.status, what).toBe(401);
        if (answer.status === 431) {
          expectWellFormed(answer, what);
          tally.record(431, true);
          return;
        }
        expect(answer.status, what).toBe(401);
        expectWellFormed(answer, what);
        expect(JSON.parse(answer.text).error.code, what).toBe('UNAUTHORIZED');
        expect(answer.headers['www-authenticate'], what).toMatch(/^Bearer /);
        expect((await fixture.runs.list({ limit: 10_000 })).length, what).toBe(before);
        tally.record(answer.status, true);
      }),
      { numRuns: 200 },
    );
  });

  it('still answers after all of that', async () => {
    const health = await send(port, { method: 'GET', target: '/healthz' });
    expect(health.status).toBe(200);
    const runs = await send(port, {
      method: 'GET',
      target: '/api/v1/runs',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(runs.status).toBe(200);
  });
});
