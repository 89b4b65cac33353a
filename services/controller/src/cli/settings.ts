/**
 * Every wait and limit of the client in one place. The defaults suit a nightly cron run:
 * they ride out a controller restart or a proxy that drops idle streams, and still end
 * (exit 3) when the controller stays away.
 */
export type ClientSettings = {
  /** A plain API call that takes longer than this means the controller is stuck or unreachable. */
  requestTimeoutMs: number;
  /** No byte on a run's event stream for this long: reconnect, in case a proxy dropped it silently. */
  streamIdleTimeoutMs: number;
  /** First wait before reconnecting a dropped event stream; doubles on each failure up to the next setting. */
  reconnectDelayMs: number;
  maxReconnectDelayMs: number;
  /** Reconnects in a row that bring no new event before the client stops streaming and polls the run instead. */
  maxReconnects: number;
  /** How often the run is read when the event stream is not used. */
  pollIntervalMs: number;
  /** How long the controller may stay unreachable while a run is followed before the client gives up (exit 3). */
  maxUnreachableMs: number;
  /** Plain (non-TTY) progress: a line at each tenth of the total, or after this long without one. */
  plainProgressEveryMs: number;
  /** Mismatches a human summary lists; `--json` always carries them all. */
  maxMismatchesShown: number;
};

export const DEFAULT_SETTINGS: ClientSettings = {
  requestTimeoutMs: 30_000,
  streamIdleTimeoutMs: 90_000,
  reconnectDelayMs: 500,
  maxReconnectDelayMs: 10_000,
  maxReconnects: 5,
  pollIntervalMs: 2_000,
  maxUnreachableMs: 120_000,
  plainProgressEveryMs: 30_000,
  maxMismatchesShown: 50,
};
