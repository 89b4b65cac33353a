/**
 * The parts of the wire contract that are plain values, with no zod. The client CLI checks
 * its arguments and follows a run with these alone (`@cedar-store/ports/constants`), so a
 * cron job's start does not build every wire schema; the schemas are built from them.
 */

export const LIMITS = {
  /** Days in one request: a rebuild needs at most 7; inspect may look a month around. */
  maxDaysPerRequest: 31,
  /** ISO 9660 volume ids hold 32 characters. */
  maxLabelLength: 32,
  maxIdLength: 64,
  maxMismatchesReported: 1000,
  /** An operation id is `<runId>:<step>`: a UUID and a short step name fit with room to spare. */
  maxOperationIdLength: 100,
  /** Operation ids asked about in one operations.get. */
  maxOperationsPerRequest: 32,
  /** Manifest records in one manifest.read page (the agent's frame limit may allow fewer). */
  maxManifestRecordsPerPage: 5000,
} as const;

/** `agent/device`, as the controller names a device: two ids joined by `/`. */
export const DEVICE_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_DEVICE_REF_LENGTH = 2 * LIMITS.maxIdLength + 1;

/** What DeviceRefSchema accepts, for a caller that has not loaded the schemas. */
export function isDeviceRef(value: string): boolean {
  return value.length <= MAX_DEVICE_REF_LENGTH && DEVICE_REF_PATTERN.test(value);
}

export const RUN_ACTIONS = ['store', 'rebuild', 'initialize', 'verify', 'restore', 'audit'] as const;
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export const FINISHED_STATUSES = ['succeeded', 'failed', 'cancelled', 'interrupted'] as const;

export function isFinished(status: (typeof RUN_STATUSES)[number]): boolean {
  return (FINISHED_STATUSES as readonly string[]).includes(status);
}
