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
  /**
   * For a controller that starts: ends every run left `running` or `queued` (no process works
   * on it any more) in one go. `finish` gives each run's finished record from the run and its
   * events; a `finished` event stamped `at`, with that status and error, closes its events.
   * Returns the finished runs, oldest first.
   */
  finishAbandoned(at: Date, finish: (run: Run, events: RunEvent[]) => Run): Promise<Run[]>;
}

/** Statuses a run only has while a controller process is working on it. */
export const UNFINISHED_STATUSES: readonly RunStatus[] = ['running', 'queued'];
