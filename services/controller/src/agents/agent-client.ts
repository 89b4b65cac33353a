/**
 * The controller's side of one configured agent: a connection kept open for as long as the
 * controller runs, reconnecting by itself with backoff, and typed calls that check what goes
 * out and what comes back against the shared wire contract.
 *
 * Failures keep the codes a user acts on: a call while the agent is away fails fast with
 * AGENT_UNREACHABLE (the run never started its work there); a call that was sent but never
 * answered fails AGENT_LOST, saying whether its outcome is unknown, because only then may
 * a disc have been written without the controller knowing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AgentLostError,
  AgentUnreachableError,
  CedarStoreError,
  InternalError,
  InvalidRequestError,
  isErrorCode,
} from '@cedar-store/domain';
import {
  describeZodError,
  fromRpcError,
  JOURNALED_METHODS,
  rpcMethods,
  type OperationRecord,
  type AgentInfo,
  type AgentState,
  type ProgressListener,
  type RpcMethod,
  type RpcParams,
  type RpcResult,
} from '@cedar-store/ports';
import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import { resolveClientOptions, type AgentClientOptions, type ResolvedClientOptions } from './agent-client-options.js';
import {
  formatDuration,
  learnedFromJournal,
  lostConnectionMessage,
  noJournalRecordMessage,
  notConnectingMessage,
  stoppedMessage,
  timeoutMessage,
  unreachableMessage,
} from './agent-messages.js';
import {
  ConnectFailure,
  describeAgent,
  openAgentSocket,
  type AgentDescription,
  type AgentEndpoint,
} from './agent-handshake.js';
import { ConnectionClosed, ReplyTimedOut, RpcConnection } from './rpc-connection.js';

export type CallOptions = {
  onProgress?: ProgressListener;
  timeoutMs?: number;
  /** A journaled operation whose connection dropped: told once, while the call waits to learn its outcome. */
  onConnectionLost?: (message: string) => void;
};

const CLOSE_STOPPED = 'the controller stopped';

export class AgentClient {
  readonly id: string;
  private readonly options: ResolvedClientOptions;
  private readonly logger: Logger | undefined;
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
  private stopped = false;

  constructor(
    private readonly endpoint: AgentEndpoint,
    options?: AgentClientOptions,
  ) {
    this.id = endpoint.id;
    this.options = resolveClientOptions(options);
    const parent = this.options.logger;
    // The composition root may already have bound the agent id; a second copy would repeat the key.
    this.logger = parent?.child({
      ...(parent.bindings().agentId === undefined ? { agentId: endpoint.id } : {}),
      url: endpoint.url,
    });
  }

  /** Connects, and keeps reconnecting until stop(). Returns at once; watch info() or onStateChange. */
  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.setState('connecting');
    this.loop = this.keepConnected();
  }

  /** Closes the connection and stops reconnecting; calls still waiting for a reply fail AGENT_LOST. */
  async stop(): Promise<void> {
    this.stopped = true;
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

  /**
   * Calls `method` on the agent. Params are checked before anything is sent (INVALID_REQUEST)
   * and the result after it arrives (INTERNAL); the agent's own errors keep their code.
   */
  async call<M extends RpcMethod>(method: M, params: RpcParams<M>, options: CallOptions = {}): Promise<RpcResult<M>> {
    const schemas = rpcMethods[method] as unknown as { params: z.ZodType; result: z.ZodType<RpcResult<M>> };
    const checked = schemas.params.safeParse(params);
    if (!checked.success) {
      throw new InvalidRequestError(
        `${method} was not sent to agent ${this.id}: ${describeZodError(checked.error)}`,
        this.details(method),
      );
    }
    const connection = await this.connected();
    const timeoutMs = options.timeoutMs ?? this.options.timeouts[method];
    const callStart = Date.now();
    let reply;
    try {
      reply = await connection.request(method, checked.data, {
        timeoutMs,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (error) {
      const lost = this.unanswered(method, error, timeoutMs);
      const opId = (checked.data as { opId?: unknown }).opId;
      if (typeof opId === 'string' && isJournaled(method) && this.mayStillBeRunning(error)) {
        return this.outcomeOf(method, opId, lost, options, { startedAt: callStart, timeoutMs });
      }
      throw lost;
    }
    if (reply.kind === 'error') throw fromRpcError(reply.error);
    if (reply.kind === 'malformed') throw this.invalidReply(method, reply.problem);
    const result = schemas.result.safeParse(reply.result);
    if (!result.success) throw this.invalidReply(method, describeZodError(result.error));
    return result.data;
  }

  /** What the agent's journal knows of these operations; ids it has no record of are left out. */
  async operations(opIds: string[]): Promise<OperationRecord[]> {
    return (await this.call('operations.get', { opIds })).operations;
  }

  /**
   * A connection that dropped (not one the controller closed, not a timeout it chose) may
   * leave the operation running on the agent, which journals how it ends.
   */
  private mayStillBeRunning(error: unknown): boolean {
    return error instanceof ConnectionClosed && error.sent && error.message !== CLOSE_STOPPED && !this.stopped;
  }

  /**
   * Learns how a journaled operation ended once the agent is reachable again: its result when
   * it succeeded, its own error when it failed, AGENT_LOST when the agent cannot know (it
   * restarted meanwhile) or does not come back within lostOperationWaitMs.
   */
  private async outcomeOf<M extends RpcMethod>(
    method: M,
    opId: string,
    lost: CedarStoreError,
    options: CallOptions,
    limit: { startedAt: number; timeoutMs: number },
  ): Promise<RpcResult<M>> {
    const waitMs = this.options.lostOperationWaitMs;
    options.onConnectionLost?.(
      `${lost.message}. Waiting up to ${formatDuration(waitMs)} for agent ${this.id} to come back, ` +
        `to learn the outcome of operation ${opId} from its journal.`,
    );
    this.logger?.warn({ method, opId, waitMs }, 'connection lost during an operation; waiting to learn its outcome');
    let deadline = Date.now() + waitMs;
    for (;;) {
      let record: OperationRecord | undefined;
      try {
        [record] = await this.operations([opId]);
        deadline = Date.now() + waitMs;
      } catch (error) {
        const away = error instanceof CedarStoreError && ['AGENT_UNREACHABLE', 'AGENT_LOST'].includes(error.code);
        if (!away || this.stopped) throw lost;
        if (Date.now() >= deadline) {
          throw new AgentLostError(
            `${lost.message}. Agent ${this.id} was not back within ${formatDuration(waitMs)}; the controller asks ` +
              `for the outcome of operation ${opId} when it reconnects and records it on the run.`,
            { ...lost.details, opId },
          );
        }
        await sleep(this.options.operationPollMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
        continue;
      }
      if (!record) throw new AgentLostError(`${lost.message}. ${noJournalRecordMessage(this.id, opId)}.`, { opId });
      if (record.state === 'running') {
        // The call's own time limit still holds: an operation that hangs on the agent must not
        // keep the run `running` and its device's queue blocked for ever. The run ends
        // AGENT_LOST and the journal's outcome is recorded on it when it comes.
        if (Date.now() - limit.startedAt >= limit.timeoutMs) {
          throw new AgentLostError(timeoutMessage(this.id, method, limit.timeoutMs), {
            ...lost.details,
            opId,
            timedOut: true,
          });
        }
        await sleep(this.options.operationPollMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
        if (this.stopped) throw lost;
        continue;
      }
      return this.settled(method, record, lost);
    }
  }

  private settled<M extends RpcMethod>(method: M, record: OperationRecord, lost: CedarStoreError): RpcResult<M> {
    const learned = learnedFromJournal(this.id, record.opId);
    if (record.state === 'succeeded') {
      const result = (rpcMethods[method].result as unknown as z.ZodType<RpcResult<M>>).safeParse(record.result);
      if (!result.success) throw this.invalidReply(method, `journal result: ${describeZodError(result.error)}`);
      this.logger?.info({ method, opId: record.opId }, 'operation outcome learned from the agent journal: succeeded');
      return result.data;
    }
    const message = record.error?.message ?? 'no reason recorded';
    if (record.state === 'unknown') {
      throw new AgentLostError(`${lost.message}. ${message} ${learned}`, { opId: record.opId, outcome: 'unknown' });
    }
    const code = isErrorCode(record.error?.code) ? record.error.code : 'INTERNAL';
    throw new CedarStoreError(code, `${message} ${learned}`, { opId: record.opId });
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

  /** The open connection, waiting at most the grace period for one. */
  private async connected(): Promise<RpcConnection> {
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

  /**
   * A call that was sent but got no answer. A timeout reports AGENT_LOST too: like a dropped
   * connection, it means the controller lost track of work that may still be running on the
   * agent, so the outcome is unknown — INTERNAL would blame a bug, and WRITE_FAILED would
   * claim a failure that may not have happened (and makes no sense for a status).
   */
  private unanswered(method: RpcMethod, error: unknown, timeoutMs: number): CedarStoreError {
    const details = this.details(method);
    if (error instanceof ReplyTimedOut) {
      this.logger?.warn({ method, timeoutMs }, 'the agent did not answer in time');
      return new AgentLostError(timeoutMessage(this.id, method, timeoutMs), { ...details, timedOut: true });
    }
    if (error instanceof ConnectionClosed && !error.sent) {
      // Nothing reached the agent, so nothing can have happened there.
      return new AgentUnreachableError(unreachableMessage(this.id, this.endpoint.url, error.message), details);
    }
    if (error instanceof ConnectionClosed) {
      const message =
        error.message === CLOSE_STOPPED
          ? stoppedMessage(this.id, method)
          : lostConnectionMessage(this.id, method, error.message);
      return new AgentLostError(message, details);
    }
    return new InternalError(`calling ${method} on agent ${this.id} failed: ${describe(error)}`, details);
  }

  private invalidReply(method: RpcMethod, problem: string): CedarStoreError {
    return new InternalError(
      `agent ${this.id} sent an invalid reply to ${method}: ${problem}; check the agent and controller are the same version`,
      this.details(method),
    );
  }

  private details(method: RpcMethod): Record<string, unknown> {
    return { agent: this.id, method };
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

function isJournaled(method: RpcMethod): boolean {
  return (JOURNALED_METHODS as readonly string[]).includes(method);
}

/** p-retry gives up on a TypeError; a connection attempt must fail in a way that is always retried. */
function asConnectFailure(error: unknown): never {
  throw error instanceof ConnectFailure ? error : new ConnectFailure(describe(error));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
