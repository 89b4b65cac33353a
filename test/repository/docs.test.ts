// The docs a maintainer navigates: every relative link in the repository's Markdown leads to
// a file that exists (and, for `#anchor`, to a heading of that page), the README stays a
// short front page, and every table stays readable in a terminal.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorsOf, headingSlug, linksOf, tableRows } from './markdown.js';
import { repositoryFiles, repositoryRoot } from './repository-files.js';

/** The README is a front page: what it is, the quick start, the architecture, links into docs/. */
const MAX_README_BYTES = 12 * 1024;
/** Wider rows wrap into unreadable cells in an 80–160 column terminal: use a list instead. */
const MAX_TABLE_ROW = 160;

const markdownFiles = [...repositoryFiles()].filter((path) => path.endsWith('.md'));

/** Why a relative link from `page` does not resolve, or null when it does. */
function brokenLink(page: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null; // external
  const [rawPath = '', anchor] = target.split('#', 2);
  const path = decodeURIComponent(rawPath);
  const file = path === '' ? page : resolve(dirname(page), path);
  if (!file.startsWith(repositoryRoot)) return 'leads outside the repository';
  if (!existsSync(file)) return 'no such file';
  if (anchor === undefined || anchor === '') return null;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return null;
  return anchorsOf(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())
    ? null
    : `no heading with anchor #${anchor} in ${relative(repositoryRoot, file)}`;
}

describe('the Markdown docs', () => {
  it('include the README, the docs/ pages and the package READMEs', () => {
    const names = markdownFiles.map((path) => relative(repositoryRoot, path));
    expect(names).toEqual(
      expect.arrayContaining(['README.md', 'docs/design.md', 'services/controller/README.md', 'bench/README.md']),
    );
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const page of markdownFiles) {
      for (const { target, line } of linksOf(readFileSync(page, 'utf8'))) {
        const why = brokenLink(page, target);
        if (why) broken.push(`${relative(repositoryRoot, page)}:${line}: ${target}: ${why}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('keep every table row within 160 characters', () => {
    const wide: string[] = [];
    for (const page of markdownFiles) {
      for (const { line, number } of tableRows(readFileSync(page, 'utf8'))) {
        if ([...line].length > MAX_TABLE_ROW)
          wide.push(`${relative(repositoryRoot, page)}:${number}: ${[...line].length} characters`);
      }
    }
    expect(wide).toEqual([]);
  });

  it('keep the README within 12 KB, pointing into docs/', () => {
    const readme = join(repositoryRoot, 'README.md');
    expect(statSync(readme).size).toBeLessThanOrEqual(MAX_README_BYTES);
    const targets = linksOf(readFileSync(readme, 'utf8')).map((link) => link.target);
    expect(targets.filter((target) => target.startsWith('docs/')).length).toBeGreaterThanOrEqual(10);
  });
});

describe('heading anchors follow GitHub', () => {
  it.each([
    ['1. Which day: the midnight rule', '1-which-day-the-midnight-rule'],
    [
      '5–9. Write, verify, store indicator, capacity warning, catalog',
      '59-write-verify-store-indicator-capacity-warning-catalog',
    ],
    ['`MEDIA_FULL`', 'media_full'],
    ['agent.yaml', 'agentyaml'],
    ['Media types', 'media-types'],
    ['0001: Per-file work in worker threads', '0001-per-file-work-in-worker-threads'],
    ['[Design](docs/design.md) notes', 'design-notes'],
  ])('%s → #%s', (heading, slug) => {
    expect(headingSlug(heading)).toBe(slug);
  });

  it('numbers a repeated heading', () => {
    expect([...anchorsOf('# Notes\n\n## Notes\n\n```\n# not a heading\n```\n## Notes\n')]).toEqual([
      'notes',
      'notes-1',
      'notes-2',
    ]);
  });
});
