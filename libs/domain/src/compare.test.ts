import { describe, expect, it } from 'vitest';
import { compareTrees, type FileFacts } from './compare.js';

const file = (path: string, size: number, digest?: string): FileFacts => ({ path, kind: 'file', size, digest });

describe('compareTrees', () => {
  it('finds nothing when both sides hold the same files', () => {
    const tree = [file('2026/11/26/a', 3, 'x'), { path: '2026/11/26/d', kind: 'directory', size: 0 } as FileFacts];
    expect(compareTrees(tree, [...tree].reverse())).toEqual([]);
  });

  it('names missing, extra and differing files, sorted by path', () => {
    const expected = [file('2026/11/26/b', 3, 'x'), file('2026/11/26/a', 3, 'x'), file('2026/11/26/c', 3)];
    const actual = [file('2026/11/26/a', 3, 'y'), file('2026/11/26/c', 4), file('2026/11/26/z', 1)];
    expect(compareTrees(expected, actual)).toEqual([
      { path: '2026/11/26/a', kind: 'content' },
      { path: '2026/11/26/b', kind: 'missing' },
      { path: '2026/11/26/c', kind: 'content' },
      { path: '2026/11/26/z', kind: 'extra' },
    ]);
  });

  it('reports a content difference an adapter found while streaming', () => {
    expect(compareTrees([file('a', 1)], [{ ...file('a', 1), contentDiffers: true }])).toEqual([
      { path: 'a', kind: 'content' },
    ]);
  });

  it('compares symlinks by target and kinds strictly', () => {
    const link = (target: string): FileFacts => ({ path: 'l', kind: 'symlink', size: 0, target });
    expect(compareTrees([link('/a')], [link('/b')])).toEqual([{ path: 'l', kind: 'content' }]);
    expect(compareTrees([file('l', 0)], [link('/a')])).toEqual([{ path: 'l', kind: 'content' }]);
  });

  it('leaves the store indicator out: it is written after the disc', () => {
    expect(compareTrees([file('2026/11/26/cback.store', 0)], [])).toEqual([]);
  });

  it('compares a file named cback.store deeper in a day like any data', () => {
    expect(compareTrees([file('2026/11/26/home/cback.store', 3)], [])).toEqual([
      { path: '2026/11/26/home/cback.store', kind: 'missing' },
    ]);
  });
});
