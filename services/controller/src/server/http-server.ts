/**
 * The HTTP server in front of the API, with the limits that keep one client from holding it:
 * a client that trickles its headers or its body is cut off after a bounded time (slowloris),
 * and requests Node refuses before express sees them (headers too large, malformed HTTP, too
 * slow) still get the API's one error shape, so a script never has to parse an empty answer.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type HttpServerLimits = {
  /** Time a client has to send all of a request's headers. */
  headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included; run requests are a few hundred bytes. */
  requestTimeoutMs: number;
  /** Time an idle keep-alive connection stays open between two requests. */
  keepAliveTimeoutMs: number;
  /** Largest size of all request headers together; Node answers 431 above it. */
  maxHeaderBytes: number;
};

export const DEFAULT_HTTP_SERVER_LIMITS: HttpServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
};

/** Node checks the two request timeouts on a timer; a fraction of the shorter one keeps the bound close. */
function checkingInterval(limits: HttpServerLimits): number {
  return Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
}

export function createApiServer(app: RequestListener, limits: Partial<HttpServerLimits> = {}): Server {
  const settings: HttpServerLimits = { ...DEFAULT_HTTP_SERVER_LIMITS, ...limits };
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      // Node refuses a headers timeout longer than the request timeout.
      requestTimeout: Math.max(settings.requestTimeoutMs, settings.headersTimeoutMs),
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      maxHeaderSize: settings.maxHeaderBytes,
      connectionsCheckingInterval: checkingInterval(settings),
    },
    app as RequestListener<typeof IncomingMessage, typeof ServerResponse>,
  );
  server.on('clientError', answerClientError);
  return server;
}

/** What Node found wrong with a request it would not hand to express. */
function refusal(error: NodeJS.ErrnoException): { status: number; reason: string; message: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        message: 'the request was not sent in time: send the headers and the body without pausing',
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        message: 'the request headers are too large: send only the headers the API needs',
      };
    default:
      return { status: 400, reason: 'Bad Request', message: 'malformed HTTP request: it could not be parsed' };
  }
}

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already under way (its headers sent) cannot be followed by another one.
  const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, reason, message } = refusal(error);
  const body = JSON.stringify({ error: { code: 'INVALID_REQUEST', message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
