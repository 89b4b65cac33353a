import type { Logger } from 'pino';
import type { ProgramRunner } from '../process/program-runner.js';
import type { FsStagingArea } from '../staging/fs-staging-area.js';
import type { MountTable } from './mount-table.js';

/** What every backend needs from the agent around it. */
export type DriveEnvironment = {
  staging: FsStagingArea;
  /** Mount points, temporary images (cdrecord) and exported ISO files live here. */
  workingDir: string;
  runner: ProgramRunner;
  mountTable: MountTable;
  logger?: Logger;
  /** Waits (eject delays, unmount retries); tests pass a fast one. */
  wait?: (ms: number) => Promise<unknown>;
  /** Milliseconds between unmount attempts (5 attempts). */
  unmountRetryMs?: number;
};
