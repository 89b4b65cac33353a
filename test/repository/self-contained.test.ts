// A clone of the repository is all a user has: no test, script or doc may read or point at
// anything beside the checkout. This walks every file in the working tree (what a clone
// holds, plus what is about to be committed) and fails on a reference to a folder outside it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'var', 'coverage', 'out']);

function* repositoryFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* repositoryFiles(path);
    else if (entry.isFile()) yield path;
  }
}

// Spelled in pieces so this file does not match itself.
const OUTSIDE = [['..', 'shared'].join('/'), ['', 'work', 'shared'].join('/')];

describe('the repository', () => {
  it('holds every file its tests, scripts and docs read', () => {
    const offenders: string[] = [];
    for (const path of repositoryFiles(root)) {
      const text = readFileSync(path);
      if (text.includes(0)) continue; // binary
      const content = text.toString('utf8');
      const lines = content.split('\n');
      lines.forEach((line, index) => {
        if (OUTSIDE.some((needle) => line.includes(needle)))
          offenders.push(`${relative(root, path)}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
