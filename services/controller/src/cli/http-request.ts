/**
 * One request of the API client, over node:http or node:https rather than fetch: fetch loads
 * Node's bundled undici at its first call, ~45 ms that every cron run paid before it could
 * ask for anything. It keeps fetch's ways where the client meets them: an aborted signal
 * rejects with the signal's reason (a timeout stays a TimeoutError), the body is decoded
 * as UTF-8 without a BOM, and a redirect, which fetch follows and node:http does not, is
 * handed to fetch itself, so a controller behind a redirecting proxy is reached as before.
 */
import type { IncomingMessage } from 'node:http';

export type HttpRequest = {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
};

/** The part of an answer the client reads; the body may be read once, as text or as chunks. */
export type HttpAnswer = {
  status: number;
  ok: boolean;
  statusText: string;
  /** The URL that answered. */
  url: string;
  header(name: string): string | undefined;
  text(): Promise<string>;
  /** null for the statuses that carry no body (204, 205, 304), as fetch has it. */
  body: AsyncIterable<Uint8Array> | null;
  /** Stops reading and closes the connection; safe to call at any time. */
  cancel(): void;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([204, 205, 304]);

export async function httpRequest(url: URL, request: HttpRequest): Promise<HttpAnswer> {
  const { request: send } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const { signal } = request;
  signal?.throwIfAborted();
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = send(url, { method: request.method, headers: withLength(request), signal });
    outgoing.once('response', resolve);
    // Listened to for good: an error after the answer came (it reaches the body's reader) must not go unhandled.
    outgoing.on('error', (error) => reject(signal?.aborted ? signal.reason : error));
    outgoing.end(request.body);
  });
  const status = response.statusCode ?? 0;
  if (REDIRECTS.has(status) && response.headers.location !== undefined) {
    response.destroy();
    return viaFetch(url, request);
  }
  return answerOf(url, response, signal);
}

function withLength(request: HttpRequest): Record<string, string> {
  if (request.body === undefined) return request.headers;
  return { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
}

function answerOf(url: URL, response: IncomingMessage, signal: AbortSignal | undefined): HttpAnswer {
  const status = response.statusCode ?? 0;
  // A broken connection before the body is read is kept for the reader, not thrown at the process.
  response.on('error', () => undefined);
  // A stream ended by the signal fails with the signal's reason, as fetch's body does.
  const fail = (error: unknown): unknown => (signal?.aborted ? signal.reason : error);
  return {
    status,
    ok: status >= 200 && status < 300,
    statusText: response.statusMessage ?? '',
    url: url.href,
    header(name) {
      const value = response.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    async text() {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of response) chunks.push(chunk as Buffer);
      } catch (error) {
        throw fail(error);
      }
      return new TextDecoder().decode(Buffer.concat(chunks));
    },
    body: NULL_BODY.has(status) ? null : chunksOf(response, fail),
    cancel() {
      response.destroy();
    },
  };
}

async function* chunksOf(response: IncomingMessage, fail: (error: unknown) => unknown): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of response) yield chunk as Buffer;
  } catch (error) {
    throw fail(error);
  } finally {
    // Stopping early (the run finished) closes the connection.
    response.destroy();
  }
}

async function viaFetch(url: URL, request: HttpRequest): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
  });
  return {
    status: response.status,
    ok: response.ok,
    statusText: response.statusText,
    url: response.url,
    header: (name) => response.headers.get(name) ?? undefined,
    text: () => response.text(),
    body: response.body,
    cancel() {
      response.body?.cancel().catch(() => undefined);
    },
  };
}
