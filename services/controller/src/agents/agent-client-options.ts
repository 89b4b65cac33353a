/**
 * Every limit of the connection to an agent, named and documented in one place (every limit
 * is a setting). Tests shrink them; production keeps the defaults.
 */
import type { RpcMethod } from '@cedar-store/ports';
import type { Logger } from 'pino';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * How long the controller waits for each method's answer. Each is sized to the longest
 * honest run of its work and lies above the agent's own program time limits (status 2 min
 * per program, estimate 30 min), so the agent's precise error arrives before the
 * controller gives up. Writes and verifies of a full BD at 1× take hours, and a full blank
 * of slow rewritable media can take over an hour; initialize blanks first, so it gets a
 * blank's time.
 */
export const DEFAULT_CALL_TIMEOUTS_MS: Readonly<Record<RpcMethod, number>> = {
  'agent.describe': MINUTE,
  'staging.markStored': MINUTE,
  'media.status': 5 * MINUTE,
  // Inspect walks every file of the days to count their bytes, as an estimate does.
  'staging.inspect': 15 * MINUTE,
  'media.estimate': 45 * MINUTE,
  'media.blank': 3 * HOUR,
  'media.initialize': 3 * HOUR,
  'media.write': 12 * HOUR,
  'media.verify': 12 * HOUR,
  'media.export': 12 * HOUR,
  // Reads a whole day back from the disc, as a verify does.
  'media.restore': 12 * HOUR,
  // Reads every file of the disc, then xorriso reads it again for its MD5 check.
  'media.audit': 24 * HOUR,
  'operations.get': MINUTE,
  'manifest.read': MINUTE,
  // Hashing reads every staging file once, as a verify does.
  'manifest.hash': 12 * HOUR,
};

export type AgentClientOptions = {
  /** pino logger; the client logs under `{ agent, url }` and never logs the token. */
  logger?: Logger;
  /** Reconnect backoff: the first retry after `minDelayMs`, doubling (with jitter) up to `maxDelayMs`. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number; factor?: number };
  /** Interval between pings; a connection that has not answered the previous ping is dropped. */
  heartbeatMs?: number;
  /** How long a call made while disconnected waits for a connection before failing AGENT_UNREACHABLE. */
  unreachableGraceMs?: number;
  /** Time allowed for the WebSocket opening handshake. */
  connectTimeoutMs?: number;
  /** Largest message accepted from the agent; a bigger one closes the connection. */
  maxPayloadBytes?: number;
  /** Per-method overrides of DEFAULT_CALL_TIMEOUTS_MS. */
  timeouts?: Partial<Record<RpcMethod, number>>;
  /**
   * When the connection drops during a journaled operation (write, blank, initialize, verify),
   * how long the call waits for the agent to be reachable again so it can learn the outcome
   * from the agent's journal instead of failing AGENT_LOST. The wait restarts each time the
   * agent answers (an operation still running there is waited for as long as it runs).
   */
  lostOperationWaitMs?: number;
  /** How often the outcome of such an operation is asked for while it still runs, or while the agent is away. */
  operationPollMs?: number;
};

export type ResolvedClientOptions = {
  logger: Logger | undefined;
  reconnect: { minDelayMs: number; maxDelayMs: number; factor: number };
  heartbeatMs: number;
  unreachableGraceMs: number;
  connectTimeoutMs: number;
  maxPayloadBytes: number;
  timeouts: Record<RpcMethod, number>;
  lostOperationWaitMs: number;
  operationPollMs: number;
};

export function resolveClientOptions(options: AgentClientOptions = {}): ResolvedClientOptions {
  return {
    logger: options.logger,
    reconnect: {
      minDelayMs: options.reconnect?.minDelayMs ?? 500,
      maxDelayMs: options.reconnect?.maxDelayMs ?? 30 * SECOND,
      factor: options.reconnect?.factor ?? 2,
    },
    heartbeatMs: options.heartbeatMs ?? 15 * SECOND,
    // Short: a run should fail with a clear AGENT_UNREACHABLE, not hang behind a dead agent.
    unreachableGraceMs: options.unreachableGraceMs ?? 3 * SECOND,
    connectTimeoutMs: options.connectTimeoutMs ?? 10 * SECOND,
    // The biggest reply the contract allows is a verify report of 1000 mismatch paths of up to
    // 4096 characters each (12 MB at worst in UTF-8); anything beyond is broken or hostile.
    maxPayloadBytes: options.maxPayloadBytes ?? 16 * 2 ** 20,
    timeouts: { ...DEFAULT_CALL_TIMEOUTS_MS, ...options.timeouts },
    // Long enough for a switch reboot or a flapping link; an agent that does not return in this
    // time leaves the run failed AGENT_LOST, and its outcome is still learned when it reconnects.
    lostOperationWaitMs: options.lostOperationWaitMs ?? 5 * MINUTE,
    operationPollMs: options.operationPollMs ?? 2 * SECOND,
  };
}
