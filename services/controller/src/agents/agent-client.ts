/**
 * The controller's side of one configured agent: typed calls over its connection
 * (AgentConnection), checked against the shared wire contract on the way out and back.
 *
 * Failures keep the codes a user acts on: a call while the agent is away fails fast with
 * AGENT_UNREACHABLE (the run never started its work there); a call that was sent but never
 * answered fails AGENT_LOST, saying whether its outcome is unknown, because only then may
 * a disc have been written without the controller knowing. A journaled operation whose
 * connection dropped first waits to learn its outcome from the agent's journal (recovery).
 */
import type { CedarStoreError } from '@cedar-store/domain';
import {
  AgentLostError,
  AgentUnreachableError,
  InternalError,
  InvalidRequestError,
  errorMessage,
} from '@cedar-store/domain';
import {
  describeZodError,
  fromRpcError,
  JOURNALED_METHODS,
  plainResultCheckOf,
  rpcMethods,
  type AgentInfo,
  type OperationRecord,
  type ProgressListener,
  type RpcMethod,
  type RpcParams,
  type RpcResult,
} from '@cedar-store/ports';
import type { z } from 'zod';
import { awaitDroppedOperation } from '../recovery/dropped-operation.js';
import { resolveClientOptions, type AgentClientOptions, type ResolvedClientOptions } from './agent-client-options.js';
import { AgentConnection, CLOSE_STOPPED } from './agent-connection.js';
import type { AgentDescription, AgentEndpoint } from './agent-handshake.js';
import {
  lostConnectionMessage,
  notBackMessage,
  stoppedMessage,
  timeoutMessage,
  unreachableMessage,
  waitingForJournalMessage,
} from './agent-messages.js';
import { ConnectionClosed, ReplyTimedOut } from './rpc-connection.js';

export type CallOptions = {
  onProgress?: ProgressListener;
  timeoutMs?: number;
  /** A journaled operation whose connection dropped: told once, while the call waits to learn its outcome. */
  onConnectionLost?: (message: string) => void;
};

export class AgentClient {
  readonly id: string;
  private readonly options: ResolvedClientOptions;
  private readonly connection: AgentConnection;

  constructor(endpoint: AgentEndpoint, options?: AgentClientOptions) {
    this.id = endpoint.id;
    this.options = resolveClientOptions(options);
    this.connection = new AgentConnection(endpoint, this.options);
  }

  /** Connects, and keeps reconnecting until stop(). Returns at once; watch info() or onStateChange. */
  start(): void {
    this.connection.start();
  }

  /** Closes the connection and stops reconnecting; calls still waiting for a reply fail AGENT_LOST. */
  stop(): Promise<void> {
    return this.connection.stop();
  }

  info(): AgentInfo {
    return this.connection.info();
  }

  description(): AgentDescription | undefined {
    return this.connection.description();
  }

  onStateChange(listener: (info: AgentInfo) => void): () => void {
    return this.connection.onStateChange(listener);
  }

  /**
   * Calls `method` on the agent. Params are checked before anything is sent (INVALID_REQUEST)
   * and the result after it arrives (INTERNAL); the agent's own errors keep their code.
   */
  async call<M extends RpcMethod>(method: M, params: RpcParams<M>, options: CallOptions = {}): Promise<RpcResult<M>> {
    const checked = schemasOf(method).params.safeParse(params);
    if (!checked.success) {
      throw new InvalidRequestError(
        `${method} was not sent to agent ${this.id}: ${describeZodError(checked.error)}`,
        this.details(method),
      );
    }
    const connection = await this.connection.open();
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
    return this.checkedResult(method, reply.result, '');
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
    return (
      error instanceof ConnectionClosed && error.sent && error.message !== CLOSE_STOPPED && !this.connection.stopped
    );
  }

  /** Tells the caller the connection was lost, then waits for the journal (recovery/dropped-operation). */
  private async outcomeOf<M extends RpcMethod>(
    method: M,
    opId: string,
    lost: CedarStoreError,
    options: CallOptions,
    limit: { startedAt: number; timeoutMs: number },
  ): Promise<RpcResult<M>> {
    const waitMs = this.options.lostOperationWaitMs;
    options.onConnectionLost?.(waitingForJournalMessage(lost.message, this.id, waitMs, opId));
    const logger = this.connection.logger;
    logger?.warn({ method, opId, waitMs }, 'connection lost during an operation; waiting to learn its outcome');
    const connection = this.connection;
    const journal = {
      agentId: this.id,
      operations: (opIds: string[]) => this.operations(opIds),
      get stopped() {
        return connection.stopped;
      },
      get signal() {
        return connection.signal;
      },
    };
    const record = await awaitDroppedOperation(
      journal,
      {
        opId,
        lost,
        ...limit,
        timedOut: () =>
          new AgentLostError(timeoutMessage(this.id, method, limit.timeoutMs), {
            ...lost.details,
            opId,
            timedOut: true,
          }),
        notBack: () =>
          new AgentLostError(notBackMessage(lost.message, this.id, waitMs, opId), { ...lost.details, opId }),
      },
      { waitMs, pollMs: this.options.operationPollMs },
    );
    const result = this.checkedResult(method, record.result, 'journal result: ');
    logger?.info({ method, opId }, 'operation outcome learned from the agent journal: succeeded');
    return result;
  }

  private checkedResult<M extends RpcMethod>(method: M, value: unknown, what: string): RpcResult<M> {
    // A store fetches manifest pages beside its write: a method's plain check (ports'
    // plain-results.ts) takes what the schema would, for about a third of the CPU, and leaves
    // anything else to the schema to word.
    const plain = plainResultCheckOf(method)?.(value);
    if (plain) return plain as RpcResult<M>;
    const result = schemasOf(method).result.safeParse(value);
    if (!result.success) throw this.invalidReply(method, `${what}${describeZodError(result.error)}`);
    return result.data;
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
      this.connection.logger?.warn({ method, timeoutMs }, 'the agent did not answer in time');
      return new AgentLostError(timeoutMessage(this.id, method, timeoutMs), { ...details, timedOut: true });
    }
    if (error instanceof ConnectionClosed && !error.sent) {
      // Nothing reached the agent, so nothing can have happened there.
      return new AgentUnreachableError(
        unreachableMessage(this.id, this.connection.endpoint.url, error.message),
        details,
      );
    }
    if (error instanceof ConnectionClosed) {
      const message =
        error.message === CLOSE_STOPPED
          ? stoppedMessage(this.id, method)
          : lostConnectionMessage(this.id, method, error.message);
      return new AgentLostError(message, details);
    }
    return new InternalError(`calling ${method} on agent ${this.id} failed: ${errorMessage(error)}`, details);
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
}

function schemasOf<M extends RpcMethod>(method: M): { params: z.ZodType; result: z.ZodType<RpcResult<M>> } {
  return rpcMethods[method] as unknown as { params: z.ZodType; result: z.ZodType<RpcResult<M>> };
}

function isJournaled(method: RpcMethod): boolean {
  return (JOURNALED_METHODS as readonly string[]).includes(method);
}
