/**
 * The `direct` verify method: no mount. xorriso (an ISO 9660 reader independent of this code)
 * lists the days on the disc and where each file's data lies; the agent then reads those
 * sectors straight from the image file or the drive and compares them with staging, several
 * files at once. Each byte is read once on each side, with no FUSE daemon in between: on
 * hosts without a kernel iso9660 this is several times faster than fuseiso, and it needs
 * neither root nor /dev/fuse.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dayToGraftPoint, VerifyFailedError, errorMessage } from '@cedar-store/domain';
import type { ProgramRunner } from '../process/program-runner.js';
import { xorrisoDevice } from '../xorriso/args.js';
import {
  compareFiles,
  DEFAULT_COMPARE_CONCURRENCY,
  filesToCompare,
  listStagingDays,
  verdict,
  workerStopped,
  type CompareOptions,
  type ComparisonResult,
  type DayToCompare,
} from './compare-day.js';
import { listingArgs } from './direct-args.js';
import { extentBytes, listingCollector, type DiscListing } from './direct-parse.js';
import { withFileWorkers, type FileWorkers } from '../files/file-workers.js';

export type MediaSource = { source: string; isImageFile: boolean };

export type DirectOptions = CompareOptions & {
  /** Opens the image file or drive for reading; tests pass one that fails. */
  openMedia?: (path: string) => Promise<FileHandle>;
};

/** A drive seeks for every switch between files: it is read one file at a time, in disc order. */
const DRIVE_CONCURRENCY = 1;

export function compareDaysDirect(
  runner: ProgramRunner,
  media: MediaSource,
  days: readonly DayToCompare[],
  options: DirectOptions = {},
): Promise<ComparisonResult> {
  return withFileWorkers(options.workers, (workers) => compareDirectWith(workers, runner, media, days, options));
}

async function compareDirectWith(
  workers: FileWorkers,
  runner: ProgramRunner,
  media: MediaSource,
  days: readonly DayToCompare[],
  options: DirectOptions,
): Promise<ComparisonResult> {
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
  let bytesCompared: number;
  try {
    bytesCompared = await compareFiles(
      workers,
      ordered,
      ordered.map(({ file, twin, extents }) => ({
        expectedPath: file.absolutePath,
        size: twin.size,
        extents: extentBytes(extents),
      })),
      {
        mediaFd: handle.fd,
        concurrency: media.isImageFile ? (options.concurrency ?? DEFAULT_COMPARE_CONCURRENCY) : DRIVE_CONCURRENCY,
        onBytes: options.onBytes,
        onFileHashed: options.onFileHashed,
      },
    );
  } finally {
    await handle.close();
  }
  return verdict(expected, actual, pairs.length, bytesCompared);
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

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : errorMessage(error);
}
