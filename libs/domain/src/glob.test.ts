import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from './errors.js';
import { MAX_GLOB_LENGTH, parseGlob } from './glob.js';

const matches = (glob: string, path: string) => parseGlob(glob).regex.test(path);

describe('parseGlob', () => {
  it('* stays within a path component; ** crosses any number of them', () => {
    expect(matches('docs/*.txt', 'docs/report.txt')).toBe(true);
    expect(matches('docs/*.txt', 'docs/old/report.txt')).toBe(false);
    expect(matches('docs/**/*.txt', 'docs/report.txt')).toBe(true);
    expect(matches('docs/**/*.txt', 'docs/a/b/report.txt')).toBe(true);
    expect(matches('docs/**', 'docs/a/b')).toBe(true);
    expect(matches('docs/**', 'other/a')).toBe(false);
  });

  it('a glob without "/" matches a file name in any directory', () => {
    expect(matches('report.txt', 'report.txt')).toBe(true);
    expect(matches('report.txt', 'docs/a/report.txt')).toBe(true);
    expect(matches('report.txt', 'docs/a/report.txt.gz')).toBe(false);
    expect(matches('*.tar.gz', 'collect/etc.tar.gz')).toBe(true);
  });

  it('? is one character other than "/", and classes take ranges and "!"', () => {
    expect(matches('a?c', 'abc')).toBe(true);
    expect(matches('x/a?c', 'x/a/c')).toBe(false);
    expect(matches('file[0-9].log', 'file7.log')).toBe(true);
    expect(matches('file[!0-9].log', 'file7.log')).toBe(false);
    expect(matches('file[!0-9].log', 'fileA.log')).toBe(true);
    expect(matches('a[!x]b/c', 'a/b/c')).toBe(false);
  });

  it('a backslash takes the next character literally; regex characters are plain', () => {
    expect(matches('a\\*b', 'a*b')).toBe(true);
    expect(matches('a\\*b', 'axb')).toBe(false);
    expect(matches('(x)+.y', '(x)+.y')).toBe(true);
    expect(matches('(x)+.y', 'xx.y')).toBe(false);
    expect(matches('many/part-001?.txt', 'many/part-0010.txt')).toBe(true);
    expect(matches('a-{1,2}|b^$', 'a-{1,2}|b^$')).toBe(true);
  });

  it('gives the literal start of a glob for an index range', () => {
    expect(parseGlob('docs/old/*.txt').prefix).toBe('docs/old/');
    expect(parseGlob('docs/re?ort').prefix).toBe('docs/re');
    expect(parseGlob('report.txt').prefix).toBe('');
    expect(parseGlob('**/x').prefix).toBe('');
  });

  it.each([
    ['', 'it is empty'],
    ['/etc/hosts', 'starts with "/"'],
    ['a//b', 'empty path component'],
    ['a/', 'empty path component'],
    ['a**b/c', '"**" must be a whole path component'],
    ['a[bc', 'has no closing "]"'],
    ['a[!]b/c', 'empty character class'],
    ['a[z-a]/b', 'runs backwards'],
    ['a\\', 'lone "\\"'],
    ['x'.repeat(MAX_GLOB_LENGTH + 1), 'longer than'],
    ['*/'.repeat(33) + 'x', 'more than 32 wildcards'],
  ])('refuses %j naming the problem', (glob, problem) => {
    let error: unknown;
    try {
      parseGlob(glob);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain(problem);
  });
});
