/**
 * A TCP proxy a test can cut and restore, put between the controller and an agent to play a
 * network that drops and returns. Cut: every open connection is reset and new ones are
 * accepted and reset at once (as a dead route or a restarted firewall would); restore: new
 * connections are forwarded again. Open connections are never resumed: TCP cannot do that.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private isCut = false;
  /** Connections accepted and forwarded so far (a reconnect shows as one more). */
  connectionsForwarded = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const accepting: { proxy?: TcpProxy } = {};
    const server = createServer((client) => {
      if (accepting.proxy) accepting.proxy.accept(client, target);
      else client.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    accepting.proxy = new TcpProxy(server, address.port);
    return accepting.proxy;
  }

  get cut(): boolean {
    return this.isCut;
  }

  /** Drops every connection and refuses new ones until restore(). */
  disconnect(): void {
    this.isCut = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.isCut = false;
  }

  async close(): Promise<void> {
    this.disconnect();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.isCut) {
      client.resetAndDestroy();
      return;
    }
    this.connectionsForwarded++;
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
