import { describe, expect, it } from 'vitest';
import { classifyEntry, compareTrees, MismatchTally, needsByteCompare, type FileFacts } from './compare.js';

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

describe('classifyEntry', () => {
  it('is the rule compareTrees applies at each path', () => {
    expect(classifyEntry('a', file('a', 1), undefined)).toBe('missing');
    expect(classifyEntry('a', undefined, file('a', 1))).toBe('extra');
    expect(classifyEntry('a', file('a', 1), file('a', 2))).toBe('content');
    expect(classifyEntry('a', file('a', 1), file('a', 1))).toBeNull();
    expect(classifyEntry('2026/11/26/cback.store', undefined, file('2026/11/26/cback.store', 1))).toBeNull();
  });

  it('asks for the bytes only of same-size files on both sides', () => {
    expect(needsByteCompare('a', file('a', 1), file('a', 1))).toBe(true);
    expect(needsByteCompare('a', file('a', 1), file('a', 2))).toBe(false);
    expect(needsByteCompare('a', file('a', 1), { ...file('a', 1), contentDiffers: true })).toBe(false);
    expect(needsByteCompare('2026/11/26/cback.store', file('a', 1), file('a', 1))).toBe(false);
  });
});

describe('MismatchTally', () => {
  it('names the first ones and counts them all', () => {
    const tally = new MismatchTally(2);
    for (const path of ['a', 'b', 'c']) tally.add({ path, kind: 'missing' });
    expect(tally.named.map((mismatch) => mismatch.path)).toEqual(['a', 'b']);
    expect([tally.count, tally.unnamed]).toEqual([3, 1]);
  });
});
