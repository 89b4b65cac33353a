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

async function list(
  handle: Dir,
  dir: string,
  relative: string,
  found: WalkedFile[],
  pending: PendingDirectory[],
): Promise<void> {
  for await (const entry of handle) {
    const absolutePath = join(dir, entry.name);
    const path = `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      const directory: WalkedFile = { path, kind: 'directory', size: 0, absolutePath };
      found.push(directory);
      pending.push({ dir: absolutePath, relative: path, entry: directory });
    } else if (entry.isSymbolicLink()) {
      found.push({ path, kind: 'symlink', size: 0, target: await readlink(absolutePath), absolutePath });
    } else if (entry.isFile()) {
      found.push({ path, kind: 'file', size: (await lstat(absolutePath)).size, absolutePath });
    }
    // Sockets, fifos and devices cannot go on a disc: they are neither expected nor compared.
  }
}
