import type { Run, RunEvent, RunEventBody, RunStatus } from './run.js';

export type RunFilter = { status?: RunStatus; device?: string; limit?: number };

/** Where runs and their events live; runs survive restarts of the controller. */
export interface RunRepository {
  create(run: Run): Promise<void>;
  /** Saves the whole run as it now stands. */
  save(run: Run): Promise<void>;
  get(id: string): Promise<Run | null>;
  /** Newest first. */
  list(filter?: RunFilter): Promise<Run[]>;
  appendEvent(runId: string, event: RunEventBody): Promise<RunEvent>;
  /** Events in order, optionally only those after `afterSeq`. */
  events(runId: string, afterSeq?: number): Promise<RunEvent[]>;
}
