/**
 * The consistency check of one or more staging days against the media (docs/verify.md):
 * list both trees, compare the bytes of every file present on both sides with the same size —
 * several files at once, in worker threads, to keep the disks and both cores busy — and let
 * the domain decide what differs. What cannot be read on the media (a bad sector) is exactly
 * what the check looks for, so it is a mismatch; what cannot be read in staging stops the check.
 *
 * `compareDays` reads the media through a mount point; direct-verify.ts reads it without one.
 */
import {
  compareTrees,
  dayToGraftPoint,
  isStoreIndicatorPath,
  VerifyFailedError,
  type DayStamp,
  type FileFacts,
  type Mismatch,
  errorMessage,
} from '@cedar-store/domain';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareTask, ListedFile, TaskOutcome } from '../files/file-work.js';
import { withFileWorkers, WorkerExitError, type FileWorkers } from '../files/file-workers.js';

export type DayToCompare = { day: DayStamp; stagingPath: string };

export type ComparisonResult = { filesCompared: number; bytesCompared: number; mismatches: Mismatch[] };

export type CompareOptions = {
  /** Files compared at the same time. */
  concurrency?: number;
  onBytes?: (bytesDone: number, bytesTotal: number) => void;
  /** The threads that list and compare; tests pass an inline pool whose disk fails on purpose. */
  workers?: FileWorkers;
  /**
   * Each file found the same, by its path on the disc, with the SHA-256 of the bytes just
   * compared (a store's manifest: one read serves both). Without it nothing is hashed.
   */
  onFileHashed?: FileHashedListener;
};

export type FileHashedListener = (pathOnDisc: string, size: number, sha256: string) => void;

export const DEFAULT_COMPARE_CONCURRENCY = 4;

export function compareDays(
  days: readonly DayToCompare[],
  mountPoint: string,
  options: CompareOptions = {},
): Promise<ComparisonResult> {
  return withFileWorkers(options.workers, (workers) => compareWith(workers, days, mountPoint, options));
}

async function compareWith(
  workers: FileWorkers,
  days: readonly DayToCompare[],
  mountPoint: string,
  options: CompareOptions,
): Promise<ComparisonResult> {
  const expected = await listStagingDays(workers, days).catch(workerStopped);
  const actual: ListedFile[] = [];
  for (const { day } of days) {
    const graft = dayToGraftPoint(day);
    const onMedia = join(mountPoint, graft);
    // A directory the media cannot list is marked by the listing; its files then count as missing.
    if (await exists(onMedia)) {
      const listing = await workers.listDay(onMedia, graft, true).catch(workerStopped);
      if ('files' in listing) for (const file of listing.files) actual.push(file);
    }
  }
  const { pairs, comparable } = filesToCompare(expected, actual);
  const bytesCompared = await compareFiles(
    workers,
    comparable,
    comparable.map(({ file, twin }) => ({
      expectedPath: file.absolutePath,
      actualPath: twin.absolutePath,
      size: twin.size,
    })),
    {
      concurrency: options.concurrency ?? DEFAULT_COMPARE_CONCURRENCY,
      onBytes: options.onBytes,
      onFileHashed: options.onFileHashed,
    },
  );
  return verdict(expected, actual, pairs.length, bytesCompared);
}

/** Every file, directory and symlink of the staging days, listed by a worker thread; an unreadable one stops the check. */
export async function listStagingDays(workers: FileWorkers, days: readonly DayToCompare[]): Promise<ListedFile[]> {
  const files: ListedFile[] = [];
  for (const { day, stagingPath } of days) {
    const listing = await workers.listDay(stagingPath, dayToGraftPoint(day));
    if ('unreadable' in listing) throw stagingUnreadable(listing.unreadable.path, listing.unreadable.error);
    for (const file of listing.files) files.push(file);
  }
  return files;
}

/**
 * Compares each pair by its task (same order), marks the media's twins that differ, and returns
 * the bytes found equal. A staging file that cannot be read stops the check. With
 * `onFileHashed`, each file found the same is reported with the SHA-256 of the bytes just
 * compared (a store's manifest, manifest-store.ts): one read serves both.
 */
export async function compareFiles(
  workers: FileWorkers,
  pairs: readonly { file: ListedFile; twin: FileFacts }[],
  tasks: readonly CompareTask[],
  options: {
    mediaFd?: number;
    concurrency: number;
    onBytes?: (bytesDone: number, bytesTotal: number) => void;
    onFileHashed?: FileHashedListener;
  },
): Promise<number> {
  const bytesTotal = tasks.reduce((sum, task) => sum + task.size, 0);
  let bytesDone = 0;
  const hashed = options.onFileHashed;
  const outcomes: (TaskOutcome | undefined)[] = await workers
    .compare(tasks, {
      mediaFd: options.mediaFd,
      concurrency: options.concurrency,
      onBytes: (bytes) => {
        bytesDone += bytes;
        options.onBytes?.(bytesDone, bytesTotal);
      },
      ...(hashed
        ? {
            onHashes: (start: number, hashes: readonly (string | null)[]) =>
              hashes.forEach((sha256, index) => {
                if (sha256 !== null) hashed(pairs[start + index]!.twin.path, tasks[start + index]!.size, sha256);
              }),
          }
        : {}),
    })
    .catch(workerStopped);
  outcomes.forEach((outcome, index) => {
    const { file, twin } = pairs[index]!;
    if (outcome === 'differs') twin.contentDiffers = true;
    else if (typeof outcome === 'object') throw stagingUnreadable(file.absolutePath, outcome.unreadable);
  });
  return bytesDone;
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
  return {
    pairs,
    comparable: pairs.filter(({ file, twin }) => file.size === twin.size && twin.contentDiffers !== true),
  };
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
function stagingUnreadable(path: string, error: unknown): VerifyFailedError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as { message?: unknown } | null)?.message;
  const reason = typeof code === 'string' ? code : typeof message === 'string' ? message : String(error);
  return new VerifyFailedError(
    `could not read ${path} in the staging directory (${reason}), so the media was not compared with it: ` +
      'check that the agent may read it (permissions) and that its disk is healthy, then verify again',
    { path, code: typeof code === 'string' ? code : undefined },
  );
}

/** A worker thread that ended mid-way (out of memory, killed), or file work that failed, leaves the check without a verdict. */
export function workerStopped(error: unknown): never {
  if (error instanceof VerifyFailedError) throw error;
  const code = (error as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : errorMessage(error);
  if (error instanceof WorkerExitError) {
    throw new VerifyFailedError(
      `the agent's file worker stopped before the check was done (${reason}), so nothing was decided: ` +
        'verify again; if it happens again, look for memory trouble in the agent host’s log',
    );
  }
  throw new VerifyFailedError(
    `the check could not go on (${reason}), so nothing was decided: check the staging and the disc, then verify again`,
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
