/**
 * The agent's WebSocket endpoint: JSON-RPC 2.0 at `/rpc` (docs/design.md#wire-protocol). The bearer token is
 * checked at the HTTP upgrade, before any frame is read; frames above the size limit close
 * the connection; everything else that is wrong gets a JSON-RPC error and the connection
 * stays usable. Silent peers are dropped by the heartbeat. Plain HTTP GETs of `/healthz` and
 * `/metrics` answer without the token, with nothing secret in them, for probes and Prometheus.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { readFile } from 'node:fs/promises';
import {
  CedarStoreError,
  DeviceBusyError,
  InvalidRequestError,
  toCedarStoreError,
  errorMessage,
} from '@cedar-store/domain';
import { RPC_ERROR, toRpcError, type Progress } from '@cedar-store/ports';
import { presentedBearerToken, tokenMatches } from '@cedar-store/ports/auth';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { AgentMetrics } from './agent-metrics.js';
import { errorResponse, parseFrame, resultResponse, type RequestId, type RpcResponse } from './json-rpc.js';
import { createHandlers, invoke, MethodNotFoundError, type AgentServices } from './rpc-handlers.js';

export type ServerSettings = {
  host: string;
  port: number;
  token: string;
  tls?: { certFile: string; keyFile: string };
  maxFrameBytes: number;
  maxInFlightPerConnection: number;
  heartbeatSeconds: number;
  maxConnections: number;
  /**
   * Seconds a client has to complete its upgrade request (and its TLS handshake): a peer that
   * trickles its headers is cut off instead of holding a connection slot for good.
   */
  handshakeTimeoutSeconds?: number;
  /** Least time between two progress notifications of one operation. */
  progressIntervalMs?: number;
};

export const RPC_PATH = '/rpc';
export const HEALTH_PATH = '/healthz';
export const METRICS_PATH = '/metrics';

export type AgentHealth = {
  status: 'ok' | 'stopping';
  agentId: string;
  version: string;
  controllerConnected: boolean;
  devices: Array<{ id: string; backend: string; mediaType: string }>;
};

export const DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;

export class AgentServer {
  private http: Server | null = null;
  private readonly wss: WebSocketServer;
  private readonly handlers;
  private readonly running = new Set<Promise<unknown>>();
  private draining = false;
  private heartbeat: NodeJS.Timeout | null = null;
  readonly metrics: AgentMetrics;

  constructor(
    private readonly services: AgentServices,
    private readonly settings: ServerSettings,
    private readonly logger: Logger,
  ) {
    this.handlers = createHandlers(services);
    this.metrics = new AgentMetrics(Object.keys(this.handlers));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxFrameBytes, perMessageDeflate: false });
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  async listen(): Promise<number> {
    const tls = this.settings.tls;
    const handshakeMs = (this.settings.handshakeTimeoutSeconds ?? DEFAULT_HANDSHAKE_TIMEOUT_SECONDS) * 1000;
    const timeouts = {
      headersTimeout: handshakeMs,
      requestTimeout: handshakeMs,
      // Node checks those timeouts on a timer; its 30 s default would let a slow peer stay far longer.
      connectionsCheckingInterval: Math.min(1000, Math.max(50, handshakeMs / 4)),
    };
    this.http = tls
      ? createHttpsServer({
          cert: await readFile(tls.certFile),
          key: await readFile(tls.keyFile),
          handshakeTimeout: handshakeMs,
          ...timeouts,
        })
      : createHttpServer(timeouts);
    this.http.on('request', (request, response) => void this.answerHttp(request, response));
    this.http.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head));
    await new Promise<void>((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(this.settings.port, this.settings.host, () => resolve());
    });
    this.http.on('error', (error) => this.logger.error({ err: error.message }, 'server error'));
    this.wss.on('error', (error) => this.logger.error({ err: error.message }, 'WebSocket server error'));
    this.heartbeat = setInterval(() => this.beat(), this.settings.heartbeatSeconds * 1000);
    this.heartbeat.unref();
    const address = this.http.address();
    return typeof address === 'object' && address ? address.port : this.settings.port;
  }

  /** `/healthz` and `/metrics` for GET and HEAD; anything else is told where the WebSocket is. */
  private async answerHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = requestPath(request.url);
    const readable = request.method === 'GET' || request.method === 'HEAD';
    try {
      if (readable && path === HEALTH_PATH) {
        const body = JSON.stringify(this.health());
        response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(body);
      } else if (readable && path === METRICS_PATH) {
        const body = await this.metrics.text();
        response.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body);
      } else {
        response.writeHead(426, { 'Content-Type': 'text/plain' }).end(`connect with a WebSocket to ${RPC_PATH}\n`);
      }
    } catch (error) {
      this.logger.error({ err: errorMessage(error), path }, 'HTTP request failed');
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end('the agent hit an unexpected error; its log has the details\n');
    }
  }

  /** What a probe needs: the agent answers, its devices, and whether a controller is connected. */
  health(): AgentHealth {
    return {
      status: this.draining ? 'stopping' : 'ok',
      agentId: this.services.agentId,
      version: this.services.version,
      controllerConnected: this.wss.clients.size > 0,
      devices: [...this.services.devices.values()].map(({ id, backend, mediaType }) => ({ id, backend, mediaType })),
    };
  }

  /** Refuses new operations, waits for running ones (a write is never cut short), then closes. */
  async close(): Promise<void> {
    this.draining = true;
    await Promise.allSettled([...this.running]);
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const client of this.wss.clients) client.close(1001, 'agent shutting down');
    this.wss.close();
    const closed = new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    // Idle keep-alive connections would otherwise hold the close open.
    this.http?.closeAllConnections();
    await closed;
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A peer that resets the connection must never take the agent (and a running burn) down.
    socket.on('error', (error) => this.logger.warn({ err: error.message }, 'connection reset before the upgrade'));
    const path = requestPath(request.url);
    const refuse = (status: string, reason: string): void => {
      this.logger.warn({ remote: request.socket.remoteAddress, path, reason }, 'connection refused');
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`);
    };
    if (path === null) return refuse('400 Bad Request', 'the request path is not a valid URL path');
    if (path !== RPC_PATH) return refuse('404 Not Found', `the agent listens at ${RPC_PATH}`);
    if (!tokenMatches(presentedBearerToken(request).token, this.settings.token)) {
      return refuse('401 Unauthorized', 'a valid "Authorization: Bearer <token>" header is required');
    }
    if (this.wss.clients.size >= this.settings.maxConnections) {
      return refuse('503 Service Unavailable', 'too many connections');
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.connected(ws, request));
  }

  private connected(ws: WebSocket, request: IncomingMessage): void {
    const peer = { remote: request.socket.remoteAddress };
    this.logger.info(peer, 'controller connected');
    const state = { alive: true, inFlight: 0 };
    alive.set(ws, state);
    ws.on('pong', () => (state.alive = true));
    ws.on('error', (error) => this.logger.warn({ ...peer, err: error.message }, 'connection error'));
    this.metrics.setConnections(this.wss.clients.size);
    ws.on('close', (code) => {
      this.logger.info({ ...peer, code }, 'controller disconnected');
      this.metrics.setConnections(this.wss.clients.size);
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send(
          ws,
          errorResponse(null, {
            code: RPC_ERROR.INVALID_REQUEST,
            message: 'binary frames are not accepted: send JSON text',
          }),
        );
        return;
      }
      const frame = parseFrame(data.toString());
      if (frame.kind === 'ignored') return;
      if (frame.kind === 'invalid') return send(ws, errorResponse(frame.id, frame.error));
      if (frame.kind === 'batch') return send(ws, frame.responses);
      if (state.inFlight >= this.settings.maxInFlightPerConnection) {
        const error = new InvalidRequestError(
          `too many requests in flight on this connection (limit ${this.settings.maxInFlightPerConnection}): wait for answers`,
        );
        // A server error, not a fault of the request's params: the same request is fine later.
        return send(ws, errorResponse(frame.id, { ...toRpcError(error), code: RPC_ERROR.TOO_MANY_IN_FLIGHT }));
      }
      state.inFlight++;
      const work = this.execute(ws, frame.id, frame.method, frame.params).finally(() => {
        state.inFlight--;
        this.running.delete(work);
      });
      this.running.add(work);
    });
  }

  private async execute(ws: WebSocket, id: RequestId, method: string, params: unknown): Promise<void> {
    const started = Date.now();
    const device = typeof params === 'object' && params !== null ? (params as { device?: unknown }).device : undefined;
    const context = { method, device: typeof device === 'string' ? device.slice(0, 64) : undefined, opId: String(id) };
    try {
      if (this.draining) {
        throw new DeviceBusyError('the agent is shutting down and takes no new operations; try again when it is back');
      }
      const result = await invoke(this.handlers, method, params, this.progressSender(ws, String(id)));
      this.logger.info({ ...context, ms: Date.now() - started }, 'done');
      this.metrics.answered(method, 'succeeded', (Date.now() - started) / 1000, result);
      send(ws, resultResponse(id, result));
    } catch (error) {
      if (error instanceof MethodNotFoundError) {
        this.metrics.answered(method, 'unknown_method', (Date.now() - started) / 1000);
        send(ws, errorResponse(id, { code: RPC_ERROR.METHOD_NOT_FOUND, message: error.message }));
        return;
      }
      const coded = toCedarStoreError(error);
      this.metrics.answered(method, coded.code, (Date.now() - started) / 1000);
      const level = coded.code === 'INTERNAL' ? 'error' : 'warn';
      this.logger[level](
        { ...context, ms: Date.now() - started, code: coded.code, err: errorMessage(error) },
        'failed',
      );
      send(
        ws,
        errorResponse(
          id,
          toRpcError(coded.code === 'INTERNAL' && !(error instanceof CedarStoreError) ? internal() : coded),
        ),
      );
    }
  }

  /** Progress notifications, at most one per interval per operation, the last one always sent. */
  private progressSender(ws: WebSocket, opId: string): (progress: Progress) => void {
    const interval = this.settings.progressIntervalMs ?? 250;
    let last = 0;
    return (progress) => {
      const now = Date.now();
      const final = progress.bytesDone >= progress.bytesTotal;
      if (!final && now - last < interval) return;
      last = now;
      send(ws, { jsonrpc: '2.0', method: 'progress', params: { opId, ...progress } });
    };
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      const state = alive.get(ws);
      if (state && !state.alive) {
        this.logger.warn('a controller stopped answering pings: connection dropped');
        ws.terminate();
        continue;
      }
      if (state) state.alive = false;
      ws.ping();
    }
  }
}

/** The path of a request target, or null when it is not one (`//`, `http://…`, garbage). */
function requestPath(url: string | undefined): string | null {
  if (!url?.startsWith('/') || url.startsWith('//')) return null;
  try {
    return new URL(url, 'http://agent').pathname;
  } catch {
    return null;
  }
}

const alive = new WeakMap<WebSocket, { alive: boolean; inFlight: number }>();

function send(ws: WebSocket, message: RpcResponse | object): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

/** Unexpected failures are logged in full and answered without internals. */
function internal(): CedarStoreError {
  return new CedarStoreError('INTERNAL', 'the agent hit an unexpected error; its log has the details');
}
