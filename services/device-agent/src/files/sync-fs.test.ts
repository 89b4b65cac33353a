import { join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childPath } from './sync-fs.js';

describe('childPath', () => {
  it('names a directory entry as path.join does, for every normalized directory', () => {
    for (const dir of ['/', '/a', '/a/b/', 'rel', 'rel/x/', '.', './', '/a/./b/../c', '//x', 'a//b']) {
      for (const name of ['n', 'name with space', 'ü', '.hidden', '..x', '...']) {
        expect(childPath(normalize(dir), name), `${dir} + ${name}`).toBe(join(dir, name));
      }
    }
  });
});
