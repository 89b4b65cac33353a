/**
 * Lists a directory tree the way the consistency check sees it: every file, directory and
 * symlink (symlinks are listed with their target, never followed), with paths relative to the
 * graft point so the staging side and the media side line up.
 */
import type { Dir } from 'node:fs';
import { opendir, readlink, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileFacts } from '@cedar-store/domain';

export type WalkedFile = FileFacts & { absolutePath: string };

export type OpenDirectory = (path: string) => Promise<Dir>;

/** A directory still to list, with its own entry (none for the root) to mark if it cannot be listed. */
type PendingDirectory = { dir: string; relative: string; entry?: WalkedFile };

export type WalkOptions = {
  /**
   * Hears a directory that could not be listed (EIO from a bad sector) and lets the walk go on
   * without its contents; absent, the error is thrown. Throwing from here stops the walk.
   */
  onUnreadable?: (directory: string, error: unknown) => void;
  openDirectory?: OpenDirectory;
};

export async function walkTree(root: string, graftPoint: string, options: WalkOptions = {}): Promise<WalkedFile[]> {
  const openDirectory = options.openDirectory ?? ((path: string) => opendir(path));
  const found: WalkedFile[] = [];
  const pending: PendingDirectory[] = [{ dir: root, relative: graftPoint }];
  while (pending.length > 0) {
    const { dir, relative, entry } = pending.pop()!;
    try {
      await list(await openDirectory(dir), dir, relative, found, pending);
    } catch (error) {
      if (!options.onUnreadable) throw error;
      options.onUnreadable(dir, error);
      // Its contents are unknown, so it cannot be said to match: the verify names it.
      if (entry) entry.contentDiffers = true;
    }
  }
  return found;
}

/** Sizes and link targets read at once per directory: one at a time, 100 000 files take seconds of latency. */
const STAT_BATCH = 64;

async function list(
  handle: Dir,
  dir: string,
  relative: string,
  found: WalkedFile[],
  pending: PendingDirectory[],
): Promise<void> {
  let batch: Promise<void>[] = [];
  for await (const entry of handle) {
    const absolutePath = join(dir, entry.name);
    const path = `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      const directory: WalkedFile = { path, kind: 'directory', size: 0, absolutePath };
      found.push(directory);
      pending.push({ dir: absolutePath, relative: path, entry: directory });
    } else if (entry.isSymbolicLink()) {
      const link: WalkedFile = { path, kind: 'symlink', size: 0, target: '', absolutePath };
      found.push(link);
      batch.push(readlink(absolutePath).then((target) => void (link.target = target)));
    } else if (entry.isFile()) {
      const file: WalkedFile = { path, kind: 'file', size: 0, absolutePath };
      found.push(file);
      batch.push(lstat(absolutePath).then((facts) => void (file.size = facts.size)));
    }
    // Sockets, fifos and devices cannot go on a disc: they are neither expected nor compared.
    if (batch.length >= STAT_BATCH) batch = await settled(batch);
  }
  await settled(batch);
}

/** Waits for every read of the batch, then throws the first failure, so none is left running. */
async function settled(batch: Promise<void>[]): Promise<Promise<void>[]> {
  const results = await Promise.allSettled(batch);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return [];
}
