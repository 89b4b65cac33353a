/**
 * The agent's per-file work, as plain synchronous system calls: listing a staging day and
 * comparing a staging file with its extents on the disc (the verify), summing a day's bytes
 * (staging.inspect). It runs in worker threads (file-workers.ts), never on the agent's event loop. Done as promises on the event loop, a
 * day of 100 000 small files cost six round trips through libuv's thread pool per file (lstat,
 * open, two reads, close and the disc's read), each a few dozen microseconds of the main
 * thread: most of the verify (`npm run bench`). A worker makes the same calls directly.
 *
 * Nothing here imports more than node:fs and node:path, so a worker starts in milliseconds.
 */
import * as nodeFs from 'node:fs';
import { join } from 'node:path';

/** The system calls used, so tests can make one fail as a bad disk would (EIO). */
export type SyncFileSystem = Pick<
  typeof nodeFs,
  'openSync' | 'readSync' | 'closeSync' | 'readdirSync' | 'lstatSync' | 'readlinkSync'
>;

export const NODE_FILE_SYSTEM: SyncFileSystem = nodeFs;

export type ListedKind = 'file' | 'directory' | 'symlink';

/** A node of a staging day: `path` relative to the graft point, as the disc names it. */
export type ListedFile = { path: string; kind: ListedKind; size: number; target?: string; absolutePath: string };

/** A system error made plain, so it crosses from a worker thread with its code. */
export type PlainError = { code?: string; message: string };

export type DayListing = { files: ListedFile[] } | { unreadable: { path: string; error: PlainError } };

/**
 * Every file, directory and symlink under `root` (symlinks listed with their target, never
 * followed; sockets, fifos and devices left out: they cannot go on a disc). Staging is the
 * reference, so the first directory or file that cannot be read ends the listing.
 */
export function listDay(root: string, graftPoint: string, fs: SyncFileSystem = NODE_FILE_SYSTEM): DayListing {
  const files: ListedFile[] = [];
  const pending: { dir: string; relative: string }[] = [{ dir: root, relative: graftPoint }];
  let at = root;
  try {
    while (pending.length > 0) {
      const { dir, relative } = pending.pop()!;
      at = dir;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const absolutePath = join(dir, entry.name);
        const path = `${relative}/${entry.name}`;
        at = absolutePath;
        if (entry.isDirectory()) {
          files.push({ path, kind: 'directory', size: 0, absolutePath });
          pending.push({ dir: absolutePath, relative: path });
        } else if (entry.isSymbolicLink()) {
          files.push({ path, kind: 'symlink', size: 0, target: fs.readlinkSync(absolutePath), absolutePath });
        } else if (entry.isFile()) {
          files.push({ path, kind: 'file', size: fs.lstatSync(absolutePath).size, absolutePath });
        }
      }
    }
  } catch (error) {
    return { unreadable: { path: at, error: plainError(error) } };
  }
  return { files };
}

/** Where a file's bytes lie on the disc: its extents in order (files over 4 GiB have several). */
export type ExtentRange = { byteOffset: number; bytes: number };

/** One staging file to compare with the bytes at its extents on the disc. */
export type ExtentTask = { expectedPath: string; size: number; extents: ExtentRange[] };

/**
 * `same` or `differs` — a disc that cannot be read where the file lies differs, as that is what
 * the check looks for; a staging file that cannot be read is `unreadable`: no verdict then.
 */
export type TaskOutcome = 'same' | 'differs' | { unreadable: PlainError };

export const CHUNK_BYTES = 1024 * 1024;

/**
 * Compares staging files with their extents on an open disc (`mediaFd`: the image file or the
 * drive, opened once for the whole check), one chunk at a time so no file is held in memory.
 * The two buffers are the comparer's own and reused for every file.
 */
export class ExtentComparer {
  private readonly left: Buffer;
  private readonly right: Buffer;

  constructor(
    private readonly mediaFd: number,
    private readonly fs: SyncFileSystem = NODE_FILE_SYSTEM,
    chunkBytes = CHUNK_BYTES,
  ) {
    this.left = Buffer.allocUnsafe(chunkBytes);
    this.right = Buffer.allocUnsafe(chunkBytes);
  }

  /** `onBytes` hears the bytes found equal, chunk by chunk. */
  compare(task: ExtentTask, onBytes: (bytes: number) => void = () => {}): TaskOutcome {
    let fd: number;
    try {
      fd = this.fs.openSync(task.expectedPath, 'r');
    } catch (error) {
      return { unreadable: plainError(error) };
    }
    try {
      return this.compareOpen(fd, task, onBytes);
    } finally {
      this.fs.closeSync(fd);
    }
  }

  private compareOpen(fd: number, task: ExtentTask, onBytes: (bytes: number) => void): TaskOutcome {
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
        if (readExtents(this.fs, this.mediaFd, this.right, wanted, position, task) !== wanted) return 'differs';
      } catch {
        return 'differs';
      }
      if (this.left.compare(this.right, 0, wanted, 0, wanted) !== 0) return 'differs';
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
  task: ExtentTask,
): number {
  let filled = 0;
  let start = 0;
  for (const extent of task.extents) {
    const end = Math.min(start + extent.bytes, task.size);
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
  let total = 0;
  const pending: { dir: string; top: boolean }[] = [{ dir: root, top: true }];
  while (pending.length > 0) {
    const { dir, top } = pending.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push({ dir: path, top: false });
      else if (entry.isFile() && !(top && entry.name.startsWith('cback.'))) total += fs.lstatSync(path).size;
    }
  }
  return total;
}

/** The mtime of every directory of a tree, in walk order (symlinks are not followed). */
export function directoryTimes(root: string, fs: SyncFileSystem = NODE_FILE_SYSTEM): number[] {
  const times: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    times.push(fs.lstatSync(dir).mtimeMs);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) pending.push(join(dir, entry.name));
    }
  }
  return times;
}
