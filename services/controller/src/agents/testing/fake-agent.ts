/**
 * A scripted stand-in for a device agent, for the client's unit tests: the same upgrade
 * (bearer token at `/rpc`) and JSON-RPC framing, with replies a test decides — including
 * wrong ones, silence, and a dropped socket. Never used outside tests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CedarStoreError } from '@cedar-store/domain';
import { toRpcError, type DeviceDescription, type Progress } from '@cedar-store/ports';
import { WebSocketServer, type WebSocket } from 'ws';

export type FakeCall = {
  id: string | number;
  method: string;
  params: unknown;
  /** The connection the call came on, e.g. to drop it mid-call. */
  socket: WebSocket;
  progress(progress: Progress): void;
  /** Sends any frame as it is. */
  send(frame: unknown): void;
};

/** Returns the result, throws a CedarStoreError for an error reply, or never settles for silence. */
export type FakeHandler = (call: FakeCall) => unknown;

export type FakeAgentOptions = {
  token?: string;
  /** 0 (the default) picks a free port; a test restarting "the same agent" passes the old one. */
  port?: number;
  agentId?: string;
  devices?: DeviceDescription[];
  /** false: never answer pings, like a hung host. */
  answerPings?: boolean;
};

export const FAKE_TOKEN = 'fake-agent-token-0123456789';

export const FAKE_DEVICES: DeviceDescription[] = [
  { id: 'dvd0', backend: 'virtual', mediaType: 'dvd+rw' },
  { id: 'cd0', backend: 'virtual', mediaType: 'cdrw-74' },
];

/** A handler that never answers. */
export const silence = (): Promise<never> => new Promise<never>(() => {});

export class FakeAgent {
  readonly received: Array<{ method: string; params: unknown }> = [];
  /** Connections accepted since start (a reconnect makes it grow). */
  accepted = 0;
  private readonly handlers = new Map<string, FakeHandler>();

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(options: FakeAgentOptions = {}): Promise<FakeAgent> {
    const token = options.token ?? FAKE_TOKEN;
    const http = createServer((_request, response) => response.writeHead(426).end());
    const wss = new WebSocketServer({ noServer: true, autoPong: options.answerPings ?? true });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const agent = new FakeAgent(http, wss, (http.address() as AddressInfo).port);
    agent.on('agent.describe', () => ({
      agentId: options.agentId ?? 'burner-1',
      version: '0.0.0-fake',
      devices: options.devices ?? FAKE_DEVICES,
    }));
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => {});
      if (request.url !== '/rpc') return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      if (request.headers.authorization !== `Bearer ${token}`) {
        return void socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      }
      wss.handleUpgrade(request, socket, head, (ws) => agent.connected(ws));
    });
    return agent;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/rpc`;
  }

  /** Scripts the reply to `method` (replacing any earlier script). */
  on(method: string, handler: FakeHandler): this {
    this.handlers.set(method, handler);
    return this;
  }

  /** Sends a frame on every open connection. */
  broadcast(frame: unknown): void {
    for (const ws of this.wss.clients) ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Cuts every connection without a close handshake, as a crash or a pulled cable would. */
  dropConnections(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  private connected(ws: WebSocket): void {
    this.accepted++;
    ws.on('error', () => {});
    ws.on('message', (data) => {
      let frame: { id: string | number; method: string; params: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      this.received.push({ method: frame.method, params: frame.params });
      const send = (message: unknown) => {
        if (ws.readyState === ws.OPEN) ws.send(typeof message === 'string' ? message : JSON.stringify(message));
      };
      const call: FakeCall = {
        id: frame.id,
        method: frame.method,
        params: frame.params,
        socket: ws,
        send,
        progress: (progress) =>
          send({ jsonrpc: '2.0', method: 'progress', params: { opId: String(frame.id), ...progress } }),
      };
      const handler = this.handlers.get(frame.method);
      if (!handler) {
        return send({
          jsonrpc: '2.0',
          id: frame.id,
          error: { code: -32601, message: `method not found: ${frame.method}` },
        });
      }
      Promise.resolve()
        .then(() => handler(call))
        .then(
          (result) => send({ jsonrpc: '2.0', id: frame.id, result }),
          (error: unknown) => {
            const coded = error instanceof CedarStoreError ? error : new CedarStoreError('INTERNAL', String(error));
            send({ jsonrpc: '2.0', id: frame.id, error: toRpcError(coded) });
          },
        );
    });
  }
}
