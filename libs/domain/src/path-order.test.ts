import { describe, expect, it } from 'vitest';
import { comparePaths, compareTreeOrder } from './path-order.js';

const utf8Order = (a: string, b: string): number => {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return Math.sign(x.length - y.length);
};

describe('comparePaths', () => {
  it('orders as the UTF-8 bytes do, where UTF-16 code units would not', () => {
    const paths = ['a/b', 'a-b', 'a', 'a/\u{1F600}', 'a/\uFF21', 'A', 'a/b/c', 'é', 'a/\uE000'];
    const sorted = [...paths].sort(comparePaths);
    expect(sorted).toEqual([...paths].sort(utf8Order));
    expect(sorted.indexOf('a/\uFF21')).toBeLessThan(sorted.indexOf('a/\u{1F600}'));
    expect(['a/\u{1F600}', 'a/\uFF21'].sort()).toEqual(['a/\u{1F600}', 'a/\uFF21']);
  });

  it('puts a prefix first and calls equal paths equal', () => {
    expect(comparePaths('a', 'a/b')).toBe(-1);
    expect(comparePaths('a/b', 'a')).toBe(1);
    expect(comparePaths('x/y', 'x/y')).toBe(0);
  });
});

describe('compareTreeOrder', () => {
  it('puts a directory’s whole subtree before a sibling whose name goes on with a character below /', () => {
    const paths = [
      'a b',
      'a-b',
      'a.b',
      'a/x-1',
      'a/x/1',
      'a/x',
      'a',
      'a/x.1',
      'ab',
      '-',
      'é/1',
      'é',
      'a/\u{1F600}',
      'a/\uFF21',
    ];
    expect([...paths].sort(compareTreeOrder)).toEqual([
      '-',
      'a',
      'a/x',
      'a/x/1',
      'a/x-1',
      'a/x.1',
      'a/\uFF21',
      'a/\u{1F600}',
      'a b',
      'a-b',
      'a.b',
      'ab',
      'é',
      'é/1',
    ]);
  });

  it('agrees with comparePaths where no name holds a character below /', () => {
    const paths = ['a/b', 'a', 'A', 'a/b/c', 'é', 'a/\uE000', 'b0', 'b/c'];
    expect([...paths].sort(compareTreeOrder)).toEqual([...paths].sort(comparePaths));
    expect(compareTreeOrder('x/y', 'x/y')).toBe(0);
  });
});
