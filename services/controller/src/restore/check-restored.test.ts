import { describe, expect, it } from 'vitest';
import type { ManifestFile } from '@cedar-store/ports';
import { checkRestored } from './check-restored.js';

const DAY = '2026-11-25';
const file = (path: string, sha = 'a'): ManifestFile => ({
  day: DAY,
  path: `2026/11/25/${path}`,
  size: 1,
  sha256: sha.repeat(64),
});

async function* stream(files: ManifestFile[]): AsyncGenerator<ManifestFile> {
  yield* files;
}

describe('checkRestored', () => {
  it('checks every file both lists hold', async () => {
    const files = [file('a'), file('b/c'), file('b-d')].sort((x, y) => (x.path < y.path ? -1 : 1));
    expect(await checkRestored(stream(files), stream(files))).toEqual({
      checked: 3,
      mismatches: [],
      mismatchCount: 0,
      unlisted: [],
      unlistedCount: 0,
    });
  });

  it('names a file whose hash differs and one the restore lacks, in path order', async () => {
    const restored = [file('a'), file('c', 'b')];
    const expected = [file('a'), file('b'), file('c')];
    const check = await checkRestored(stream(restored), stream(expected));
    expect(check.checked).toBe(2);
    expect(check.mismatches).toEqual([
      { path: '2026/11/25/b', kind: 'missing' },
      { path: '2026/11/25/c', kind: 'content' },
    ]);
    expect(check.mismatchCount).toBe(2);
  });

  it('counts restored files the manifest does not list without failing them', async () => {
    const check = await checkRestored(stream([file('a'), file('z')]), stream([file('a')]));
    expect(check).toMatchObject({ checked: 1, mismatchCount: 0, unlisted: ['2026/11/25/z'], unlistedCount: 1 });
  });

  it('compares only the manifest files the filter keeps', async () => {
    const check = await checkRestored(stream([file('x.conf')]), stream([file('a.txt'), file('x.conf')]), (f) =>
      f.path.endsWith('.conf'),
    );
    expect(check).toMatchObject({ checked: 1, mismatchCount: 0 });
  });

  it('refuses a list out of path order rather than give a false verdict', async () => {
    await expect(checkRestored(stream([file('b'), file('a')]), stream([file('a'), file('b')]))).rejects.toThrow(
      /not in path order/,
    );
  });
});
