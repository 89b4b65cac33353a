// A clone of the repository is all a user has: no test, script or doc may read or point at
// anything beside the checkout. This walks every file in the working tree (what a clone
// holds, plus what is about to be committed) and fails on a reference to a folder outside it,
// or to a design document that is not in it (docs/design.md is the project's own).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryFiles, repositoryRoot } from './repository-files.js';

/** Every line of a text file in the repository that contains one of the needles. */
function linesMentioning(needles: readonly string[]): string[] {
  const offenders: string[] = [];
  for (const path of repositoryFiles()) {
    const text = readFileSync(path);
    if (text.includes(0)) continue; // binary
    text
      .toString('utf8')
      .split('\n')
      .forEach((line, index) => {
        if (needles.some((needle) => line.includes(needle)))
          offenders.push(`${relative(repositoryRoot, path)}:${index + 1}: ${line.trim()}`);
      });
  }
  return offenders;
}

// Spelled in pieces so this file does not match itself.
const OUTSIDE = [['..', 'shared'].join('/'), ['', 'work', 'shared'].join('/')];
const MISSING_DESIGN = [['DESIGN', 'md §'].join('.'), ['DESIGN', '§'].join(' ')];
// The founding reference and style notes lived beside the checkout; the docs say it now.
const MISSING_NOTES = [['REFERENCE', 'md'].join('.'), ['STYLE', 'md'].join('.')];

describe('the repository', () => {
  it('holds every file its tests, scripts and docs read', () => {
    expect(linesMentioning(OUTSIDE)).toEqual([]);
  });

  it('cites its design as docs/design.md, never by the numbered sections of a file it lacks', () => {
    expect(linesMentioning(MISSING_DESIGN)).toEqual([]);
  });

  it('cites no reference or style notes that a clone does not have', () => {
    expect(linesMentioning(MISSING_NOTES)).toEqual([]);
  });
});
