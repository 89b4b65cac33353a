import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, describeNetworkError } from './api-client.js';
import { UnreachableError } from './exit-codes.js';
import { DEFAULT_SETTINGS } from './settings.js';
import type { ClientSettings } from './settings.js';

describe('describeNetworkError', () => {
  it('digs the socket error out of fetch', () => {
    const error = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:7700') });
    expect(describeNetworkError(error)).toBe('connect ECONNREFUSED 127.0.0.1:7700');
  });

  it('names every address tried', () => {
    const cause = new AggregateError([
      new Error('connect ECONNREFUSED ::1:7700'),
      new Error('connect ECONNREFUSED 127.0.0.1:7700'),
    ]);
    expect(describeNetworkError(new TypeError('fetch failed', { cause }))).toBe(
      'connect ECONNREFUSED ::1:7700; connect ECONNREFUSED 127.0.0.1:7700',
    );
  });
});

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

/** A client of a server that hands every request, with its body, to `handle`. */
async function clientOf(handle: Handler, settings: Partial<ClientSettings> = {}): Promise<ApiClient> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => handle(request, response, body));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return new ApiClient(url, 'x-token', { ...DEFAULT_SETTINGS, ...settings });
}

const answering =
  (body: string): Handler =>
  (_request, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);

const QUEUED = '{"id":"r1","action":"store","device":"a/b","status":"queued","requestedAt":"t"}';

describe('ApiClient answers', () => {
  it('sends the token and the request as JSON, and hands back the run with every field, warnings defaulted', async () => {
    let seen: { headers: IncomingMessage['headers']; method?: string; url?: string; body: string } | undefined;
    const client = await clientOf((request, response, body) => {
      seen = { headers: request.headers, method: request.method, url: request.url, body };
      answering(QUEUED)(request, response, body);
    });
    const run = await client.submitRun({ action: 'store', device: 'burner-1/dvd0', today: '2025-02-05' });
    expect(JSON.stringify(run)).toBe(
      '{"id":"r1","action":"store","device":"a/b","status":"queued","warnings":[],"requestedAt":"t"}',
    );
    expect(seen).toMatchObject({ method: 'POST', url: '/api/v1/runs' });
    expect(seen!.headers).toMatchObject({ authorization: 'Bearer x-token', 'content-type': 'application/json' });
    expect(JSON.parse(seen!.body)).toEqual({ action: 'store', device: 'burner-1/dvd0', today: '2025-02-05' });
  });

  it('says which field of an answer is wrong, and that --url may not be a controller', async () => {
    const client = await clientOf(answering('{"id":"","action":"store","device":"a/b","status":"done"}'));
    const failure = await client.submitRun({ action: 'store' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnreachableError);
    expect((failure as Error).message).toMatch(
      /^the server at http:\/\/127\.0\.0\.1:\d+ does not answer like a cedar-store controller \(unexpected answer: .*→ at id.*→ at status\); check --url or CEDAR_STORE_URL\.$/,
    );
  });

  it('follows a redirect, as a proxy in front of the controller may send one', async () => {
    const client = await clientOf((request, response, body) => {
      if (request.url?.startsWith('/moved/')) answering(QUEUED)(request, response, body);
      else response.writeHead(307, { location: `/moved${request.url}` }).end();
    });
    expect((await client.submitRun({ action: 'store' })).id).toBe('r1');
  });

  it('calls an answer cut off halfway an unreachable controller (exit 3), not a crash', async () => {
    const client = await clientOf((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      response.write('{"id":', () => request.socket.destroy());
    });
    const failure = await client.getRun('r1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnreachableError);
    expect((failure as Error).message).toMatch(/^cannot reach the controller at http:\/\/127\.0\.0\.1:\d+ \(/);
  });

  it('gives up on a controller that does not answer within the request timeout', async () => {
    const client = await clientOf(() => undefined, { requestTimeoutMs: 200 });
    const failure = await client.getRun('r1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnreachableError);
    expect((failure as Error).message).toContain('(no answer within 200 ms)');
  });
});
