import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Everything under `root` — each path with its type, mode, size and content digest (or link
 * target) — so a test can say "nothing was written, nothing appeared, nothing moved". Folders
 * named in `bookkeeping` (relative to `root`) are left out: where a process records its own
 * operations, which a valid request may add to.
 */
export async function snapshotTree(root: string, bookkeeping: readonly string[] = []): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const facts = await lstat(path);
      const key = relative(root, path);
      if (bookkeeping.includes(key)) continue;
      const mode = (facts.mode & 0o7777).toString(8);
      if (facts.isSymbolicLink()) entries[key] = `link ${await readlink(path)}`;
      else if (facts.isDirectory()) {
        entries[key] = `dir ${mode}`;
        await walk(path);
      } else {
        const digest = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        entries[key] = `file ${mode} ${facts.size} ${digest}`;
      }
    }
  };
  await walk(root);
  return entries;
}
