/**
 * Lists a directory tree the way the consistency check sees it: every file, directory and
 * symlink (symlinks are listed with their target, never followed), with paths relative to the
 * graft point so the staging side and the media side line up.
 */
import { opendir, readlink, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileFacts } from '@cedar-store/domain';

export type WalkedFile = FileFacts & { absolutePath: string };

export async function walkTree(root: string, graftPoint: string): Promise<WalkedFile[]> {
  const found: WalkedFile[] = [];
  const pending: Array<{ dir: string; relative: string }> = [{ dir: root, relative: graftPoint }];
  while (pending.length > 0) {
    const { dir, relative } = pending.pop()!;
    const handle = await opendir(dir);
    for await (const entry of handle) {
      const absolutePath = join(dir, entry.name);
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        found.push({ path, kind: 'directory', size: 0, absolutePath });
        pending.push({ dir: absolutePath, relative: path });
      } else if (entry.isSymbolicLink()) {
        found.push({ path, kind: 'symlink', size: 0, target: await readlink(absolutePath), absolutePath });
      } else if (entry.isFile()) {
        found.push({ path, kind: 'file', size: (await lstat(absolutePath)).size, absolutePath });
      }
      // Sockets, fifos and devices cannot go on a disc: they are neither expected nor compared.
    }
  }
  return found;
}
