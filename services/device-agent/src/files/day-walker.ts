/**
 * A day's tree walked in tree order, as synchronous system calls in a file worker: the listing
 * of a staging day or a mounted disc (listDay), or a batch at a time (DayWalker), its files
 * hashed on the way for a staging day's manifest. Like every module a worker loads, it imports
 * only node built-ins (node:fs, node:path, node:crypto) and its neighbours here: sync-fs.ts says
 * why. The comparer it hashes with is handed to it: it imports only that type, so the comparer
 * may never import the walker (no module cycles, type-only imports counted).
 */
import type { Dirent } from 'node:fs';
import { normalize } from 'node:path';
import type { FileComparer } from './file-comparer.js';
import {
  byCodePoint,
  childPath,
  NODE_FILE_SYSTEM,
  plainError,
  type PlainError,
  type SyncFileSystem,
} from './sync-fs.js';

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

type WalkFrame = { dir: string; relative: string; entries: Dirent[]; index: number };

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
  private read(dir: string): Dirent[] | null {
    try {
      return this.fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name));
    } catch (error) {
      if (!this.keepGoing) throw error;
      return null;
    }
  }
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
