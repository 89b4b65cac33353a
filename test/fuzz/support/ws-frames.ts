/**
 * A WebSocket client for fuzzing: it sends any text or bytes, keeps every message the agent
 * sends back, and waits for the answers it needs. Also the raw pieces a client that never
 * finishes its handshake needs: the upgrade request and a client frame written by hand.
 */
import WebSocket from 'ws';

export type RpcMessage = {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: { code?: unknown } };
};

export class FuzzSocket {
  readonly received: RpcMessage[] = [];
  readonly unparseable: string[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      try {
        this.received.push(JSON.parse(data.toString()) as RpcMessage);
      } catch {
        this.unparseable.push(data.toString());
      }
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
    socket.on('error', () => this.wake());
  }

  static open(url: string, token: string): Promise<FuzzSocket> {
    const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new FuzzSocket(socket)));
      socket.once('error', reject);
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** Resolves with the first message matching, received before or after the call. */
  async waitFor(match: (message: RpcMessage) => boolean, what: string): Promise<RpcMessage> {
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (this.closeCode !== undefined) throw new Error(`the connection closed (${this.closeCode}) before ${what}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async waitClosed(): Promise<number> {
    while (this.closeCode === undefined) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.closeCode;
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** The upgrade request a WebSocket client sends, with whatever Authorization lines it is given. */
export function upgradeRequest(authorization: string[]): string {
  return (
    'GET /rpc HTTP/1.1\r\nHost: agent\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
    authorization.map((value) => `Authorization: ${value}\r\n`).join('') +
    '\r\n'
  );
}

/** A masked text frame as a client sends it, written by hand so it can follow a refused upgrade. */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const length =
    payload.length < 126
      ? Buffer.from([0x80 | payload.length])
      : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!));
  return Buffer.concat([Buffer.from([0x81]), length, mask, masked]);
}
