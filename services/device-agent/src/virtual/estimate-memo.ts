/**
 * The virtual backend's memory of its last image measurement, so a write can reuse the
 * estimate the controller asked for a moment before, only while nothing it depends on changed
 * (see estimateKey) and for at most ESTIMATE_REUSE_MS. Why and what it misses:
 * docs/decisions/0003-the-write-reuses-the-estimate.md.
 */
import { stat } from 'node:fs/promises';
import { sharedFileWorkers, type FileWorkers } from '../files/file-workers.js';
import type { ResolvedDay } from '../staging/fs-staging-area.js';

/** How long a measured size may be reused: a store's estimate and write are seconds apart. */
export const ESTIMATE_REUSE_MS = 60_000;

export class EstimateMemo {
  private last: { key: string; sectors: number; at: number } | undefined;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly reuseMs = ESTIMATE_REUSE_MS,
  ) {}

  /** The remembered size for `key` while fresh, else `measure()`'s, remembered. */
  async sectors(key: string, measure: () => Promise<number>): Promise<number> {
    const last = this.last;
    if (last && last.key === key && this.now() - last.at <= this.reuseMs) return last.sectors;
    this.last = undefined;
    const sectors = await measure();
    this.last = { key, sectors, at: this.now() };
    return sectors;
  }

  forget(): void {
    this.last = undefined;
  }
}

/**
 * What a measured size depends on, as one string; any change makes a new key: the days and
 * their paths, the kind of session, the image file's size and mtime, every directory's mtime
 * (read by a worker thread).
 */
export async function estimateKey(
  imagePath: string,
  days: readonly ResolvedDay[],
  newDisc: boolean,
  workers: FileWorkers = sharedFileWorkers(),
): Promise<string> {
  const image = newDisc
    ? null
    : await stat(imagePath).then(
        (facts) => [facts.size, facts.mtimeMs],
        () => null,
      );
  const trees = await Promise.all(days.map(async ({ day, path }) => [day, path, await workers.directoryTimes(path)]));
  return JSON.stringify({ newDisc, image, trees });
}
