/**
 * The `direct` verify method: no mount. xorriso (an ISO 9660 reader independent of this code)
 * lists the days on the disc and where each file's data lies; the agent then reads those
 * sectors straight from the image file or the drive and compares them with staging, several
 * files at once. Each byte is read once on each side, with no FUSE daemon in between: on
 * hosts without a kernel iso9660 this is several times faster than fuseiso, and it needs
 * neither root nor /dev/fuse.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dayToGraftPoint, VerifyFailedError, errorMessage } from '@cedar-store/domain';
import type { ProgramRunner } from '../process/program-runner.js';
import { xorrisoDevice } from '../xorriso/args.js';
import {
  DEFAULT_COMPARE_CONCURRENCY,
  inTreeOrder,
  mergeAndCompare,
  walkStaging,
  type CompareOptions,
  type ComparisonResult,
  type DayToCompare,
} from './compare-day.js';
import { verifyListingArgs } from './direct-args.js';
import { extentBytes } from './direct-parse.js';
import { ListingSpool, type SpooledNode } from './listing-spool.js';
import { withFileWorkers, type FileWorkers } from '../files/file-workers.js';

/** `workingDir`: where xorriso's listing is spooled while it is merged (the system's temporary directory without). */
export type MediaSource = { source: string; isImageFile: boolean; workingDir?: string };

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
  const sorted = inTreeOrder(days);
  const concurrency = media.isImageFile ? (options.concurrency ?? DEFAULT_COMPARE_CONCURRENCY) : DRIVE_CONCURRENCY;
  const spool = await ListingSpool.create(
    media.workingDir ?? tmpdir(),
    sorted.map(({ day }) => dayToGraftPoint(day)),
  );
  // xorriso is started first (a process spawned while threads start took ten times as long);
  // while it lists the disc, the threads start and the staging walk reads its first batch.
  const listed = listDisc(runner, media, sorted, spool);
  listed.catch(() => undefined);
  const release = workers.warmUp(concurrency);
  const staging = startNow(walkStaging(workers, sorted));
  try {
    await listed;

    const handle = await (options.openMedia ?? ((path: string) => open(path, 'r')))(media.source).catch(
      (error: unknown) => {
        throw new VerifyFailedError(
          `could not open ${media.source} to read the disc back (${describe(error)}): check the disc and the agent's ` +
            'permission to read the drive or image file, then verify again',
          { source: media.source },
        );
      },
    );
    try {
      return await mergeAndCompare<SpooledNode>(workers, staging.stream, spool.nodes(), {
        bytesTotal: spool.fileBytes,
        mediaFd: handle.fd,
        concurrency,
        options,
        task: (file, twin) => ({
          expectedPath: file.absolutePath,
          size: twin.size,
          extents: extentBytes(twin.extents ?? []),
        }),
        // Each batch's files in the order their data lies on the disc, so the reads move forward through it.
        readOrder: (pairs) => pairs.sort((a, b) => firstSector(a.twin) - firstSector(b.twin)),
      });
    } finally {
      await handle.close();
    }
  } finally {
    release();
    await staging.close();
    await spool.remove();
  }
}

/**
 * A stream whose first batch is asked for now, read while the caller waits for something else;
 * `close` ends it whether or not it was read (a walk ended early tells its thread to forget it).
 */
function startNow<T>(source: AsyncGenerator<T>): {
  stream: AsyncGenerator<T, void, undefined>;
  close: () => Promise<void>;
} {
  const first = source.next();
  // Heard when the stream is read; a stream never read is closed quietly.
  first.catch(() => undefined);
  return {
    stream: (async function* () {
      const head = await first;
      if (head.done) return;
      yield head.value;
      yield* source;
    })(),
    close: async () => {
      await first.catch(() => undefined);
      await source.return(undefined);
    },
  };
}

function firstSector(node: SpooledNode): number {
  return node.extents?.[0]?.lba ?? 0;
}

/** Lists the days' nodes and extents into the spool as xorriso reads them from the disc; a day not on it lists nothing. */
async function listDisc(
  runner: ProgramRunner,
  media: MediaSource,
  days: readonly DayToCompare[],
  spool: ListingSpool,
): Promise<void> {
  let result;
  try {
    result = await runner.run(
      'xorriso',
      verifyListingArgs(
        xorrisoDevice(media.source, media.isImageFile),
        days.map(({ day }) => day),
      ),
      // Loading a large tree walks every directory record: as long as sizing an image.
      { timeout: 'estimate', onLine: spool.line },
    );
  } finally {
    await spool.close();
  }
  // 32 is xorriso's exit code after any tolerated failure, such as a day not found on the disc.
  const tolerated = result.exitCode === 0 || (result.exitCode === 32 && spool.missing.length > 0);
  if (spool.problems.length > 0 || !tolerated) {
    const reasons = spool.problems.length > 0 ? spool.problems.slice(-3).join(' | ') : `exit code ${result.exitCode}`;
    throw new VerifyFailedError(
      `xorriso could not read the disc's tree from ${media.source} (${reasons}), so nothing could be compared: ` +
        'check the disc and the drive, then verify again',
      { source: media.source },
    );
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : errorMessage(error);
}
