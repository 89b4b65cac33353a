import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer, type HttpServerLimits } from './http-server.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function listen(
  handler: Parameters<typeof createApiServer>[0],
  limits: Partial<HttpServerLimits> = {},
): Promise<number> {
  server = createApiServer(handler, limits);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Everything the server writes on one connection until it closes it. */
async function exchange(port: number, write: (socket: Socket) => void): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  write(socket);
  await once(socket, 'close');
  return text;
}

function errorOf(text: string): { status: number; body: { error: { code: string; message: string } } } {
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]),
    body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)),
  };
}

describe('the API server', () => {
  it('answers headers over the limit with 431 in the API error shape', async () => {
    const port = await listen((_req, res) => res.end('ok'));
    const text = await exchange(port, (socket) =>
      socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`),
    );
    const { status, body } = errorOf(text);
    expect(status).toBe(431);
    expect(body.error).toEqual({ code: 'INVALID_REQUEST', message: expect.stringMatching(/headers are too large/) });
  });

  it('answers a request that is not HTTP with 400 in the API error shape', async () => {
    const port = await listen((_req, res) => res.end('ok'));
    const text = await exchange(port, (socket) => socket.write('HELLO THERE\r\n\r\n'));
    expect(errorOf(text)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
  });

  it('cuts off a client that trickles its headers, with 408, while others are served', async () => {
    const port = await listen((_req, res) => res.end('ok'), { headersTimeoutMs: 300, requestTimeoutMs: 600 });
    let trickle: NodeJS.Timeout | undefined;
    const slow = exchange(port, (socket) => {
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      trickle = setInterval(() => socket.writable && socket.write('X'), 50);
    });
    const fast = await fetch(`http://127.0.0.1:${port}/`);
    expect(await fast.text()).toBe('ok');
    const text = await slow;
    clearInterval(trickle);
    expect(errorOf(text)).toMatchObject({ status: 408, body: { error: { code: 'INVALID_REQUEST' } } });
  });

  it('does not cut a response that streams longer than the request timeout', async () => {
    const port = await listen(
      (_req, res) => {
        let sent = 0;
        const timer = setInterval(() => {
          res.write(`${sent}\n`);
          if (++sent === 10) {
            clearInterval(timer);
            res.end();
          }
        }, 100);
      },
      { headersTimeoutMs: 200, requestTimeoutMs: 200 },
    );
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect((await response.text()).trim().split('\n')).toHaveLength(10);
  });
});
