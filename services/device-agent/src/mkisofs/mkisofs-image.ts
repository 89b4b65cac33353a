/**
 * The mkisofs and isoinfo steps both reference backends share: measuring an image, building
 * a standalone ISO file without any drive, and reading the media label back.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WriteFailedError, type DayStamp } from '@cedar-store/domain';
import type { DriveEnvironment } from '../media/drive-environment.js';
import { buildExport } from '../media/export-path.js';
import { lastLines } from '../process/last-lines.js';
import { noSpaceError, reportsNoSpace } from '../process/no-space.js';
import type { ProgramRunner } from '../process/program-runner.js';
import { graftArgs, imageArgs, printSizeArgs, volumeInfoArgs } from './args.js';
import { parsePrintSize, parseVolumeId } from './parse.js';

export async function printSizeSectors(
  runner: ProgramRunner,
  request: Parameters<typeof printSizeArgs>[0],
): Promise<number> {
  const result = await runner.run('mkisofs', printSizeArgs(request), { timeout: 'estimate' });
  const sectors = result.exitCode === 0 ? parsePrintSize(result.stdout) : null;
  if (sectors === null) {
    throw new WriteFailedError(
      `mkisofs could not estimate the image size (exit code ${result.exitCode}): ${lastLines(result.stderr)}`,
    );
  }
  return sectors;
}

/** The media label, or null when the disc has none or cannot be read (blank, no disc). */
export async function readMediaLabel(
  runner: ProgramRunner,
  device: string,
  lastSessionStart?: number,
): Promise<string | null> {
  const result = await runner.run('isoinfo', volumeInfoArgs(device, lastSessionStart), {
    timeout: 'status',
  });
  return result.exitCode === 0 ? parseVolumeId(result.stdout) : null;
}

/** Runs `work` with a fresh directory under the working directory, removed afterwards whatever happened. */
export async function withScratchDirectory<T>(workingDir: string, work: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(workingDir, { recursive: true });
  const dir = await mkdtemp(join(workingDir, 'scratch-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A standalone ISO file of the days under `<workingDir>/exports`, built without touching any drive. */
export async function exportWithMkisofs(
  env: DriveEnvironment,
  request: { days: DayStamp[]; label: string },
): Promise<{ path: string; bytes: number }> {
  const days = await env.staging.existingDays(request.days);
  return buildExport(env.workingDir, request.days, async (imagePath) => {
    const result = await env.runner.run(
      'mkisofs',
      imageArgs({ imagePath, grafts: graftArgs(days), label: request.label }),
      { timeout: 'write' },
    );
    // genisoimage may exit 0 after "No space left on device": its image would be cut short.
    if (reportsNoSpace(result.stderr)) {
      throw noSpaceError(dirname(imagePath), 'mkisofs could not build the ISO image', lastLines(result.stderr));
    }
    if (result.exitCode !== 0) {
      throw new WriteFailedError(`mkisofs could not build the ISO image: ${lastLines(result.stderr)}`);
    }
  });
}
