/**
 * The `direct` verify method: no mount. xorriso (an ISO 9660 reader independent of this code)
 * lists the days on the disc and where each file's data lies; the agent then reads those
 * sectors straight from the image file or the drive and compares them with staging, several
 * files at once. Each byte is read once on each side, with no FUSE daemon in between: on
 * hosts without a kernel iso9660 this is several times faster than fuseiso, and it needs
 * neither root nor /dev/fuse.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dayToGraftPoint, VerifyFailedError } from '@cedar-store/domain';
import type { ProgramRunner } from '../process/program-runner.js';
import { xorrisoDevice } from '../xorriso/args.js';
import {
  DEFAULT_COMPARE_CONCURRENCY,
  filesToCompare,
  stagingUnreadable,
  verdict,
  type CompareOptions,
  type ComparisonResult,
  type DayToCompare,
} from './compare-day.js';
import { listingArgs } from './direct-args.js';
import { extentBytes, listingCollector, type DiscListing } from './direct-parse.js';
import type { ListedFile } from '../files/file-work.js';
import { sharedFileWorkers, type FileWorkers } from '../files/file-workers.js';

export type MediaSource = { source: string; isImageFile: boolean };

export type DirectOptions = CompareOptions & {
  /** Opens the image file or drive for reading; tests pass one that fails. */
  openMedia?: (path: string) => Promise<FileHandle>;
  /** The threads that list staging and compare files; tests pass an inline pool whose disk fails. */
  workers?: FileWorkers;
};

/** A drive seeks for every switch between files: it is read one file at a time, in disc order. */
const DRIVE_CONCURRENCY = 1;

export async function compareDaysDirect(
  runner: ProgramRunner,
  media: MediaSource,
  days: readonly DayToCompare[],
  options: DirectOptions = {},
): Promise<ComparisonResult> {
  const workers = options.workers ?? sharedFileWorkers();
  // Both listings at once: xorriso loads the disc's tree while a worker thread lists the staging days.
  // Both are waited for, so no xorriso still holds the drive once the device is free again.
  const [walked, listed] = await Promise.allSettled([
    listStagingDays(workers, days).catch(workerStopped),
    listDisc(runner, media, days),
  ]);
  if (walked.status === 'rejected') throw walked.reason;
  if (listed.status === 'rejected') throw listed.reason;
  const [expected, listing] = [walked.value, listed.value];
  const actual = listing.nodes;
  const { pairs, comparable } = filesToCompare(expected, actual);
  // Files in the order their data lies on the disc, so the reads move forward through it.
  const ordered = comparable
    .map(({ file, twin }) => {
      const extents = listing.extents.get(twin.path) ?? [];
      return { file, twin, extents, firstSector: extents[0]?.lba ?? 0 };
    })
    .sort((a, b) => a.firstSector - b.firstSector);

  const handle = await (options.openMedia ?? ((path: string) => open(path, 'r')))(media.source).catch(
    (error: unknown) => {
      throw new VerifyFailedError(
        `could not open ${media.source} to read the disc back (${describe(error)}): check the disc and the agent's ` +
          'permission to read the drive or image file, then verify again',
        { source: media.source },
      );
    },
  );
  const bytesTotal = ordered.reduce((sum, { file }) => sum + file.size, 0);
  let bytesDone = 0;
  try {
    const outcomes = await workers
      .compareExtents(
        handle.fd,
        ordered.map(({ file, twin, extents }) => ({
          expectedPath: file.absolutePath,
          size: twin.size,
          extents: extentBytes(extents),
        })),
        {
          concurrency: media.isImageFile ? (options.concurrency ?? DEFAULT_COMPARE_CONCURRENCY) : DRIVE_CONCURRENCY,
          onBytes: (bytes) => {
            bytesDone += bytes;
            options.onBytes?.(bytesDone, bytesTotal);
          },
        },
      )
      .catch(workerStopped);
    outcomes.forEach((outcome, index) => {
      const { file, twin } = ordered[index]!;
      if (outcome === 'differs') twin.contentDiffers = true;
      else if (typeof outcome === 'object') throw stagingUnreadable(file.absolutePath, outcome.unreadable);
    });
  } finally {
    await handle.close();
  }
  return verdict(expected, actual, pairs.length, bytesDone);
}

/** Every file, directory and symlink of the staging days, listed by a worker thread; an unreadable one stops the check. */
async function listStagingDays(workers: FileWorkers, days: readonly DayToCompare[]): Promise<ListedFile[]> {
  const files: ListedFile[] = [];
  for (const { day, stagingPath } of days) {
    const listing = await workers.listDay(stagingPath, dayToGraftPoint(day));
    if ('unreadable' in listing) throw stagingUnreadable(listing.unreadable.path, listing.unreadable.error);
    for (const file of listing.files) files.push(file);
  }
  return files;
}

/** The days' nodes and extents as xorriso reads them from the disc; a day not on it lists nothing. */
async function listDisc(
  runner: ProgramRunner,
  media: MediaSource,
  days: readonly DayToCompare[],
): Promise<DiscListing> {
  const collector = listingCollector(days.map(({ day }) => dayToGraftPoint(day)));
  const result = await runner.run(
    'xorriso',
    listingArgs(
      xorrisoDevice(media.source, media.isImageFile),
      days.map(({ day }) => day),
    ),
    // Loading a large tree walks every directory record: as long as sizing an image.
    { timeout: 'estimate', onLine: collector.line },
  );
  const listing = collector.finish();
  // 32 is xorriso's exit code after any tolerated failure, such as a day not found on the disc.
  const tolerated = result.exitCode === 0 || (result.exitCode === 32 && listing.missing.length > 0);
  if (listing.problems.length > 0 || !tolerated) {
    const reasons =
      listing.problems.length > 0 ? listing.problems.slice(-3).join(' | ') : `exit code ${result.exitCode}`;
    throw new VerifyFailedError(
      `xorriso could not read the disc's tree from ${media.source} (${reasons}), so nothing could be compared: ` +
        'check the disc and the drive, then verify again',
      { source: media.source },
    );
  }
  return listing;
}

/** A worker thread that ended mid-way (out of memory, killed) leaves the check without a verdict. */
function workerStopped(error: unknown): never {
  if (error instanceof VerifyFailedError) throw error;
  throw new VerifyFailedError(
    `the agent's file worker stopped before the check was done (${describe(error)}), so nothing was decided: ` +
      'verify again; if it happens again, look for memory trouble in the agent host’s log',
  );
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
