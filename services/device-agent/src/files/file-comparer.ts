/**
 * Staging files compared with their twins on the disc — at their extents on the opened disc, or
 * as files on a mount — and hashed on their own, as synchronous system calls in a file worker
 * (the verify, and a staging day's manifest). Like every module a worker loads, it imports only
 * node built-ins (node:fs, node:path, node:crypto) and its neighbours here: sync-fs.ts says why.
 */
import { createHash, hash as oneShotHash, type Hash } from 'node:crypto';
import { NODE_FILE_SYSTEM, plainError, type PlainError, type SyncFileSystem } from './sync-fs.js';

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
