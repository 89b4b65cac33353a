/**
 * A plain WebSocket JSON-RPC client, written against the wire contract only — the way a
 * foreign program would talk to an agent — for tests that must not go through project code.
 */
import WebSocket from 'ws';

export type RpcReply = {
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string } };
};
export type Notification = { method: string; params: Record<string, unknown> };

export class RpcTestClient {
  private nextId = 1;
  private readonly waiting = new Map<unknown, (reply: RpcReply) => void>();
  readonly notifications: Notification[] = [];
  readonly unmatched: RpcReply[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as RpcReply & Partial<Notification>;
      if (message.method) {
        this.notifications.push(message as Notification);
        return;
      }
      const resolve = this.waiting.get(message.id);
      if (resolve) {
        this.waiting.delete(message.id);
        resolve(message);
      } else {
        this.unmatched.push(message);
      }
    });
  }

  static connect(
    url: string,
    token: string | undefined,
    options: WebSocket.ClientOptions = {},
  ): Promise<RpcTestClient> {
    const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
    const socket = new WebSocket(url, { headers, ...options });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RpcTestClient(socket)));
      socket.once('unexpected-response', (_request, response) =>
        reject(Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode })),
      );
      socket.once('error', reject);
    });
  }

  call(method: string, params: unknown = {}): Promise<RpcReply> {
    const id = this.nextId++;
    return this.send({ jsonrpc: '2.0', id, method, params }, id);
  }

  /** Sends a raw text frame and waits for the reply carrying `id` (null for unparseable input). */
  send(message: unknown, id: unknown): Promise<RpcReply> {
    const reply = new Promise<RpcReply>((resolve) => this.waiting.set(id, resolve));
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    return reply;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
