/**
 * The agent's per-file work, as plain synchronous system calls: listing a staging day and
 * comparing a staging file with its extents on the disc (the verify), summing a day's bytes
 * (staging.inspect). It runs in worker threads (file-workers.ts), never on the agent's event
 * loop: docs/decisions/0001-per-file-work-in-worker-threads.md says why.
 *
 * Nothing here imports more than node:fs, node:path and node:crypto, so a worker starts in
 * milliseconds.
 */
import { createHash, hash as oneShotHash, type Hash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { normalize } from 'node:path';

/** The system calls used, so tests can make one fail as a bad disk would (EIO). */
export type SyncFileSystem = Pick<
  typeof nodeFs,
  'openSync' | 'readSync' | 'closeSync' | 'readdirSync' | 'lstatSync' | 'readlinkSync'
>;

export const NODE_FILE_SYSTEM: SyncFileSystem = nodeFs;

export type ListedKind = 'file' | 'directory' | 'symlink';

/**
 * A node of a day's tree: `path` relative to the graft point, as the disc names it.
 * `contentDiffers` marks what could not be read on a mounted disc (the check looks for exactly that).
 */
export type ListedFile = {
  path: string;
  kind: ListedKind;
  size: number;
  target?: string;
  absolutePath: string;
  contentDiffers?: boolean;
  /** A hashing walk's file: the SHA-256 (hex) of the bytes read, `size` being how many there were. */
  sha256?: string;
};

/** A system error made plain, so it crosses from a worker thread with its code. */
export type PlainError = { code?: string; message: string };

export type DayListing = { files: ListedFile[] } | { unreadable: { path: string; error: PlainError } };

/**
 * Every file, directory and symlink under `root` (symlinks listed with their target, never
 * followed; sockets, fifos and devices left out: they cannot go on a disc). Staging is the
 * reference, so by default the first directory or file that cannot be read ends the listing;
 * with `keepGoing` (a mounted disc) what cannot be read is listed with `contentDiffers` and the
 * listing goes on: a directory that cannot be listed then has its files missing.
 */
export function listDay(
  root: string,
  graftPoint: string,
  fs: SyncFileSystem = NODE_FILE_SYSTEM,
  keepGoing = false,
): DayListing {
  const batch = new DayWalker(root, graftPoint, fs, keepGoing).next(Number.POSITIVE_INFINITY);
  return 'unreadable' in batch ? batch : { files: batch.files };
}

/** What a walk hands back at a time: the next entries in tree order, or why staging could not be read. */
export type WalkBatch = { files: ListedFile[]; done: boolean } | { unreadable: { path: string; error: PlainError } };

type WalkFrame = { dir: string; relative: string; entries: nodeFs.Dirent[]; index: number };

/**
 * A hashing walk reads each regular file as it comes to it (a staging day's manifest): no lstat,
 * the size is the bytes read; its batch ends once `maxBytes` were hashed, so a day of large files
 * still answers a batch at a time. A file that cannot be read ends the walk as unreadable.
 */
export type WalkHashing = { comparer: FileComparer; onBytes: (bytes: number) => void; maxBytes: number };

/**
 * A day's tree walked a batch at a time (listDay's rules), so no listing of the whole day is
 * ever held: only the sorted entries of the directories on the way down. The order is depth
 * first, each directory right before its entries and each directory's entries sorted by code
 * point — the order xorriso's `-find` lists a disc in (the domain's compareTreeOrder), so the
 * agent merges the two as streams. Its consumer checks that order and fails on a break.
 */
export class DayWalker {
  private readonly stack: WalkFrame[] = [];
  private started = false;

  constructor(
    private readonly root: string,
    private readonly graftPoint: string,
    private readonly fs: SyncFileSystem = NODE_FILE_SYSTEM,
    private readonly keepGoing = false,
  ) {}

  /** Up to `max` further entries (with `hashing`, each file hashed); `done` once the tree is all listed. */
  next(max: number, hashing?: WalkHashing): WalkBatch {
    const files: ListedFile[] = [];
    let at = this.root;
    let hashed = 0;
    try {
      if (!this.started) {
        this.started = true;
        const entries = this.read(this.root);
        if (entries) this.stack.push({ dir: normalize(this.root), relative: this.graftPoint, entries, index: 0 });
      }
      while (files.length < max && this.stack.length > 0 && !(hashing && hashed >= hashing.maxBytes)) {
        const frame = this.stack[this.stack.length - 1]!;
        if (frame.index >= frame.entries.length) {
          this.stack.pop();
          continue;
        }
        const entry = frame.entries[frame.index++]!;
        const absolutePath = childPath(frame.dir, entry.name);
        const path = `${frame.relative}/${entry.name}`;
        at = absolutePath;
        if (entry.isDirectory()) {
          // Read now, so a directory a mounted disc cannot list is marked before it is handed on.
          const entries = this.read(absolutePath);
          files.push({
            path,
            kind: 'directory',
            size: 0,
            absolutePath,
            ...(entries ? {} : { contentDiffers: true }),
          });
          if (entries) this.stack.push({ dir: absolutePath, relative: path, entries, index: 0 });
        } else if (hashing && entry.isFile()) {
          const outcome = hashing.comparer.hash(absolutePath, hashing.onBytes);
          if ('unreadable' in outcome) return { unreadable: { path: absolutePath, error: outcome.unreadable } };
          files.push({ path, kind: 'file', size: outcome.size, absolutePath, sha256: outcome.sha256 });
          hashed += outcome.size;
        } else if (entry.isSymbolicLink() || entry.isFile()) {
          files.push(describe(this.fs, entry.isFile() ? 'file' : 'symlink', path, absolutePath, this.keepGoing));
        }
      }
    } catch (error) {
      return { unreadable: { path: at, error: plainError(error) } };
    }
    return { files, done: this.stack.length === 0 };
  }

  /** A directory's entries by code point; null when a mounted disc cannot list it (keepGoing). */
  private read(dir: string): nodeFs.Dirent[] | null {
    try {
      return this.fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name));
    } catch (error) {
      if (!this.keepGoing) throw error;
      return null;
    }
  }
}

/**
 * The path of `dir`'s entry `name`: what path.join gives for a normalized `dir` and a name
 * without `/`, without normalizing the whole path again for each of a day's entries.
 */
export function childPath(dir: string, name: string): string {
  if (dir === '.' || dir === './') return name;
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** Names by Unicode code point, as their UTF-8 bytes sort (the domain's comparePaths, for names without `/`). */
function byCodePoint(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i += 1;
  }
  return a.length - b.length;
}

function describe(
  fs: SyncFileSystem,
  kind: 'file' | 'symlink',
  path: string,
  absolutePath: string,
  keepGoing: boolean,
): ListedFile {
  try {
    return kind === 'file'
      ? { path, kind, size: fs.lstatSync(absolutePath).size, absolutePath }
      : { path, kind, size: 0, target: fs.readlinkSync(absolutePath), absolutePath };
  } catch (error) {
    if (!keepGoing) throw error;
    return { path, kind, size: 0, absolutePath, contentDiffers: true };
  }
}

/** Where a file's bytes lie on the disc: its extents in order (files over 4 GiB have several). */
export type ExtentRange = { byteOffset: number; bytes: number };

/**
 * One staging file to compare with its twin on the disc: the bytes at its extents on the
 * opened disc (`direct`), or a file on the mounted disc (`actualPath`).
 */
export type CompareTask = { expectedPath: string; size: number } & (
  { extents: ExtentRange[]; actualPath?: undefined } | { actualPath: string; extents?: undefined }
);

/**
 * `same` or `differs` — a disc that cannot be read where the file lies differs, as that is what
 * the check looks for; a staging file that cannot be read is `unreadable`: no verdict then.
 */
export type TaskOutcome = 'same' | 'differs' | { unreadable: PlainError };

/** A staging file hashed on its own: its SHA-256 (hex) and the bytes read, or why it could not be read. */
export type HashOutcome = { sha256: string; size: number } | { unreadable: PlainError };

export const CHUNK_BYTES = 1024 * 1024;

/**
 * Compares staging files with their twins on the disc — at their extents on the opened disc
 * (`mediaFd`: the image file or the drive, opened once for the whole check), or as files on a
 * mount — one chunk at a time so no file is held in memory. The two buffers are the
 * comparer's own and reused for every file.
 */
export class FileComparer {
  private readonly left: Buffer;
  private readonly right: Buffer;

  constructor(
    private readonly mediaFd: number | undefined,
    private readonly fs: SyncFileSystem = NODE_FILE_SYSTEM,
    chunkBytes = CHUNK_BYTES,
  ) {
    this.left = Buffer.allocUnsafe(chunkBytes);
    this.right = Buffer.allocUnsafe(chunkBytes);
  }

  /**
   * `onBytes` hears the bytes found equal, chunk by chunk. With `hash`, the bytes found equal
   * are also fed to it as they are compared (the manifest's SHA-256: no second read).
   */
  compare(task: CompareTask, onBytes: (bytes: number) => void = () => {}, hash?: Hash): TaskOutcome {
    let fd: number;
    try {
      fd = this.fs.openSync(task.expectedPath, 'r');
    } catch (error) {
      return { unreadable: plainError(error) };
    }
    try {
      return this.compareWith(fd, task, onBytes, hash);
    } finally {
      closeQuietly(this.fs, fd);
    }
  }

  /**
   * The SHA-256 of a staging file, read chunk by chunk (the manifest of a store that does not
   * read the disc back), and the bytes it held.
   */
  hash(path: string, onBytes: (bytes: number) => void = () => {}): HashOutcome {
    let fd: number;
    try {
      fd = this.fs.openSync(path, 'r');
    } catch (error) {
      return { unreadable: plainError(error) };
    }
    try {
      // readFully stops short only where a read found the end: a file smaller than the buffer
      // is one read and one hash call, not a second read to find the end again.
      let size = readFully(this.fs, fd, this.left, this.left.length, 0);
      if (size > 0) onBytes(size);
      if (size < this.left.length) return { sha256: oneShotHash('sha256', this.left.subarray(0, size), 'hex'), size };
      const hash = createHash('sha256').update(this.left);
      for (;;) {
        const read = readFully(this.fs, fd, this.left, this.left.length, size);
        if (read === 0) break;
        hash.update(this.left.subarray(0, read));
        size += read;
        onBytes(read);
        if (read < this.left.length) break;
      }
      return { sha256: hash.digest('hex'), size };
    } catch (error) {
      return { unreadable: plainError(error) };
    } finally {
      closeQuietly(this.fs, fd);
    }
  }

  private compareWith(fd: number, task: CompareTask, onBytes: (bytes: number) => void, hash?: Hash): TaskOutcome {
    if (task.actualPath === undefined) return this.compareOpen(fd, task, onBytes, this.extentReader(task), hash);
    let actual: number;
    try {
      actual = this.fs.openSync(task.actualPath, 'r');
    } catch {
      return 'differs';
    }
    try {
      const read = (length: number, position: number) => readFully(this.fs, actual, this.right, length, position);
      return this.compareOpen(fd, task, onBytes, read, hash);
    } finally {
      closeQuietly(this.fs, actual);
    }
  }

  private extentReader(task: CompareTask): (length: number, position: number) => number {
    const mediaFd = this.mediaFd;
    if (mediaFd === undefined || task.extents === undefined) throw new Error('a direct compare needs the opened disc');
    return (length, position) => readExtents(this.fs, mediaFd, this.right, length, position, task.extents, task.size);
  }

  private compareOpen(
    fd: number,
    task: CompareTask,
    onBytes: (bytes: number) => void,
    readActual: (length: number, position: number) => number,
    hash: Hash | undefined,
  ): TaskOutcome {
    const chunk = this.left.length;
    for (let position = 0; position < task.size; position += chunk) {
      const wanted = Math.min(chunk, task.size - position);
      let expected: number;
      try {
        expected = readFully(this.fs, fd, this.left, wanted, position);
      } catch (error) {
        return { unreadable: plainError(error) };
      }
      // A staging file shorter than it was listed: not the bytes on the disc.
      if (expected !== wanted) return 'differs';
      try {
        if (readActual(wanted, position) !== wanted) return 'differs';
      } catch {
        return 'differs';
      }
      if (this.left.compare(this.right, 0, wanted, 0, wanted) !== 0) return 'differs';
      hash?.update(this.left.subarray(0, wanted));
      onBytes(wanted);
    }
    // A staging file longer than it was listed is not the one on the disc either.
    try {
      if (this.fs.readSync(fd, this.left, 0, 1, task.size) !== 0) return 'differs';
    } catch (error) {
      return { unreadable: plainError(error) };
    }
    return 'same';
  }
}

/** Closing a file only read cannot lose anything: an NFS staging's ESTALE on close must not end the check. */
function closeQuietly(fs: SyncFileSystem, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // the bytes were already compared
  }
}

/** Reads until `length` bytes are in or the file ends: drives and FUSE give short reads. */
function readFully(fs: SyncFileSystem, fd: number, buffer: Buffer, length: number, position: number): number {
  let filled = 0;
  while (filled < length) {
    const bytes = fs.readSync(fd, buffer, filled, length - filled, position + filled);
    if (bytes === 0) break;
    filled += bytes;
  }
  return filled;
}

/** The file's bytes [position, position + length) from its extents, never past its size (the padding is not the file's). */
function readExtents(
  fs: SyncFileSystem,
  mediaFd: number,
  buffer: Buffer,
  length: number,
  position: number,
  extents: readonly ExtentRange[],
  size: number,
): number {
  let filled = 0;
  let start = 0;
  for (const extent of extents) {
    const end = Math.min(start + extent.bytes, size);
    while (filled < length && position + filled < end) {
      const at = position + filled;
      const bytes = Math.min(length - filled, end - at);
      const read = fs.readSync(mediaFd, buffer, filled, bytes, extent.byteOffset + (at - start));
      if (read === 0) return filled;
      filled += read;
    }
    start = end;
    if (filled >= length) break;
  }
  return filled;
}

export function plainError(error: unknown): PlainError {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Total bytes of the regular files under a day (symlinks not followed), its own indicators
 * left out: `cback.*` at the top of the day (the domain's isIndicatorName, not imported so a
 * worker loads nothing but node:fs).
 */
export function dataBytes(root: string, fs: SyncFileSystem = NODE_FILE_SYSTEM): number {
  return dayFacts(root, fs).bytes;
}

/**
 * A day's tree as the domain's image bound reads it (imageSizeUpperBound), counted in the same
 * walk as its bytes: every entry, its name's UTF-8 bytes (and a link's target's), each file's
 * data in whole sectors. Indicators are counted here: they are on the disc.
 */
export type DayShape = { files: number; directories: number; nameBytes: number; dataSectors: number };

const SECTOR_BYTES = 2048;

/**
 * Which share of a day's walk a call does, so two threads can sum one day: part `index` of
 * `of` descends into every `of`-th directory at the top of the day (by their order among the
 * root's directories sorted by code point, so every part agrees), and part 0 alone counts the
 * root's own entries. The parts' facts add up to the whole day's, exactly.
 */
export type DayPart = { index: number; of: number };

export const WHOLE_DAY: DayPart = { index: 0, of: 1 };

export function dayFacts(
  root: string,
  fs: SyncFileSystem = NODE_FILE_SYSTEM,
  part: DayPart = WHOLE_DAY,
): { bytes: number; shape: DayShape } {
  const { index, of } = part;
  if (!Number.isInteger(of) || of < 1 || !Number.isInteger(index) || index < 0 || index >= of) {
    throw new Error(`no part ${index} of ${of} of a day`);
  }
  let bytes = 0;
  const shape: DayShape = { files: 0, directories: 0, nameBytes: 0, dataSectors: 0 };
  const count = (dir: string, entry: nodeFs.Dirent, top: boolean): void => {
    shape.nameBytes += Buffer.byteLength(entry.name);
    if (entry.isDirectory()) {
      shape.directories += 1;
      return;
    }
    shape.files += 1;
    const path = childPath(dir, entry.name);
    if (entry.isFile()) {
      const size = fs.lstatSync(path).size;
      shape.dataSectors += Math.ceil(size / SECTOR_BYTES);
      if (!(top && entry.name.startsWith('cback.'))) bytes += size;
    } else if (entry.isSymbolicLink()) {
      shape.nameBytes += Buffer.byteLength(fs.readlinkSync(path));
    }
  };
  const pending: string[] = [];
  const rootEntries = fs.readdirSync(root, { withFileTypes: true });
  const base = normalize(root);
  // The whole day walks in the listing's order, as it always did; parts must agree on one.
  if (of > 1) rootEntries.sort((a, b) => byCodePoint(a.name, b.name));
  let directoryAt = 0;
  for (const entry of rootEntries) {
    if (index === 0) count(base, entry, true);
    if (entry.isDirectory() && directoryAt++ % of === index) pending.push(childPath(base, entry.name));
  }
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      count(dir, entry, false);
      if (entry.isDirectory()) pending.push(childPath(dir, entry.name));
    }
  }
  return { bytes, shape };
}

/** The mtime of every directory of a tree, in walk order (symlinks are not followed). */
export function directoryTimes(root: string, fs: SyncFileSystem = NODE_FILE_SYSTEM): number[] {
  const times: number[] = [];
  const pending = [normalize(root)];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    times.push(fs.lstatSync(dir).mtimeMs);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) pending.push(childPath(dir, entry.name));
    }
  }
  return times;
}
