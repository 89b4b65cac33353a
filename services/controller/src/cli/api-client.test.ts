import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, describeNetworkError } from './api-client.js';
import { UnreachableError } from './exit-codes.js';
import { DEFAULT_SETTINGS } from './settings.js';

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

/** A client of a server that answers every request with `body`. */
async function clientOf(body: string, handle?: (request: IncomingMessage) => void): Promise<ApiClient> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    handle?.(request);
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'x-token', DEFAULT_SETTINGS);
}

describe('ApiClient answers', () => {
  it('hands back a queued run with every field the controller sent, warnings defaulted', async () => {
    const client = await clientOf('{"id":"r1","action":"store","device":"a/b","status":"queued","requestedAt":"t"}');
    const run = await client.submitRun({ action: 'store' });
    expect(JSON.stringify(run)).toBe(
      '{"id":"r1","action":"store","device":"a/b","status":"queued","warnings":[],"requestedAt":"t"}',
    );
  });

  it('says which field of an answer is wrong, and that --url may not be a controller', async () => {
    const client = await clientOf('{"id":"","action":"store","device":"a/b","status":"done"}');
    const failure = await client.submitRun({ action: 'store' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnreachableError);
    expect((failure as Error).message).toMatch(
      /^the server at http:\/\/127\.0\.0\.1:\d+ does not answer like a cedar-store controller \(unexpected answer: .*→ at id.*→ at status\); check --url or CEDAR_STORE_URL\.$/,
    );
  });
});
