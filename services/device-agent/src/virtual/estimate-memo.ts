/**
 * A store measures its image twice within a moment: the controller asks for an estimate (its
 * fit check), then the write measures the same days again (the agent's own fit check under the
 * device lock). For a day of 100 000 files each measure is seconds of xorriso walking the tree
 * (`npm run bench`), so the virtual backend remembers the last one and lets the write reuse it
 * — only while nothing it depends on changed: the same days at the same paths, the same kind
 * of session, the same image file (size and mtime) for an append, every directory of the days
 * unchanged (a file added, removed or renamed anywhere changes its directory's mtime), and for
 * at most ESTIMATE_REUSE_MS. A file rewritten in place inside a staged day is not noticed; the
 * stage indicator says staging is over, and the image's real size is reported by the write.
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
 * What a measured size depends on, as one string; any change makes a new key. The directories'
 * times are read by a worker thread: listing a day of 100 000 files on the event loop took
 * a second of it, twice per store (`npm run bench`).
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
