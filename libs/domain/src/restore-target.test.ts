import { describe, expect, it } from 'vitest';
import { discPathProblem, restoreTargetProblem, wrongDiscProblem } from './restore-target.js';

describe('restoreTargetProblem', () => {
  it('accepts one plain directory name', () => {
    for (const name of ['nov25', 'case-1234', 'a.b_c-D9', '.x']) expect(restoreTargetProblem(name)).toBeUndefined();
  });

  it('refuses anything that could leave restoreRoot or name it', () => {
    expect(restoreTargetProblem('../x')).toMatch(/"\/"/);
    expect(restoreTargetProblem('a/b')).toMatch(/one directory name/);
    expect(restoreTargetProblem('..')).toMatch(/"\."/);
    expect(restoreTargetProblem('.')).toMatch(/"\."/);
    expect(restoreTargetProblem('a..b')).toMatch(/\.\./);
    expect(restoreTargetProblem('')).toBe('is empty');
    expect(restoreTargetProblem('x'.repeat(101))).toMatch(/longer than 100/);
  });

  it('refuses spaces, shell characters and other scripts', () => {
    for (const name of ['a b', '$HOME', 'x;rm', 'é', 'a\\b', '~'])
      expect(restoreTargetProblem(name)).toMatch(/only letters/);
  });
});

describe('discPathProblem', () => {
  it('accepts a relative path of plain components', () => {
    expect(discPathProblem('2026/11/25/docs/report.txt')).toBeUndefined();
    expect(discPathProblem('2026/11/25/.hidden/..x')).toBeUndefined();
  });

  it('refuses absolute, empty, dot and dot-dot paths', () => {
    expect(discPathProblem('/etc/passwd')).toBe('is absolute');
    expect(discPathProblem('2026/../../etc')).toBe('holds a ".." component');
    expect(discPathProblem('2026/./x')).toBe('holds a "." component');
    expect(discPathProblem('2026//x')).toBe('holds an empty component');
    expect(discPathProblem('')).toBe('is empty');
    expect(discPathProblem('a\0b')).toBe('holds a NUL character');
  });
});

describe('wrongDiscProblem', () => {
  const expected = { label: 'CEDAR BACKUP 23-NOV-2026', session: 2, discId: 3 };

  it('accepts the disc of the catalog, with the session of the day or more', () => {
    expect(wrongDiscProblem('2026-11-24', expected, { label: expected.label, sessions: 2 })).toBeUndefined();
    expect(wrongDiscProblem('2026-11-24', expected, { label: expected.label, sessions: 5 })).toBeUndefined();
  });

  it('names the disc to insert when the label differs or is missing', () => {
    const other = wrongDiscProblem('2026-11-24', expected, { label: 'CEDAR BACKUP 30-NOV-2026', sessions: 2 });
    expect(other).toMatch(/labelled "CEDAR BACKUP 30-NOV-2026", not the disc 3 labelled "CEDAR BACKUP 23-NOV-2026"/);
    expect(other).toMatch(/insert the disc 3 .*session 2 holds 2026-11-24/);
    expect(wrongDiscProblem('2026-11-24', expected, { label: null, sessions: 0 })).toMatch(/without a label/);
  });

  it('tells a disc of the same label with too few sessions apart', () => {
    expect(wrongDiscProblem('2026-11-24', expected, { label: expected.label, sessions: 1 })).toMatch(
      /holds 1 session\(s\).*session 2/,
    );
  });
});
