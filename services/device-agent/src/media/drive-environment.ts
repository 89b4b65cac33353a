import type { Logger } from 'pino';
import type { ProgramRunner } from '../process/program-runner.js';
import type { FsStagingArea } from '../staging/fs-staging-area.js';
import type { DriveGuards } from './device-guard.js';
import type { MountTable } from './mount-table.js';

/** What every backend needs from the agent around it. */
export type DriveEnvironment = {
  staging: FsStagingArea;
  /** Mount points, temporary images (cdrecord) and exported ISO files live here. */
  workingDir: string;
  /** Each device's own in the agent: it tells the operation journal which device a program ran on. */
  runner: ProgramRunner;
  mountTable: MountTable;
  logger?: Logger;
  /** Waits (eject delays, unmount retries); tests pass a fast one. */
  wait?: (ms: number) => Promise<unknown>;
  /** Guards shared by devices on the same drive; each device guards itself when absent. */
  guards?: DriveGuards;
  /** Milliseconds between unmount attempts (5 attempts). */
  unmountRetryMs?: number;
};
