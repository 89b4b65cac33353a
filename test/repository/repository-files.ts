// The files a clone of the repository holds (plus what is about to be committed): every file
// under the root except dependencies, build output, version control and local state.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

const SKIPPED = new Set(['node_modules', 'dist', '.git', 'var', 'coverage', 'out']);

export function* repositoryFiles(dir: string = repositoryRoot): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* repositoryFiles(path);
    else if (entry.isFile()) yield path;
  }
}
