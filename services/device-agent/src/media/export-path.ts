import { mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DayStamp } from '@cedar-store/domain';

/**
 * Claims a new file under `<workingDir>/exports` for an exported ISO image, named after its
 * days; never overwrites an earlier export (a numbered suffix is added instead). The file is
 * readable by the agent's user only: it is a copy of the backups.
 */
export async function claimExportPath(workingDir: string, days: readonly DayStamp[]): Promise<string> {
  const dir = join(workingDir, 'exports');
  await mkdir(dir, { recursive: true });
  const sorted = [...days].sort();
  const base = sorted.length === 1 ? `cedar-${sorted[0]}` : `cedar-${sorted[0]}_to_${sorted[sorted.length - 1]}`;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const path = join(dir, attempt === 0 ? `${base}.iso` : `${base}-${attempt}.iso`);
    const handle = await open(path, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return null;
      throw error;
    });
    if (handle) {
      await handle.close();
      return path;
    }
  }
  throw new Error(`too many exports of ${base} in ${dir}: remove old ones`);
}

/** Builds an export into a claimed file, removing the file when the build fails in any way. */
export async function buildExport(
  workingDir: string,
  days: readonly DayStamp[],
  build: (imagePath: string) => Promise<void>,
): Promise<{ path: string; bytes: number }> {
  const imagePath = await claimExportPath(workingDir, days);
  try {
    await build(imagePath);
    return { path: imagePath, bytes: (await stat(imagePath)).size };
  } catch (error) {
    await rm(imagePath, { force: true });
    throw error;
  }
}
