// Restores from real ISO images written by xorriso: every file comes back byte-identical (as plain
// sha256sum sees it), symlinks come back as symlinks and are never written through, and the
// target is refused when it could lead anywhere else.
import { chmod, lstat, mkdir, mkdtemp, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGlob } from '@cedar-store/domain';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgramRunner } from '../process/program-runner.js';
import { prepareRestoreTarget, restoreDays, type RestoredFile } from './restore-files.js';

const DAY = '2026-11-25';
const OTHER_DAY = '2026-11-26';

let dir: string;
let staging: string;
let restoreRoot: string;
let outside: string;
const runner = new ProgramRunner();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'restore-files-'));
  staging = join(dir, 'stage');
  restoreRoot = join(dir, 'restore');
  outside = join(dir, 'outside');
  await mkdir(outside);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An ISO image of the staged days, written by xorriso with Rock Ridge as a store writes them. */
async function image(days: string[], name = 'disc.iso'): Promise<string> {
  const path = join(dir, name);
  const maps = days.flatMap((day) => {
    const graft = day.replaceAll('-', '/');
    return ['-map', join(staging, graft), `/${graft}`];
  });
  await execa('xorriso', ['-outdev', path, '-volid', 'CEDAR BACKUP', ...maps, '-commit']);
  return path;
}

async function stage(day: string, files: Record<string, string>): Promise<string> {
  const root = join(staging, day.replaceAll('-', '/'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** `sha256sum` of every file under `root`, relative paths sorted: plain tools, not project code. */
async function sums(root: string): Promise<string> {
  const { stdout } = await execa('sh', ['-c', 'find . -type f -print0 | sort -z | xargs -0 sha256sum'], { cwd: root });
  return stdout;
}

describe('restoreDays', () => {
  it('reproduces every file of the days byte-identical, with its mode, and reports each hash', async () => {
    const root = await stage(DAY, {
      'report.txt': 'quarterly\n',
      'docs/deep/er/notes.md': 'x'.repeat(3 * 1024 * 1024 + 17),
      'empty.bin': '',
      'run.sh': '#!/bin/sh\necho hi\n',
    });
    await chmod(join(root, 'run.sh'), 0o755);
    await stage(OTHER_DAY, { 'b.txt': 'second day\n' });
    const disc = await image([DAY, OTHER_DAY]);

    const target = await prepareRestoreTarget(restoreRoot, 'case-1', false);
    const restored: RestoredFile[] = [];
    const result = await restoreDays(runner, { source: disc, isImageFile: true }, [DAY, OTHER_DAY], target, false, {
      onFileRestored: (file) => restored.push(file),
    });

    expect(result).toMatchObject({ files: 5, refused: [], missingDays: [] });
    expect(result.bytes).toBe(10 + 3 * 1024 * 1024 + 17 + 18 + 11);
    expect(await sums(join(target, '2026/11/25'))).toBe(await sums(root));
    expect(await sums(join(target, '2026/11/26'))).toBe(await sums(join(staging, '2026/11/26')));
    expect((await stat(join(target, '2026/11/25/run.sh'))).mode & 0o777).toBe(0o755);
    const { stdout } = await execa('sha256sum', [join(root, 'report.txt')]);
    expect(restored.find((file) => file.path === '2026/11/25/report.txt')).toEqual({
      day: DAY,
      path: '2026/11/25/report.txt',
      size: 10,
      sha256: stdout.split(' ')[0],
    });
  });

  it('hands on the hashes in path order (comparePaths), not in the order the data lies on the disc', async () => {
    // A big file first in the image, then names whose code point order is not their UTF-16 order.
    await stage(DAY, {
      'z-first.bin': 'z'.repeat(64 * 1024),
      'a/b.txt': '1',
      'a-b.txt': '2',
      'B.txt': '3',
      '\u{1F600}.txt': '4',
      '\uFF21.txt': '5',
    });
    const disc = await image([DAY]);
    const target = await prepareRestoreTarget(restoreRoot, 'order', false);
    const restored: string[] = [];
    await restoreDays(runner, { source: disc, isImageFile: true }, [DAY], target, false, {
      onFileRestored: (file) => restored.push(file.path),
    });
    expect(restored).toEqual(
      ['B.txt', 'a-b.txt', 'a/b.txt', 'z-first.bin', '\uFF21.txt', '\u{1F600}.txt'].map((name) => `2026/11/25/${name}`),
    );
  });

  it('restores a symlink to /etc or out of the day as a symlink, writing nothing through it', async () => {
    const root = await stage(DAY, { 'a.txt': 'a\n' });
    await symlink('/etc', join(root, 'etc-link'));
    await symlink('../../../../outside', join(root, 'up'));
    const disc = await image([DAY]);

    const target = await prepareRestoreTarget(restoreRoot, 'links', false);
    const result = await restoreDays(runner, { source: disc, isImageFile: true }, [DAY], target, false);

    expect(result).toMatchObject({ files: 1, symlinks: 2, refused: [] });
    expect((await lstat(join(target, '2026/11/25/etc-link'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(target, '2026/11/25/etc-link'))).toBe('/etc');
    expect(await readlink(join(target, '2026/11/25/up'))).toBe('../../../../outside');
    expect(await readdir(outside)).toEqual([]);
  });

  it('with force, replaces symlinks left in the target instead of writing through them', async () => {
    await stage(DAY, { 'a.txt': 'from the disc\n' });
    await stage(OTHER_DAY, { 'b.txt': 'the next day\n' });
    const disc = await image([DAY, OTHER_DAY]);
    const target = await prepareRestoreTarget(restoreRoot, 'again', false);
    await mkdir(join(target, '2026/11/25'), { recursive: true });
    await symlink(join(outside, 'victim'), join(target, '2026/11/25/a.txt'));
    await symlink(outside, join(target, '2026/11/26'));

    await expect(prepareRestoreTarget(restoreRoot, 'again', false)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/is not empty.*--force/),
    });
    await prepareRestoreTarget(restoreRoot, 'again', true);
    const result = await restoreDays(runner, { source: disc, isImageFile: true }, [DAY, OTHER_DAY], target, true);

    expect(result).toMatchObject({ files: 2, refused: [] });
    expect((await lstat(join(target, '2026/11/25/a.txt'))).isFile()).toBe(true);
    expect((await lstat(join(target, '2026/11/26'))).isDirectory()).toBe(true);
    expect(await readdir(outside)).toEqual([]);
  });

  it('restores only the files --path globs match, with the directories leading to them', async () => {
    await stage(DAY, { 'docs/a.pdf': 'a', 'docs/sub/b.pdf': 'b', 'docs/c.txt': 'c', 'other/d.pdf': 'd', 'e.txt': 'e' });
    const disc = await image([DAY]);
    const target = await prepareRestoreTarget(restoreRoot, 'some', false);
    const paths = [parseGlob('docs/**/*.pdf'), parseGlob('e.txt')];
    const result = await restoreDays(runner, { source: disc, isImageFile: true }, [DAY], target, false, { paths });
    expect(result).toMatchObject({ files: 3, directories: 2 });
    const { stdout } = await execa('find', ['.', '-mindepth', '4'], { cwd: target });
    expect(stdout.split('\n').sort()).toEqual([
      './2026/11/25/docs',
      './2026/11/25/docs/a.pdf',
      './2026/11/25/docs/sub',
      './2026/11/25/docs/sub/b.pdf',
      './2026/11/25/e.txt',
    ]);
  });

  it('says which days the disc does not hold, restoring the others', async () => {
    await stage(DAY, { 'a.txt': 'a\n' });
    const disc = await image([DAY]);
    const target = await prepareRestoreTarget(restoreRoot, 'partial', false);
    const result = await restoreDays(runner, { source: disc, isImageFile: true }, [DAY, OTHER_DAY], target, false);
    expect(result).toMatchObject({ files: 1, missingDays: [OTHER_DAY] });
  });
});

describe('prepareRestoreTarget', () => {
  it('refuses names that could lead out of restoreRoot, creating nothing', async () => {
    for (const name of ['../x', 'a/b', '..', '.', '']) {
      await expect(prepareRestoreTarget(restoreRoot, name, true)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
    expect(await readdir(dir)).toEqual(['outside']);
  });

  it('refuses a target that is a symlink, even with force', async () => {
    await mkdir(restoreRoot);
    await symlink(outside, join(restoreRoot, 'sneaky'));
    await expect(prepareRestoreTarget(restoreRoot, 'sneaky', true)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/not a directory/),
    });
  });
});
