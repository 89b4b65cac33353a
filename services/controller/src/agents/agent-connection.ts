/**
 * The controller's connection to one configured agent, kept open for as long as the
 * controller runs: it reconnects by itself with backoff (with jitter), checks on each
 * connection that the agent is the one configured, and tells listeners each change of state.
 * What the calls made over it mean is AgentClient's concern.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentUnreachableError, errorMessage } from '@cedar-store/domain';
import type { AgentInfo, AgentState } from '@cedar-store/ports';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ResolvedClientOptions } from './agent-client-options.js';
import {
  ConnectFailure,
  describeAgent,
  openAgentSocket,
  type AgentDescription,
  type AgentEndpoint,
} from './agent-handshake.js';
import { notConnectingMessage, unreachableMessage } from './agent-messages.js';
import { RpcConnection } from './rpc-connection.js';

/** The reason given when the controller itself closes the connection. */
export const CLOSE_STOPPED = 'the controller stopped';

export class AgentConnection {
  readonly id: string;
  readonly logger: Logger | undefined;
  private readonly listeners = new Set<(info: AgentInfo) => void>();
  private state: AgentState = 'disconnected';
  private since: string | undefined;
  private lastError: string | undefined;
  private described: AgentDescription | undefined;
  private connection: RpcConnection | null = null;
  /** The socket of an attempt still opening, and the connection still being described, so stop() can cut them. */
  private opening: WebSocket | null = null;
  private describing: RpcConnection | null = null;
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private closed = false;

  constructor(
    readonly endpoint: AgentEndpoint,
    private readonly options: ResolvedClientOptions,
  ) {
    this.id = endpoint.id;
    const parent = options.logger;
    // The composition root may already have bound the agent id; a second copy would repeat the key.
    this.logger = parent?.child({
      ...(parent.bindings().agentId === undefined ? { agentId: endpoint.id } : {}),
      url: endpoint.url,
    });
  }

  /** True after stop(): the controller closed the connection and no longer reconnects. */
  get stopped(): boolean {
    return this.closed;
  }

  /** Aborted by stop(), to cut short whatever waits on this agent. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Connects, and keeps reconnecting until stop(). Returns at once; watch info() or onStateChange. */
  start(): void {
    if (this.loop) return;
    this.closed = false;
    this.abort = new AbortController();
    this.setState('connecting');
    this.loop = this.keepConnected();
  }

  /** Closes the connection and stops reconnecting; calls still waiting for a reply fail AGENT_LOST. */
  async stop(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.opening?.terminate();
    this.describing?.terminate(CLOSE_STOPPED);
    await this.connection?.close(CLOSE_STOPPED);
    await this.loop;
    this.loop = null;
    this.setState('disconnected');
  }

  /**
   * `connecting` until the first attempt after start() settles; then `connected`, or
   * `disconnected` while retrying (retries do not flip it back to `connecting`, so `since`
   * says how long the agent has been away and lastError why).
   */
  info(): AgentInfo {
    return {
      id: this.id,
      url: this.endpoint.url,
      state: this.state,
      ...(this.described ? { version: this.described.version } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.since ? { since: this.since } : {}),
    };
  }

  /** What the agent said about itself on the latest connection (kept after it drops). */
  description(): AgentDescription | undefined {
    return this.described;
  }

  /** Called with the new info on every change of state; returns a function that unsubscribes. */
  onStateChange(listener: (info: AgentInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The open connection, waiting at most the grace period for one; AGENT_UNREACHABLE otherwise. */
  async open(): Promise<RpcConnection> {
    if (this.connection) return this.connection;
    if (!this.stopped && this.loop) {
      const connected = new AbortController();
      const unsubscribe = this.onStateChange((info) => info.state === 'connected' && connected.abort());
      const signal = AbortSignal.any([connected.signal, this.abort.signal]);
      await sleep(this.options.unreachableGraceMs, undefined, { signal }).catch(() => {});
      unsubscribe();
      if (this.connection) return this.connection;
    }
    const message =
      this.stopped || !this.loop
        ? notConnectingMessage(this.id, this.endpoint.url, this.stopped)
        : unreachableMessage(this.id, this.endpoint.url, this.lastError);
    throw new AgentUnreachableError(message, { agent: this.id });
  }

  private async keepConnected(): Promise<void> {
    const { minDelayMs, maxDelayMs, factor } = this.options.reconnect;
    while (!this.stopped) {
      let connection: RpcConnection;
      try {
        connection = await pRetry(() => this.connectOnce().catch(asConnectFailure), {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: minDelayMs,
          maxTimeout: maxDelayMs,
          factor,
          // Jitter keeps many controllers (or many agents of one) from retrying in lockstep.
          randomize: true,
          signal: this.abort.signal,
          onFailedAttempt: ({ error }) => this.attemptFailed(error),
        });
      } catch {
        return; // only stop() ends the retries
      }
      const reason = await connection.closed;
      this.connection = null;
      if (this.stopped) {
        this.setState('disconnected');
        return;
      }
      this.logger?.warn({ reason }, 'connection to the agent lost; reconnecting');
      this.lastError = reason;
      this.setState('disconnected');
      // A connection that drops right after opening must not turn into a tight reconnect loop.
      const delay = minDelayMs * (1 + Math.random());
      if (!(await sleep(delay, true, { signal: this.abort.signal }).catch(() => false))) return;
    }
  }

  /** One attempt: open the socket, ask the agent to describe itself, check it is the one configured. */
  private async connectOnce(): Promise<RpcConnection> {
    const ws = await openAgentSocket(this.endpoint, this.options, (socket) => (this.opening = socket)).finally(
      () => (this.opening = null),
    );
    const connection = new RpcConnection(ws, this.logger);
    this.describing = connection;
    let described: AgentDescription;
    try {
      const timeoutMs = Math.min(this.options.timeouts['agent.describe'], this.options.connectTimeoutMs);
      described = await describeAgent(connection, this.endpoint, timeoutMs);
      if (this.stopped) throw new ConnectFailure(CLOSE_STOPPED);
    } catch (error) {
      await connection.close('connection attempt failed');
      throw error;
    } finally {
      this.describing = null;
    }
    connection.startHeartbeat(this.options.heartbeatMs);
    this.connection = connection;
    this.described = described;
    this.lastError = undefined;
    this.logger?.info({ version: described.version, devices: described.devices.map((d) => d.id) }, 'agent connected');
    this.setState('connected');
    return connection;
  }

  private attemptFailed(error: Error): void {
    if (this.stopped) return;
    const message = error.message;
    // Each retry would log the same line; only a new reason is worth a warning.
    if (message !== this.lastError) this.logger?.warn({ reason: message }, 'cannot connect to the agent; retrying');
    this.lastError = message;
    this.setState('disconnected');
  }

  private setState(state: AgentState): void {
    if (state === this.state) return;
    this.state = state;
    this.since = new Date().toISOString();
    const info = this.info();
    for (const listener of this.listeners) {
      try {
        listener(info);
      } catch (error) {
        this.logger?.warn({ err: String(error) }, 'a state listener failed');
      }
    }
  }
}

/** p-retry gives up on a TypeError; a connection attempt must fail in a way that is always retried. */
function asConnectFailure(error: unknown): never {
  throw error instanceof ConnectFailure ? error : new ConnectFailure(errorMessage(error));
}
