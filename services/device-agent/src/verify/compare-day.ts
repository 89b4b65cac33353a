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
  classifyEntry,
  compareTreeOrder,
  dayToGraftPoint,
  isStoreIndicatorPath,
  MismatchTally,
  needsByteCompare,
  VerifyFailedError,
  type DayStamp,
  type FileFacts,
  type Mismatch,
  errorMessage,
} from '@cedar-store/domain';
import { LIMITS } from '@cedar-store/ports';
import { access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListedFile } from '../files/day-walker.js';
import type { CompareTask, TaskOutcome } from '../files/file-comparer.js';
import { withFileWorkers, WalkUnreadableError, WorkerExitError, type FileWorkers } from '../files/file-workers.js';
import { StagingSpool } from './staging-spool.js';
import { concatStreams, mergeTrees, type MergedEntry } from './tree-merge.js';

export type DayToCompare = { day: DayStamp; stagingPath: string };

/**
 * `mismatches` names the first LIMITS.maxMismatchesReported found, in tree order (a disc that lost a
 * whole day of a million files is not a million names); `onMismatchCount` hears them all counted.
 */
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
  /** Hears how many mismatches there were in all, when there were more than the result names. */
  onMismatchCount?: (count: number) => void;
};

export type FileHashedListener = (pathOnDisc: string, size: number, sha256: string) => void;

export const DEFAULT_COMPARE_CONCURRENCY = 4;

/** The options of `compareDays`: those of every comparison, and where the mount verify spools staging's listing. */
export type MountCompareOptions = CompareOptions & {
  /** Where staging's listing is spooled while it is merged (the system's temporary directory without). */
  workingDir?: string;
};

export function compareDays(
  days: readonly DayToCompare[],
  mountPoint: string,
  options: MountCompareOptions = {},
): Promise<ComparisonResult> {
  const workingDir = options.workingDir ?? tmpdir();
  return withFileWorkers(options.workers, (workers) => compareWith(workers, days, mountPoint, options, workingDir));
}

async function compareWith(
  workers: FileWorkers,
  days: readonly DayToCompare[],
  mountPoint: string,
  options: CompareOptions,
  workingDir: string,
): Promise<ComparisonResult> {
  const sorted = inTreeOrder(days);
  // Staging walked once: spooled with its bytes summed, the progress total before anything is compared.
  const staging = await StagingSpool.fill(workingDir, walkStaging(workers, sorted));
  // The media's tree is walked as staging is; a directory it cannot list is marked, its files then missing.
  const onMedia = concatStreams(
    sorted.map(
      ({ day }) =>
        async function* () {
          const graft = dayToGraftPoint(day);
          const path = join(mountPoint, graft);
          if (await exists(path)) yield* walkOrStop(workers.walkDay(path, graft, { keepGoing: true }));
        },
    ),
  );
  try {
    return await mergeAndCompare(workers, staging.entries(), onMedia, {
      bytesTotal: staging.bytes,
      concurrency: options.concurrency ?? DEFAULT_COMPARE_CONCURRENCY,
      options,
      task: (file, twin) => ({ expectedPath: file.absolutePath, actualPath: twin.absolutePath, size: twin.size }),
    });
  } finally {
    await staging.remove();
  }
}

/** The days once each, in tree order: the order both listings come in. */
export function inTreeOrder(days: readonly DayToCompare[]): DayToCompare[] {
  const byDay = new Map(days.map((day) => [day.day, day]));
  return [...byDay.values()].sort((a, b) => compareTreeOrder(dayToGraftPoint(a.day), dayToGraftPoint(b.day)));
}

/** Every file, directory and symlink of the staging days in tree order, a batch at a time; an unreadable one stops the check. */
export function walkStaging(workers: FileWorkers, days: readonly DayToCompare[]): AsyncGenerator<ListedFile[]> {
  return concatStreams(
    days.map(
      ({ day, stagingPath }) =>
        () =>
          walkOrStop(workers.walkDay(stagingPath, dayToGraftPoint(day))),
    ),
  );
}

async function* walkOrStop(walk: AsyncGenerator<ListedFile[]>): AsyncGenerator<ListedFile[], void, undefined> {
  try {
    yield* walk;
  } catch (error) {
    if (error instanceof WalkUnreadableError) throw stagingUnreadable(error.path, error.error);
    workerStopped(error);
  }
}

/** How one side's file is compared with its twin: at its extents on the disc, or as a file on a mount. */
export type MergeOptions<Actual extends FileFacts> = {
  bytesTotal: number;
  concurrency: number;
  mediaFd?: number;
  options: CompareOptions;
  task: (file: ListedFile, twin: Actual) => CompareTask;
  /** Puts a batch's pairs in the order to read them (direct: by where their data lies on the disc). */
  readOrder?: (pairs: { file: ListedFile; twin: Actual }[]) => { file: ListedFile; twin: Actual }[];
};

/**
 * The check itself: merges staging and the media as sorted streams in small batches; each
 * batch's files present on both sides with the same size have their bytes compared by a worker
 * thread while the next batches are merged (at most `concurrency + 1` batches under way, one on
 * a drive, which is read a file at a time); once a batch's bytes are compared the domain
 * (classifyEntry) decides what differs at each of its paths. Nothing of either tree is held
 * beyond those batches; mismatches are counted, the first ones named, in tree order.
 */
export async function mergeAndCompare<Actual extends FileFacts>(
  workers: FileWorkers,
  expected: AsyncIterable<ListedFile[]>,
  actual: AsyncIterable<Actual[]>,
  merge: MergeOptions<Actual>,
): Promise<ComparisonResult> {
  const tally = new MismatchTally(LIMITS.maxMismatchesReported);
  let filesCompared = 0;
  let bytesDone = 0;
  const { onBytes } = merge.options;
  const inFlight: { entries: MergedEntry<ListedFile, Actual>[]; compared: Promise<void> }[] = [];
  // One batch more than can be compared at once, so no thread waits for the merge; more would only wait longer.
  const most = merge.concurrency <= 1 ? 1 : Math.min(merge.concurrency, workers.compareThreads) + 1;
  const settleFirst = async (): Promise<void> => {
    const { entries, compared } = inFlight.shift()!;
    await compared;
    for (const { path, expected: file, actual: twin } of entries) {
      const kind = classifyEntry(path, file, twin);
      if (kind) tally.add({ path, kind });
    }
  };
  try {
    for await (const entries of mergeTrees(expected, actual)) {
      let pairs: { file: ListedFile; twin: Actual }[] = [];
      for (const { path, expected: file, actual: twin } of entries) {
        if (!file || !twin) continue;
        if (file.kind === 'file' && twin.kind === 'file' && !isStoreIndicatorPath(path)) filesCompared += 1;
        if (needsByteCompare(path, file, twin)) pairs.push({ file, twin });
      }
      if (merge.readOrder) pairs = merge.readOrder(pairs);
      const compared = compareFiles(
        workers,
        pairs,
        pairs.map(({ file, twin }) => merge.task(file, twin)),
        {
          mediaFd: merge.mediaFd,
          concurrency: merge.concurrency,
          onBytes: (bytes) => {
            bytesDone += bytes;
            onBytes?.(bytesDone, Math.max(merge.bytesTotal, bytesDone));
          },
          onFileHashed: merge.options.onFileHashed,
        },
      );
      // Its failure is heard when the batch is settled, never as unhandled.
      compared.catch(() => undefined);
      inFlight.push({ entries, compared });
      while (inFlight.length >= most) await settleFirst();
    }
    while (inFlight.length > 0) await settleFirst();
  } finally {
    // Stopped by a failure: no read is left running on a disc about to close.
    await Promise.allSettled(inFlight.map(({ compared }) => compared));
  }
  if (tally.unnamed > 0) merge.options.onMismatchCount?.(tally.count);
  return { filesCompared, bytesCompared: bytesDone, mismatches: tally.named };
}

/**
 * Compares each pair by its task (same order) and marks the media's twins that differ. A
 * staging file that cannot be read stops the check. With `onFileHashed`, each file found the
 * same is reported with the SHA-256 of the bytes just compared (a store's manifest,
 * manifest-store.ts): one read serves both. `onBytes` hears the bytes found equal as they are.
 */
export async function compareFiles(
  workers: FileWorkers,
  pairs: readonly { file: ListedFile; twin: FileFacts }[],
  tasks: readonly CompareTask[],
  options: {
    mediaFd?: number | undefined;
    concurrency: number;
    onBytes?: (bytes: number) => void;
    onFileHashed?: FileHashedListener | undefined;
  },
): Promise<void> {
  if (tasks.length === 0) return;
  const hashed = options.onFileHashed;
  const outcomes: (TaskOutcome | undefined)[] = await workers
    .compare(tasks, {
      mediaFd: options.mediaFd,
      concurrency: options.concurrency,
      onBytes: (bytes) => options.onBytes?.(bytes),
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
