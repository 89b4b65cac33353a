/**
 * One open WebSocket to an agent: JSON-RPC requests out, replies matched by id, progress
 * notifications routed to the call they belong to, and a heartbeat that drops a silent peer.
 * It knows nothing of agents or reconnecting; AgentClient gives its failures their meaning.
 * Frames it cannot use are logged and ignored, so one odd frame never costs a running burn.
 */
import { ProgressNotificationSchema, type ProgressListener, type RpcErrorObject } from '@cedar-store/ports';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { errorMessage, NamedError } from '@cedar-store/domain';
import { formatDuration } from './agent-messages.js';

export type RawReply =
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; error: RpcErrorObject }
  | { kind: 'malformed'; problem: string };

/** The connection closed before the reply arrived; the message says why, for a user. */
export class ConnectionClosed extends NamedError {
  /** False when the request never left: the agent cannot have acted on it. */
  constructor(
    message: string,
    readonly sent = true,
  ) {
    super(message);
  }
}

/** No reply within the call's time limit; the connection itself may be fine. */
export class ReplyTimedOut extends NamedError {
  constructor(readonly timeoutMs: number) {
    super(`no reply within ${formatDuration(timeoutMs)}`);
  }
}

/** setTimeout fires at once for delays past 2^31-1 ms, which would turn a long limit into none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** After asking the agent to close, how long to wait before cutting the socket. */
const CLOSE_GRACE_MS = 1000;

const ErrorObjectSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.looseObject({ code: z.string() }).optional(),
});

type Pending = {
  resolve: (reply: RawReply) => void;
  reject: (error: Error) => void;
  onProgress: ProgressListener | undefined;
  timer: NodeJS.Timeout;
};

export class RpcConnection {
  /** Resolves once the socket is closed, with the reason a user should read. */
  readonly closed: Promise<string>;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closeReason: string | null = null;
  private isClosed = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private markClosed!: (reason: string) => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly logger: Logger | undefined,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('error', (error) => (this.closeReason ??= describeSocketError(error)));
    ws.on('close', (code, reason) => this.onClose(this.closeReason ?? describeClose(code, reason.toString())));
  }

  /** Sends one request; settles with the agent's reply, or rejects ConnectionClosed / ReplyTimedOut. */
  request(
    method: string,
    params: unknown,
    options: { timeoutMs: number; onProgress?: ProgressListener },
  ): Promise<RawReply> {
    if (this.isClosed || this.ws.readyState !== this.ws.OPEN) {
      return Promise.reject(new ConnectionClosed(this.closeReason ?? 'the connection is closing', false));
    }
    const id = this.nextId++;
    const key = String(id);
    return new Promise<RawReply>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          // Forgetting the id makes a late reply or progress frame for it an ignored stranger.
          this.pending.delete(key);
          reject(new ReplyTimedOut(options.timeoutMs));
        },
        Math.min(options.timeoutMs, MAX_TIMER_MS),
      );
      this.pending.set(key, { resolve, reject, onProgress: options.onProgress, timer });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (error) => {
        // The close event that follows a failed send rejects the call with the reason.
        if (error) this.closeReason ??= describeSocketError(error);
      });
    });
  }

  /**
   * Pings every `intervalMs`; a peer that has not answered the previous ping by then is
   * dropped. A half-open TCP connection (agent host powered off, cable pulled) would
   * otherwise leave a burn call waiting for its full time limit.
   */
  startHeartbeat(intervalMs: number): void {
    let answered = true;
    this.ws.on('pong', () => (answered = true));
    this.heartbeat = setInterval(() => {
      if (!answered) {
        this.terminate(`the agent did not answer a ping within ${formatDuration(intervalMs)}`);
        return;
      }
      answered = false;
      this.ws.ping();
    }, intervalMs);
    this.heartbeat.unref();
  }

  /** Cuts the socket at once; in-flight calls reject with `reason`. */
  terminate(reason: string): void {
    this.closeReason ??= reason;
    this.ws.terminate();
  }

  /** Closes politely, cutting the socket if the agent does not finish the close handshake soon. */
  async close(reason: string): Promise<void> {
    this.closeReason ??= reason;
    if (!this.isClosed) {
      this.ws.close(1000, 'controller closing');
      const cut = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
      await this.closed;
      clearTimeout(cut);
    }
  }

  private onClose(reason: string): void {
    this.isClosed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(new ConnectionClosed(reason));
    }
    this.pending.clear();
    this.markClosed(reason);
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.ignore('a binary frame');
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return this.ignore('a frame that is not JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return this.ignore('a frame that is not a JSON-RPC object');
    }
    const frame = message as Record<string, unknown>;
    if (typeof frame.method === 'string' && !('id' in frame)) return this.notification(frame.method, frame.params);
    const key = typeof frame.id === 'string' || typeof frame.id === 'number' ? String(frame.id) : null;
    const call = key === null ? undefined : this.pending.get(key);
    if (key === null || !call) {
      // An error without id means the agent could not read one of our frames: worth seeing.
      return this.ignore(key === null ? 'a reply without id' : `a reply to unknown request ${key}`, frame.error);
    }
    this.pending.delete(key);
    clearTimeout(call.timer);
    call.resolve(toReply(frame));
  }

  private notification(method: string, params: unknown): void {
    if (method !== 'progress') return this.ignore(`a "${method.slice(0, 64)}" notification`);
    const parsed = ProgressNotificationSchema.safeParse(params);
    if (!parsed.success) return this.ignore('a progress notification that does not match the contract');
    const { opId, ...progress } = parsed.data;
    const listener = this.pending.get(opId)?.onProgress;
    if (!listener) return;
    try {
      listener(progress);
    } catch (error) {
      // A listener's bug must not take down the connection the burn is running on.
      this.logger?.warn({ err: errorMessage(error) }, 'progress listener failed');
    }
  }

  private ignore(what: string, error?: unknown): void {
    this.logger?.warn({ ...(error === undefined ? {} : { agentError: error }) }, `ignored ${what} from the agent`);
  }
}

function toReply(frame: Record<string, unknown>): RawReply {
  if (frame.jsonrpc !== '2.0') return { kind: 'malformed', problem: 'jsonrpc is not "2.0"' };
  if ('error' in frame) {
    const error = ErrorObjectSchema.safeParse(frame.error);
    if (!error.success) return { kind: 'malformed', problem: 'its error is not a JSON-RPC error object' };
    return { kind: 'error', error: error.data };
  }
  if ('result' in frame) return { kind: 'result', result: frame.result };
  return { kind: 'malformed', problem: 'it holds neither a result nor an error' };
}

function describeClose(code: number, reason: string): string {
  switch (code) {
    case 1001:
      return `the agent closed the connection${reason ? ` (${reason})` : ''}`;
    case 1006:
      return 'the connection dropped';
    case 1009:
      return 'a message was larger than the size limit';
    default:
      return `the connection closed with code ${code}${reason ? ` (${reason})` : ''}`;
  }
}

function describeSocketError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'the agent sent a message larger than the size limit';
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
