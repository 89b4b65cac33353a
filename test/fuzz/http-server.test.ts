// The real controller (SQLite history, its HTTP server with shortened timeouts, an agent that
// does not answer) under hostile clients: fuzzed requests on every documented route, bodies
// and headers over the limits, malformed HTTP, and slow clients trickling headers or bodies.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController, type RunningController } from '@cedar-store/controller';
import { ERROR_CODES } from '@cedar-store/domain';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../services/controller/src/http/openapi.js';
import {
  concretePath,
  contentEncoding,
  contentType,
  documentedRoutes,
  extraHeaders,
  fuzzBody,
  queryString,
} from './support/http-arbitraries.js';
import { parseRawAnswer, send, sendRaw, type RawAnswer } from './support/http-request.js';
import { FuzzTally } from './support/tally.js';

const TOKEN = 'fuzz-server-api-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ROUTES = documentedRoutes(buildOpenApiDocument());
/** Short enough that a test sees a slow client cut off, long enough for a loaded machine to send a request. */
const HEADERS_TIMEOUT_MS = 3000;
const REQUEST_TIMEOUT_MS = 5000;

let base: string;
let controller: RunningController;
let port: number;
const tally = new FuzzTally('http-server');

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'cedar-fuzz-http-'));
  controller = await startController(
    {
      listen: { host: '127.0.0.1', port: 0 },
      token: TOKEN,
      database: join(base, 'controller.db'),
      timeZone: 'UTC',
      // Nothing listens there: valid runs fail AGENT_UNREACHABLE, which is all a fuzzer needs.
      agents: [{ id: 'burner-1', url: 'ws://127.0.0.1:9/rpc', token: 'agent-token-0123456789abcdef' }],
      policy: {},
      devices: { 'burner-1/dvd0': {} },
    },
    pino({ level: 'silent' }),
    {
      http: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: 1000 },
      agentClient: { reconnect: { minDelayMs: 50, maxDelayMs: 500 }, unreachableGraceMs: 0 },
    },
  );
  port = controller.port;
});

afterAll(async () => {
  tally.print();
  await controller?.close();
  await rm(base, { recursive: true, force: true });
});

/** How many runs the history holds, read through the API as a user would. */
async function runCount(): Promise<number> {
  const answer = await send(port, { method: 'GET', target: '/api/v1/runs?limit=1000', headers: AUTH });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.text) as { runs: unknown[] }).runs.length;
}

function expectCodedError(answer: RawAnswer | { status: number; body: unknown }, status: number, what = ''): void {
  expect(answer.status, what).toBe(status);
  const body = 'text' in answer ? JSON.parse(answer.text) : answer.body;
  expect(body, what).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  expect(ERROR_CODES, what).toContain(body.error.code);
}

describe('the real controller under hostile clients', { timeout: 120_000 }, () => {
  it('never answers 500, always in the error shape, and records a run only for a 202', async () => {
    const request = fc
      .record({
        // Routes that take a body get more cases: that is where a run could be created.
        route: fc.oneof(
          fc.constantFrom(...ROUTES),
          fc.constantFrom(...ROUTES.filter((route) => route.method === 'POST')),
        ),
        query: queryString,
        body: fuzzBody,
        contentType,
        contentEncoding,
        extra: extraHeaders,
      })
      .chain((parts) => concretePath(parts.route.path).map((path) => ({ ...parts, path })));
    await fc.assert(
      fc.asyncProperty(request, async (parts) => {
        const before = await runCount();
        const answer = await send(port, {
          method: parts.route.method,
          target: `${parts.path}${parts.query}`,
          headers: {
            ...parts.extra,
            ...AUTH,
            ...(parts.contentType === undefined ? {} : { 'content-type': parts.contentType }),
            ...(parts.contentEncoding === undefined ? {} : { 'content-encoding': parts.contentEncoding }),
          },
          ...(parts.body === undefined ? {} : { body: parts.body }),
        });
        const what = `${parts.route.method} ${parts.path.slice(0, 200)}${parts.query.slice(0, 200)} ${String(parts.body).slice(0, 200)}`;
        expect(answer.status, what).not.toBe(500);
        if (answer.status >= 400) {
          expectCodedError(answer, answer.status, what);
          // The agent is down: 503 is right, but only as the code that says so.
          if (answer.status >= 500) expect(JSON.parse(answer.text).error.code, what).toMatch(/^AGENT_/);
        }
        expect(await runCount(), what).toBe(before + (answer.status === 202 ? 1 : 0));
        tally.record(answer.status, answer.status >= 400);
      }),
      { numRuns: 120 },
    );
  });

  it('refuses a body over 1 MiB with 413 and a body just under it on its merits, creating nothing', async () => {
    const before = await runCount();
    const padding = (bytes: number): string => JSON.stringify({ action: 'store', today: 'x'.repeat(bytes) });
    const over = await send(port, {
      method: 'POST',
      target: '/api/v1/runs',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: padding(1024 * 1024),
    });
    expectCodedError(over, 413);
    expect(JSON.parse(over.text).error.message).toMatch(/1 MiB/);
    const under = await send(port, {
      method: 'POST',
      target: '/api/v1/runs',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: padding(1024 * 1024 - 100),
    });
    expectCodedError(under, 400);
    expect(JSON.parse(under.text).error.message).toMatch(/today/);
    expect(await runCount()).toBe(before);
    tally.record(413, true);
    tally.record(400, true);
  });

  it('refuses headers over 16 KiB with 431 in the error shape, token or not', async () => {
    for (const headers of [
      { ...AUTH, 'x-padding': 'p'.repeat(17 * 1024) },
      { authorization: `Bearer ${'t'.repeat(17 * 1024)}` },
    ]) {
      const answer = await send(port, { method: 'GET', target: '/api/v1/runs', headers });
      expectCodedError(answer, 431);
      tally.record(431, true);
    }
  });

  it('answers malformed HTTP with 400 in the error shape and creates nothing', async () => {
    const before = await runCount();
    const body = '{"action":"store"}';
    const requests = [
      'NOT HTTP AT ALL\r\n\r\n',
      `POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 5\r\n\r\n${body}`,
      `POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      `POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
      `GET /api/v1/runs HTTP/1.1\r\nHost: x\r\nX-Bad\u0001Name: 1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
      `GET /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\u0000\r\n\r\n`,
      `GET /api/v1/runs\u0000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
      `GET /api/v1/runs HTTP/9.9\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    ];
    for (const raw of requests) {
      const answer = parseRawAnswer(await sendRaw(port, raw));
      expectCodedError(answer, 400, JSON.stringify(raw));
      tally.record(400, true);
    }
    expect(await runCount()).toBe(before);
  });

  it('cuts off clients trickling headers or bodies or saying nothing, and serves everyone else meanwhile', async () => {
    const before = await runCount();
    const trickle = (socket: Socket, first: string, drip: string): NodeJS.Timeout => {
      socket.write(first);
      return setInterval(() => {
        if (socket.writable) socket.write(drip);
      }, 100);
    };
    const slowClients = Array.from({ length: 12 }, (_, index) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('error', () => undefined);
      // Three kinds: headers trickled, a body trickled, and a client that connects and says nothing.
      const timer =
        index % 3 === 0
          ? trickle(socket, `GET /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n`, 'X')
          : index % 3 === 2
            ? trickle(socket, '', '')
            : trickle(
                socket,
                `POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"action":"store","today":"`,
                'x',
              );
      return new Promise<string>((resolve) =>
        socket.on('close', () => {
          clearInterval(timer);
          resolve(text);
        }),
      );
    });
    // While every slow client holds its connection, others are answered.
    for (let i = 0; i < 5; i++) {
      expect((await send(port, { method: 'GET', target: '/api/v1/runs', headers: AUTH })).status).toBe(200);
    }
    // Each slow client is cut off (the test's timeout bounds how long that may take) with a coded 408.
    const answers = await Promise.all(slowClients);
    for (const text of answers) {
      expectCodedError(parseRawAnswer(text), 408, text.slice(0, 200));
      tally.record(408, true);
    }
    // The trickled run requests never arrived whole, so none of them became a run.
    expect(await runCount()).toBe(before);
  });

  it('closes an idle keep-alive connection', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
  });
});
