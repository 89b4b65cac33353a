/**
 * Restores days from a disc into one target directory, and nowhere else (docs/restoring.md).
 * xorriso, an ISO 9660 reader independent of this code, lists the days (nodes, modes, symlink
 * targets, where each file's data lies), as the `direct` verify does; the agent then creates
 * every directory, symlink and file itself, reading the file's sectors from the image or drive
 * and hashing them as it writes them. So every write is one this code chose:
 *
 * - each path is checked first: an absolute one, or one holding `.`, `..` or an empty
 *   component, is refused (listed, nothing written for it);
 * - a node is only ever created inside a directory this restore created (or, with `force`, a
 *   real directory it found there): a symlink on the disc is restored as a symlink and nothing
 *   is ever written through one;
 * - files are opened with O_EXCL and O_NOFOLLOW, so an existing name is never written through.
 *
 * Each restored file's SHA-256 goes to `onFileRestored` once every file is written, in path order
 * (comparePaths, the catalog's order), so the controller can check them against the manifest as
 * two sorted streams without holding either list whole.
 */
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rmdir, symlink, unlink, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  comparePaths,
  dayToGraftPoint,
  discPathProblem,
  InvalidRequestError,
  parseGlob,
  restoreTargetProblem,
  VerifyFailedError,
  WrongDiscError,
  type DayStamp,
  type FileGlob,
} from '@cedar-store/domain';
import { LIMITS, type RestoreResult as RestoreAnswer } from '@cedar-store/ports';
import type { ProgramRunner } from '../process/program-runner.js';
import { xorrisoDevice } from '../xorriso/args.js';
import { listingArgs } from '../verify/direct-args.js';
import { extentBytes, listingCollector, readQuotedWord, type ListedExtent } from '../verify/direct-parse.js';
import type { MediaSource } from '../verify/direct-verify.js';

export type RestoredFile = { day: DayStamp; path: string; size: number; sha256: string };

export type RestoreOptions = {
  /**
   * Called once per restored file, after the last file is written, in path order (comparePaths):
   * files are written in the order their data lies on the disc, which is not the path order.
   */
  onFileRestored?: (file: RestoredFile) => void;
  /** Bytes written so far of those to write, for progress. */
  onBytes?: (bytesDone: number, bytesTotal: number) => void;
  /** Opens the image file or drive for reading; tests pass one that fails. */
  openMedia?: (path: string) => Promise<FileHandle>;
  /**
   * Restore only the files and symlinks whose path within their day matches one of these
   * (`cedar-store restore --path`), with the directories that lead to them; every one when absent.
   */
  paths?: readonly FileGlob[];
};

export type RestoreResult = {
  files: number;
  bytes: number;
  directories: number;
  symlinks: number;
  /** Paths on the disc that were not restored, each with why. */
  refused: { path: string; reason: string }[];
  /** Days the disc does not hold. */
  missingDays: DayStamp[];
};

const CHUNK_BYTES = 1024 * 1024;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * The directory `<restoreRoot>/<name>`, created when missing. Refused (INVALID_REQUEST, nothing
 * written) for a name that is not one plain directory name, a target that is not a real
 * directory, or a non-empty one without `force`.
 */
export async function prepareRestoreTarget(restoreRoot: string, name: string, force: boolean): Promise<string> {
  return (await claimRestoreTarget(restoreRoot, name, force)).path;
}

/** prepareRestoreTarget, saying whether the directory was made just now. */
async function claimRestoreTarget(
  restoreRoot: string,
  name: string,
  force: boolean,
): Promise<{ path: string; created: boolean }> {
  const problem = restoreTargetProblem(name);
  if (problem) throw new InvalidRequestError(`the restore target "${name}" ${problem}: give one plain directory name`);
  await mkdir(restoreRoot, { recursive: true });
  const target = join(restoreRoot, name);
  const found = await lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (found === null) {
    await mkdir(target, { mode: 0o750 });
    return { path: target, created: true };
  }
  if (!found.isDirectory())
    throw new InvalidRequestError(
      `the restore target ${target} exists and is not a directory: remove it or choose another name`,
    );
  if (!force && (await readdir(target)).length > 0)
    throw new InvalidRequestError(
      `the restore target ${target} is not empty: choose another name, or add --force to restore into it ` +
        '(files of the same name are replaced)',
    );
  return { path: target, created: false };
}

export type DayRestoreRequest = {
  day: DayStamp;
  restoreRoot: string;
  target: string;
  force: boolean;
  paths?: readonly string[] | undefined;
  /** The disc's label, for the message when the disc does not hold the day. */
  discLabel: string;
};

/**
 * One day into `<restoreRoot>/<target>` (the media.restore method), once the drive's disc was
 * found to be the right one. A disc that does not hold the day is WRONG_DISC, and a target made
 * for it is removed again: nothing is left written.
 */
export async function restoreDay(
  runner: ProgramRunner,
  media: MediaSource,
  request: DayRestoreRequest,
  options: Omit<RestoreOptions, 'paths'> = {},
): Promise<RestoreAnswer> {
  const paths = request.paths?.map((glob) => parseGlob(glob));
  const target = await claimRestoreTarget(request.restoreRoot, request.target, request.force);
  let result: RestoreResult;
  try {
    result = await restoreDays(runner, media, [request.day], target.path, request.force, {
      ...options,
      ...(paths ? { paths } : {}),
    });
  } catch (error) {
    if (target.created) await rmdir(target.path).catch(() => undefined);
    throw error;
  }
  if (result.missingDays.length > 0) {
    if (target.created) await rmdir(target.path).catch(() => undefined);
    throw new WrongDiscError(
      `the disc labelled "${request.discLabel}" holds no ${dayToGraftPoint(request.day)}: it is not the disc that ` +
        `holds ${request.day}; insert that disc (cedar-store find shows it) and run the restore again. Nothing was written.`,
    );
  }
  return {
    target: target.path,
    files: result.files,
    bytes: result.bytes,
    directories: result.directories,
    symlinks: result.symlinks,
    refused: result.refused.slice(0, LIMITS.maxMismatchesReported),
    refusedCount: result.refused.length,
  };
}

type Listed = {
  path: string;
  kind: 'directory' | 'file' | 'symlink';
  size: number;
  target?: string;
  mode?: number;
  extents: ListedExtent[];
};

type Accepted = Listed & { day: DayStamp; within: string };

/** The files and symlinks a glob matches, and the directories that lead to them. */
function chosenByGlobs(nodes: readonly Accepted[], globs: readonly FileGlob[]): Accepted[] {
  const leaves = nodes.filter(
    (node) => node.kind !== 'directory' && globs.some((glob) => glob.regex.test(node.within)),
  );
  const needed = new Set<string>();
  for (const leaf of leaves) {
    for (let dir = dirname(leaf.path); dir !== '.' && !needed.has(dir); dir = dirname(dir)) needed.add(dir);
  }
  return [...leaves, ...nodes.filter((node) => node.kind === 'directory' && needed.has(node.path))];
}

/** Restores `days` from the disc into `targetDir` (made by prepareRestoreTarget). */
export async function restoreDays(
  runner: ProgramRunner,
  media: MediaSource,
  days: readonly DayStamp[],
  targetDir: string,
  force: boolean,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const { nodes, missing } = await listDays(runner, media, days);
  const result: RestoreResult = { files: 0, bytes: 0, directories: 0, symlinks: 0, refused: [], missingDays: [] };
  const dayOf = new Map(days.map((day) => [dayToGraftPoint(day), day]));
  result.missingDays = days.filter((day) => missing.includes(dayToGraftPoint(day)));

  // Directories this restore may create nodes in: the days' own and those it makes below them.
  const safeDirs = new Set<string>();
  const writer = new SafeWriter(targetDir, force, safeDirs);
  for (const day of days) if (!result.missingDays.includes(day)) await writer.dayDirectory(dayToGraftPoint(day));

  const accepted: Accepted[] = [];
  for (const node of nodes) {
    const graft = [...dayOf.keys()].find((root) => node.path.startsWith(`${root}/`));
    const problem = discPathProblem(node.path) ?? (graft === undefined ? 'lies outside the days asked for' : undefined);
    if (problem) result.refused.push({ path: node.path, reason: problem });
    else accepted.push({ ...node, day: dayOf.get(graft!)!, within: node.path.slice(graft!.length + 1) });
  }
  const chosen = options.paths === undefined ? accepted : chosenByGlobs(accepted, options.paths);
  // Parents before children; files last, in the order their data lies on the disc.
  chosen.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const directories: Listed[] = [];
  for (const node of chosen) {
    if (node.kind === 'file') continue;
    const refused = await writer.node(node);
    if (refused) result.refused.push({ path: node.path, reason: refused });
    else if (node.kind === 'directory') {
      result.directories++;
      directories.push(node);
    } else result.symlinks++;
  }
  const files = chosen
    .filter((node) => node.kind === 'file')
    .sort((a, b) => (a.extents[0]?.lba ?? 0) - (b.extents[0]?.lba ?? 0));
  const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
  const restored: RestoredFile[] = [];
  if (files.length > 0) {
    const handle = await (options.openMedia ?? ((path: string) => open(path, 'r')))(media.source).catch(
      (error: unknown) => {
        throw new VerifyFailedError(
          `could not open ${media.source} to read the disc (${String((error as { code?: unknown }).code ?? error)}): ` +
            "check the disc and the agent's permission to read the drive or image file, then restore again",
        );
      },
    );
    try {
      for (const file of files) {
        const refused = writer.refusal(file.path);
        if (refused) {
          result.refused.push({ path: file.path, reason: refused });
          continue;
        }
        const sha256 = await writer.file(handle, file, (bytes) => {
          result.bytes += bytes;
          options.onBytes?.(result.bytes, bytesTotal);
        });
        if (typeof sha256 !== 'string') {
          result.refused.push({ path: file.path, reason: sha256.refused });
          continue;
        }
        result.files++;
        restored.push({ day: file.day, path: file.path, size: file.size, sha256 });
      }
    } finally {
      await handle.close();
    }
  }
  // The listing is held already; the hashes add 64 characters a file to it.
  restored.sort((a, b) => comparePaths(a.path, b.path));
  for (const file of restored) options.onFileRestored?.(file);
  // Directory modes last, deepest first, so a read-only directory did not stop its own contents.
  for (const dir of directories.reverse()) if (dir.mode !== undefined) await chmod(join(targetDir, dir.path), dir.mode);
  return result;
}

/** Creates nodes under the target, never through a symlink nor outside it. */
class SafeWriter {
  constructor(
    private readonly root: string,
    private readonly force: boolean,
    private readonly safeDirs: Set<string>,
  ) {}

  /** `YYYY/MM/DD` below the target: names the restore made up itself, so safe by construction. */
  async dayDirectory(graft: string): Promise<void> {
    let path = '';
    for (const part of graft.split('/')) {
      path = path === '' ? part : `${path}/${part}`;
      await this.directory(path);
    }
  }

  /** Why nothing may be created at `path`, or undefined: its directory must be one this restore trusts. */
  refusal(path: string): string | undefined {
    return this.safeDirs.has(dirname(path)) ? undefined : 'its directory was not restored as a directory';
  }

  async node(node: Listed): Promise<string | undefined> {
    const refused = this.refusal(node.path);
    if (refused) return refused;
    if (node.kind === 'directory') return this.directory(node.path);
    return this.replaceable(node.path, () => symlink(node.target ?? '', join(this.root, node.path)));
  }

  /** Writes the file from its extents and answers its SHA-256, or why it was not written. */
  async file(
    handle: FileHandle,
    file: Listed,
    onBytes: (bytes: number) => void,
  ): Promise<string | { refused: string }> {
    const hash = createHash('sha256');
    let out: FileHandle | undefined;
    const refused = await this.replaceable(file.path, async () => {
      out = await open(join(this.root, file.path), WRITE_FLAGS, 0o600);
    });
    if (refused !== undefined || out === undefined) return { refused: refused ?? 'could not be created' };
    try {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let left = file.size;
      for (const extent of extentBytes(file.extents)) {
        let offset = extent.byteOffset;
        let inExtent = Math.min(extent.bytes, left);
        while (inExtent > 0) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, inExtent), offset);
          if (bytesRead === 0)
            throw new VerifyFailedError(`the disc ends inside ${file.path}: it cannot be read whole`);
          const chunk = buffer.subarray(0, bytesRead);
          await out.write(chunk);
          hash.update(chunk);
          onBytes(bytesRead);
          offset += bytesRead;
          inExtent -= bytesRead;
          left -= bytesRead;
        }
      }
      if (left > 0) throw new VerifyFailedError(`the disc holds less data for ${file.path} than its size says`);
      if (file.mode !== undefined) await out.chmod(file.mode);
    } finally {
      await out.close();
    }
    return hash.digest('hex');
  }

  private async directory(path: string): Promise<string | undefined> {
    const full = join(this.root, path);
    try {
      await mkdir(full, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // lstat: a symlink to a directory is not a directory here.
      const found = await lstat(full);
      if (!found.isDirectory()) {
        if (!this.force) return 'a file of that name is in the way';
        await unlink(full);
        await mkdir(full, { mode: 0o700 });
      }
    }
    this.safeDirs.add(path);
    return undefined;
  }

  /** Runs `create`; with force, a file or symlink in the way is removed first (never a directory). */
  private async replaceable(path: string, create: () => Promise<void>): Promise<string | undefined> {
    try {
      await create();
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!this.force) return 'something of that name is in the way';
      if ((await lstat(join(this.root, path))).isDirectory()) return 'a directory of that name is in the way';
      await unlink(join(this.root, path));
      await create();
      return undefined;
    }
  }
}

/** The days' nodes, with modes and extents, as xorriso reads them from the disc. */
async function listDays(
  runner: ProgramRunner,
  media: MediaSource,
  days: readonly DayStamp[],
): Promise<{ nodes: Listed[]; missing: string[] }> {
  const collector = listingCollector(days.map((day) => dayToGraftPoint(day)));
  const modes = new Map<string, number>();
  const result = await runner.run('xorriso', listingArgs(xorrisoDevice(media.source, media.isImageFile), days), {
    timeout: 'estimate',
    onLine: (line, stream) => {
      collector.line(line, stream);
      if (stream === 'stdout') recordMode(line, modes);
    },
  });
  const listing = collector.finish();
  const tolerated = result.exitCode === 0 || (result.exitCode === 32 && listing.missing.length > 0);
  if (listing.problems.length > 0 || !tolerated) {
    const reasons =
      listing.problems.length > 0 ? listing.problems.slice(-3).join(' | ') : `exit code ${result.exitCode}`;
    throw new VerifyFailedError(
      `xorriso could not read the disc's tree from ${media.source} (${reasons}), so nothing was restored: ` +
        'check the disc and the drive, then restore again',
    );
  }
  const nodes = listing.nodes.map((node) => ({
    path: node.path,
    kind: node.kind as Listed['kind'],
    size: node.size,
    ...(node.target === undefined ? {} : { target: node.target }),
    ...(modes.has(node.path) ? { mode: modes.get(node.path)! } : {}),
    extents: listing.extents.get(node.path) ?? [],
  }));
  return { nodes, missing: listing.missing };
}

const PERMISSIONS =
  /^[-d]([-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT])\s+\d+\s+\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+\S+\s+(['"].*)$/;

/** The permission bits of an `lsdl` line of a file or directory (set-id bits are never restored). */
function recordMode(line: string, modes: Map<string, number>): void {
  const match = PERMISSIONS.exec(line);
  if (!match) return;
  const name = readQuotedWord(match[2]!);
  if (!name) return;
  const bits = match[1]!;
  let mode = 0;
  for (let i = 0; i < 9; i++) if (!'-ST'.includes(bits[i]!)) mode |= 1 << (8 - i);
  modes.set(name.word.replace(/^\/+/, ''), mode);
}
