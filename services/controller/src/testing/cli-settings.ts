import type { ClientSettings } from '../cli/settings.js';

/** The CLI's waits and retries shortened for tests, so a failure path ends in milliseconds. */
export const FAST_CLIENT_SETTINGS: Partial<ClientSettings> = {
  requestTimeoutMs: 2000,
  streamIdleTimeoutMs: 2000,
  reconnectDelayMs: 10,
  maxReconnectDelayMs: 50,
  pollIntervalMs: 10,
  maxUnreachableMs: 300,
};
