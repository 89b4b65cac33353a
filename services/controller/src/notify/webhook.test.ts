import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookTargetConfig } from '../config/notify-config.js';
import { postWebhook, SIGNATURE_HEADER, webhookOrigin } from './webhook.js';

let dir: string;
let cert: string;
let key: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cedar-webhook-'));
  // A self-signed certificate for 127.0.0.1: the receiver's private CA.
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  cert = await readFile(join(dir, 'cert.pem'), 'utf8');
  key = await readFile(join(dir, 'key.pem'), 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Received = { headers: IncomingMessage['headers']; body: string };

async function receiver(
  create: (handler: (request: IncomingMessage, response: ServerResponse) => void) => Server,
  answer: (response: ServerResponse) => void = (response) => response.writeHead(200).end('ok'),
) {
  const received: Received[] = [];
  const server = create((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
      answer(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

const target = (url: string, extra: Partial<WebhookTargetConfig> = {}): WebhookTargetConfig => ({
  kind: 'webhook',
  name: 'hook',
  on: ['failed'],
  url,
  headers: {},
  ...extra,
});

const body = JSON.stringify({ event: 'failed', summary: 'a summary' });
const noAbort = new AbortController().signal;

describe('postWebhook', () => {
  it('signs the exact body with the secret, and sends no signature without one', async () => {
    const http = await receiver((handler) => createHttpServer(handler));
    await postWebhook(target(`http://127.0.0.1:${http.port}/hook`, { secret: 'the-secret' }), body, noAbort);
    await postWebhook(target(`http://127.0.0.1:${http.port}/hook`), body, noAbort);
    await http.close();
    const [signed, unsigned] = http.received;
    expect(signed!.body).toBe(body);
    expect(signed!.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(
      `sha256=${createHmac('sha256', 'the-secret').update(body).digest('hex')}`,
    );
    expect(unsigned!.headers[SIGNATURE_HEADER.toLowerCase()]).toBeUndefined();
  });

  it('trusts an https receiver signed by caFile, and refuses it without', async () => {
    const https = await receiver((handler) => createHttpsServer({ cert, key }, handler));
    const url = `https://127.0.0.1:${https.port}/hook`;
    await postWebhook(target(url, { ca: cert }), body, noAbort);
    await expect(postWebhook(target(url), body, noAbort)).rejects.toThrow(/self-signed certificate/);
    await https.close();
    expect(https.received).toHaveLength(1);
  });

  it('fails on an answer other than 2xx, naming the status', async () => {
    const http = await receiver(
      (handler) => createHttpServer(handler),
      (response) => response.writeHead(503).end(),
    );
    await expect(postWebhook(target(`http://127.0.0.1:${http.port}/`), body, noAbort)).rejects.toThrow(
      'the receiver answered HTTP 503',
    );
    await http.close();
  });

  it('gives up on a receiver that does not answer', async () => {
    const http = await receiver(
      (handler) => createHttpServer(handler),
      () => undefined,
    );
    await expect(postWebhook(target(`http://127.0.0.1:${http.port}/`), body, noAbort, 200)).rejects.toThrow(
      'no answer within 0.2 s',
    );
    await http.close();
  });
});

describe('webhookOrigin', () => {
  it('keeps the scheme, host and port only: a path or query may hold a key', () => {
    expect(webhookOrigin('https://user:pw@alerts.example.org:8443/hooks/abc?key=secret')).toBe(
      'https://alerts.example.org:8443',
    );
  });
});
