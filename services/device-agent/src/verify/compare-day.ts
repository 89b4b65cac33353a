/**
 * The consistency check of one or more staging days against the mounted media
 * (REFERENCE.md §8): list both trees, compare the bytes of every file present on both sides
 * with the same size — several files at once, to keep the disks and both cores busy — and let
 * the domain decide what differs. What cannot be read on the media (a bad sector) is exactly
 * what the check looks for, so it is a mismatch; what cannot be read in staging stops the check.
 */
import {
  compareTrees,
  dayToGraftPoint,
  isStoreIndicatorPath,
  VerifyFailedError,
  type DayStamp,
  type FileFacts,
  type Mismatch,
} from '@cedar-store/domain';
import { join } from 'node:path';
import { access } from 'node:fs/promises';
import { sameBytes, UnreadableFileError, type OpenFile } from './compare-files.js';
import { walkTree, type OpenDirectory, type WalkedFile } from './walk-tree.js';

export type DayToCompare = { day: DayStamp; stagingPath: string };

export type ComparisonResult = { filesCompared: number; bytesCompared: number; mismatches: Mismatch[] };

export type CompareOptions = {
  /** Files compared at the same time. */
  concurrency?: number;
  onBytes?: (bytesDone: number, bytesTotal: number) => void;
  /** Replaces the opens of files and directories, for tests: no real file can be made to fail with EIO. */
  fileSystem?: { openFile?: OpenFile; openDirectory?: OpenDirectory };
};

export const DEFAULT_COMPARE_CONCURRENCY = 4;

export async function compareDays(
  days: readonly DayToCompare[],
  mountPoint: string,
  options: CompareOptions = {},
): Promise<ComparisonResult> {
  const openDirectory = options.fileSystem?.openDirectory;
  const expected = await walkStagingDays(days, openDirectory);
  const actual: WalkedFile[] = [];
  for (const { day } of days) {
    const graft = dayToGraftPoint(day);
    const onMedia = join(mountPoint, graft);
    // An unlisted directory on the media is marked by the walk; its files then count as missing.
    if (await exists(onMedia)) {
      actual.push(...(await walkTree(onMedia, graft, { openDirectory, onUnreadable: () => {} })));
    }
  }
  const openFile = options.fileSystem?.openFile;
  return compareListedFiles(expected, actual, options, (file, twin, onBytes) =>
    sameBytes(file.absolutePath, (twin as WalkedFile).absolutePath, onBytes, undefined, openFile),
  );
}

/** Every file, directory and symlink of the staging days, relative to their graft points (the mounted check's walk). */
async function walkStagingDays(days: readonly DayToCompare[], openDirectory?: OpenDirectory): Promise<WalkedFile[]> {
  const expected: WalkedFile[] = [];
  for (const { day, stagingPath } of days) {
    expected.push(
      ...(await walkTree(stagingPath, dayToGraftPoint(day), {
        openDirectory,
        onUnreadable: (directory, error) => {
          throw stagingUnreadable(directory, error);
        },
      })),
    );
  }
  return expected;
}

/**
 * Compares the bytes of every staging file whose twin on the media has the same size,
 * `concurrency` files at a time, and lets the domain decide what differs. `sameFile` reads
 * one pair; it throws UnreadableFileError for a side it cannot read.
 */
export async function compareListedFiles<Actual extends FileFacts>(
  expected: WalkedFile[],
  actual: Actual[],
  options: Pick<CompareOptions, 'concurrency' | 'onBytes'>,
  sameFile: (file: WalkedFile, twin: Actual, onBytes: (bytes: number) => void) => Promise<boolean>,
): Promise<ComparisonResult> {
  const { pairs, comparable } = filesToCompare(expected, actual);
  const bytesTotal = comparable.reduce((sum, { file }) => sum + file.size, 0);

  let bytesDone = 0;
  const onBytes = (bytes: number): void => {
    bytesDone += bytes;
    options.onBytes?.(bytesDone, bytesTotal);
  };
  await runPool(comparable, options.concurrency ?? DEFAULT_COMPARE_CONCURRENCY, async ({ file, twin }) => {
    try {
      if (!(await sameFile(file, twin, onBytes))) twin.contentDiffers = true;
    } catch (error) {
      if (!(error instanceof UnreadableFileError)) throw error;
      if (error.side === 'expected') throw stagingUnreadable(file.absolutePath, error);
      twin.contentDiffers = true;
    }
  });
  return verdict(expected, actual, pairs.length, bytesDone);
}

/**
 * The staging files present on the media as files (`pairs`, each counted as compared), and
 * those of them with the same size on both sides, whose bytes are read (`comparable`).
 */
export function filesToCompare<Expected extends FileFacts, Actual extends FileFacts>(
  expected: readonly Expected[],
  actual: readonly Actual[],
): { pairs: { file: Expected; twin: Actual }[]; comparable: { file: Expected; twin: Actual }[] } {
  const actualByPath = new Map(actual.map((file) => [file.path, file]));
  const pairs = expected
    .filter((file) => file.kind === 'file' && !isStoreIndicatorPath(file.path))
    .map((file) => ({ file, twin: actualByPath.get(file.path) }))
    .filter((pair): pair is { file: Expected; twin: Actual } => pair.twin?.kind === 'file');
  return { pairs, comparable: pairs.filter(({ file, twin }) => file.size === twin.size) };
}

/** The result once the bytes were compared (the media's differing files marked `contentDiffers`). */
export function verdict(
  expected: FileFacts[],
  actual: FileFacts[],
  filesCompared: number,
  bytesCompared: number,
): ComparisonResult {
  return { filesCompared, bytesCompared, mismatches: compareTrees(expected, actual) };
}

/** Staging is the reference: when it cannot be read, no verdict on the media can be given. */
export function stagingUnreadable(path: string, error: unknown): VerifyFailedError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as { message?: unknown } | null)?.message;
  const reason = typeof code === 'string' ? code : typeof message === 'string' ? message : String(error);
  return new VerifyFailedError(
    `could not read ${path} in the staging directory (${reason}), so the media was not compared with it: ` +
      'check that the agent may read it (permissions) and that its disk is healthy, then verify again',
    { path, code: typeof code === 'string' ? code : undefined },
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Runs `work` on every item, `concurrency` at a time. After a failure no new item starts, and
 * the failure is thrown only once the running items have finished: the media is unmounted
 * next, and a file still open on it would make the unmount fail as busy.
 */
async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure) throw failure.error;
}
