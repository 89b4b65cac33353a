/** What a directory holds, for tests that check what a program wrote there. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every regular file under `root` by its path relative to it (`/`-separated), with its text;
 * empty when `root` does not exist. Directories are implied by the paths; symlinks are left out.
 */
export async function textTree(root: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), relative);
      else if (entry.isFile()) tree[relative] = await readFile(join(dir, entry.name), 'utf8');
    }
  };
  try {
    await walk(root, '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || Object.keys(tree).length > 0) throw error;
  }
  return tree;
}
