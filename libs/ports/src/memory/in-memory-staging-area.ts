import { assertDayStamp, NoStagingDirectoryError, outsideRootError, type DayStamp } from '@cedar-store/domain';
import type { StagingArea } from '../staging-area.js';
import type { StagingDayInfo } from '../wire/methods.js';
import type { FileContent } from './file-content.js';

type StagedDay = { files: Map<string, FileContent>; staged: boolean; stored: boolean };

const encoder = new TextEncoder();

/** A staging root in memory: days with their files and indicators. For unit tests only. */
export class InMemoryStagingArea implements StagingArea {
  private readonly days = new Map<DayStamp, StagedDay>();
  /** Days that are symlinks to a directory outside the root, not followed: day → where they point. */
  private readonly linkedOut = new Map<DayStamp, string>();
  private failMarkStored: Error | null = null;
  readonly markStoredCalls: DayStamp[][] = [];

  /** Puts a day in the staging area; files are relative paths inside the day. */
  addDay(
    day: DayStamp,
    files: Record<string, string | FileContent>,
    indicators: { staged?: boolean; stored?: boolean } = {},
  ): this {
    assertDayStamp(day);
    const contents = new Map<string, FileContent>();
    for (const [path, content] of Object.entries(files)) {
      contents.set(path, typeof content === 'string' ? encoder.encode(content) : content);
    }
    this.days.set(day, { files: contents, staged: indicators.staged ?? true, stored: indicators.stored ?? false });
    return this;
  }

  /** Makes a day a symlink to `target`, a directory outside the staging root, which is not followed. */
  addLinkedOutDay(day: DayStamp, target: string): this {
    assertDayStamp(day);
    this.days.delete(day);
    this.linkedOut.set(day, target);
    return this;
  }

  /** The files of a day as `YYYY/MM/DD/path`, the way they appear on disc. */
  filesAtGraftPoint(day: DayStamp): Map<string, FileContent> {
    const graft = day.replaceAll('-', '/');
    const files = new Map<string, FileContent>();
    for (const [path, content] of this.days.get(day)?.files ?? []) files.set(`${graft}/${path}`, content);
    return files;
  }

  hasDay(day: DayStamp): boolean {
    return this.days.has(day);
  }

  isStored(day: DayStamp): boolean {
    return this.days.get(day)?.stored ?? false;
  }

  /** The next markStored fails with this error (a full disk, a permission problem). */
  failNextMarkStored(error: Error): void {
    this.failMarkStored = error;
  }

  async inspect(days: DayStamp[]): Promise<StagingDayInfo[]> {
    return days.map((day) => {
      assertDayStamp(day);
      const escapesTo = this.linkedOut.get(day);
      if (escapesTo !== undefined) return { day, exists: true, staged: false, stored: false, bytes: 0, escapesTo };
      const found = this.days.get(day);
      if (!found) return { day, exists: false, staged: false, stored: false, bytes: 0 };
      let bytes = 0;
      const directories = new Set<string>();
      const shape = { files: found.files.size, directories: 0, nameBytes: 0, dataSectors: 0 };
      for (const [path, content] of found.files) {
        bytes += content.byteLength;
        shape.dataSectors += Math.ceil(content.byteLength / 2048);
        const parts = path.split('/');
        shape.nameBytes += Buffer.byteLength(parts.at(-1)!);
        for (let depth = 1; depth < parts.length; depth++) directories.add(parts.slice(0, depth).join('/'));
      }
      for (const directory of directories) shape.nameBytes += Buffer.byteLength(directory.split('/').at(-1)!);
      shape.directories = directories.size;
      // The indicators are empty files on a real staging day, and on the disc.
      for (const indicator of [found.staged && 'cback.stage', found.stored && 'cback.store']) {
        if (!indicator) continue;
        shape.files += 1;
        shape.nameBytes += indicator.length;
      }
      return { day, exists: true, staged: found.staged, stored: found.stored, bytes, shape };
    });
  }

  async markStored(days: DayStamp[]): Promise<DayStamp[]> {
    if (this.failMarkStored) {
      const error = this.failMarkStored;
      this.failMarkStored = null;
      throw error;
    }
    const escaping = days.flatMap((day) => {
      const escapesTo = this.linkedOut.get(day);
      return escapesTo === undefined ? [] : [{ day, escapesTo }];
    });
    if (escaping.length > 0) throw outsideRootError(escaping);
    for (const day of days) {
      const found = this.days.get(day);
      if (!found) throw new NoStagingDirectoryError(`staging day ${day} does not exist`);
    }
    this.markStoredCalls.push([...days]);
    for (const day of days) (this.days.get(day) as StagedDay).stored = true;
    return [...days];
  }
}
