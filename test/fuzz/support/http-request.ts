/**
 * A bare HTTP client for the fuzz suites: node:http with nothing added (no retries, no
 * redirects, no header clean-up), so the headers and bytes a property generates are the ones
 * the controller receives; and a raw socket for what node:http itself refuses to send.
 */
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

/** Header values as sent; an array sends the header once per value. */
export type FuzzHeaders = Record<string, string | string[]>;
import { connect } from 'node:net';

export type RawAnswer = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

export type FuzzRequest = {
  method: string;
  /** Path and query exactly as sent (already percent-encoded or deliberately not). */
  target: string;
  headers?: FuzzHeaders;
  body?: string | Buffer;
};

/** Sends one request on its own connection and reads the whole answer. */
export function send(port: number, req: FuzzRequest, timeoutMs = 30_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.target,
        headers: framed(req),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer to ${req.method} ${req.target}`)));
    // The server may answer (401, 413) and close before an oversized body is fully sent.
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (req.body !== undefined) outgoing.write(req.body);
    outgoing.end();
  });
}

/** node:http frames a GET body with nothing (no length, no chunking): say its length so it stays one request. */
function framed(req: FuzzRequest): OutgoingHttpHeaders {
  const headers = { ...req.headers } as OutgoingHttpHeaders;
  if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
  return headers;
}

/** Writes raw bytes on a fresh connection and resolves with everything read until the server closes it. */
export function sendRaw(port: number, bytes: string | Buffer, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('the server kept the connection open')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(error);
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The status and JSON body of a raw HTTP answer. */
export function parseRawAnswer(text: string): { status: number; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, body: json };
}
