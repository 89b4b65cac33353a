/**
 * The staging root on disk (docs/how-store-decides.md): one directory per day at `<root>/YYYY/MM/DD`,
 * with its indicator files. The agent reads only day directories that really lie under the
 * root: a day symlinked elsewhere is reported as such (`escapesTo`), its contents and
 * indicators unread, and refused for writing and verifying — unless agent.yaml sets
 * `followDaySymlinks`, when it is read and marked where it points, as the reference does. It
 * writes nothing but `cback.store`, atomically, owned by the backup user when one is configured.
 * Indicators are read as the reference reads them (`os.path.exists`): by existence, through links.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import {
  InvalidRequestError,
  isDayStamp,
  NoStagingDirectoryError,
  outsideRootError,
  STAGE_INDICATOR,
  STORE_INDICATOR,
  type DayStamp,
} from '@cedar-store/domain';
import type { StagingArea, StagingDayInfo } from '@cedar-store/ports';
import { FileWorkers } from '../files/file-workers.js';
import type { Owner } from './owner.js';
import { writeStoreIndicator } from './store-indicator.js';

/** `escapesTo`: the day is a symlink to this directory outside the root, not followed (path is the link). */
export type ResolvedDay = { day: DayStamp; path: string; exists: boolean; escapesTo?: string };

export class FsStagingArea implements StagingArea {
  constructor(
    private readonly root: string,
    private readonly owner: Owner | null = null,
    /**
     * Sizes are summed by a worker thread: on the event loop, 100 000 files took two seconds of it
     * (`npm run bench`); the pool sums a day of a few files inline when no thread runs. The agent
     * injects its one pool; a staging area built without one has its own.
     */
    readonly workers: FileWorkers = new FileWorkers(),
    /** agent.yaml `followDaySymlinks`: read and mark days where their links point, even outside the root. */
    private readonly followDaySymlinks = false,
  ) {}

  /** The day's directory, checked to be a real date; one whose real path leaves the root is marked so. */
  async resolveDay(day: string): Promise<ResolvedDay> {
    if (typeof day !== 'string' || !isDayStamp(day)) {
      throw new InvalidRequestError(`"${String(day).slice(0, 40)}" is not a real calendar date written YYYY-MM-DD`);
    }
    const path = join(this.root, ...day.split('-'));
    const facts = await lstat(path).catch(() => null);
    if (facts === null) return { day, path, exists: false };
    // A day whose symlink points nowhere is as missing as a day that was never staged.
    const realDay = await realpath(path).catch(() => null);
    if (realDay === null) return { day, path, exists: false };
    const realRoot = await realpath(this.root);
    const inside = relative(realRoot, realDay);
    const escapes = inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside);
    // Whether it is a directory is what the reference's `os.path.isdir` asks; nothing in it is read.
    const isDirectory = (await stat(realDay)).isDirectory();
    if (escapes && !this.followDaySymlinks) return { day, path, exists: isDirectory, escapesTo: realDay };
    return { day, path: realDay, exists: isDirectory };
  }

  /** Resolves days that must exist (for writing and verifying); a missing or unfollowed one is an error. */
  async existingDays(days: readonly string[]): Promise<ResolvedDay[]> {
    const resolved = await Promise.all(days.map((day) => this.resolveDay(day)));
    const escaping = resolved.flatMap(({ day, exists, escapesTo }) =>
      exists && escapesTo !== undefined ? [{ day, escapesTo }] : [],
    );
    if (escaping.length > 0) throw outsideRootError(escaping);
    const missing = resolved.filter((day) => !day.exists).map((day) => day.day);
    if (missing.length > 0) {
      throw new NoStagingDirectoryError(`no staging directory for ${missing.join(', ')} under ${this.root}`, {
        days: missing,
      });
    }
    return resolved;
  }

  async inspect(days: DayStamp[]): Promise<StagingDayInfo[]> {
    const resolved = await Promise.all(days.map((day) => this.resolveDay(day)));
    return Promise.all(resolved.map((day) => this.facts(day)));
  }

  async markStored(days: DayStamp[]): Promise<DayStamp[]> {
    const resolved = await this.existingDays(days);
    for (const { path } of resolved) await writeStoreIndicator(path, this.owner);
    return resolved.map((day) => day.day);
  }

  private async facts({ day, path, exists, escapesTo }: ResolvedDay): Promise<StagingDayInfo> {
    // Outside the root nothing is read: the day is reported with where it points.
    if (escapesTo !== undefined) return { day, exists, staged: false, stored: false, bytes: 0, escapesTo };
    if (!exists) return { day, exists: false, staged: false, stored: false, bytes: 0 };
    const [staged, stored, { bytes, shape }] = await Promise.all([
      indicatorExists(join(path, STAGE_INDICATOR)),
      indicatorExists(join(path, STORE_INDICATOR)),
      this.workers.dayFacts(path),
    ]);
    return { day, exists: true, staged, stored, bytes, shape };
  }
}

/**
 * The reference tests an indicator with `os.path.exists`: any kind of file, through links;
 * a link that points nowhere does not exist. (Writing `cback.store` never goes through a link.)
 */
async function indicatorExists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}
