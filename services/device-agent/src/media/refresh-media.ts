import { setTimeout as sleep } from 'node:timers/promises';
import { WriteFailedError } from '@cedar-store/domain';
import { lastLines } from '../process/last-lines.js';
import type { ProgramRunner } from '../process/program-runner.js';
import { refreshMediaSteps, type RefreshSettings } from './eject.js';

/** Runs Cedar Backup's eject sequence; a tray that will not move fails the operation. */
export async function refreshMedia(
  runner: ProgramRunner,
  devicePath: string,
  settings: RefreshSettings,
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<void> {
  for (const step of refreshMediaSteps(devicePath, settings)) {
    if ('waitSeconds' in step) {
      await wait(step.waitSeconds * 1000);
      continue;
    }
    const result = await runner.run('eject', step.run, { timeout: 'eject' });
    if (result.exitCode !== 0) {
      throw new WriteFailedError(
        `the media was written but refreshing the drive failed (${result.command}): ${lastLines(result.stderr)}. ` +
          'Check the tray, then run a verify before trusting the disc.',
      );
    }
  }
}
