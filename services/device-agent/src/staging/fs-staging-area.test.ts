import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsStagingArea } from './fs-staging-area.js';

/** Every path under `dir`, relative, sorted: what an operator listing the tree would see. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map((entry) => relative(dir, join(dir, entry))).sort();
}

/** A day's shape for the image bound: files, directories, name bytes, data sectors. */
const shape = (files: number, directories: number, nameBytes: number, dataSectors: number) => ({
  files,
  directories,
  nameBytes,
  dataSectors,
});

describe('FsStagingArea', () => {
  let base: string;
  let root: string;
  let area: FsStagingArea;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-staging-'));
    root = join(base, 'stage');
    await mkdir(root);
    area = new FsStagingArea(root);
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function stageDay(day: string, files: Record<string, string>): Promise<string> {
    const dir = join(root, ...day.split('-'));
    await mkdir(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    return dir;
  }

  describe('resolveDay', () => {
    it.each(['2026-02-30', '2026-13-01', '2026-1-01', '2026/11/23', '../../etc', ''])(
      'refuses %j as a day',
      async (day) => {
        await expect(area.resolveDay(day)).rejects.toMatchObject({
          code: 'INVALID_REQUEST',
          message: expect.stringContaining('not a real calendar date'),
        });
      },
    );

    it('finds a staged day under <root>/YYYY/MM/DD and reports a missing one as not existing', async () => {
      const dir = await stageDay('2026-11-23', { 'cback.stage': '' });
      expect(await area.resolveDay('2026-11-23')).toEqual({ day: '2026-11-23', path: dir, exists: true });
      expect(await area.resolveDay('2026-11-24')).toEqual({
        day: '2026-11-24',
        path: join(root, '2026', '11', '24'),
        exists: false,
      });
    });

    it('reports a day symlinked outside the staging root as such, reads nothing in it, and refuses to mark it', async () => {
      const outside = join(base, 'elsewhere');
      await mkdir(outside);
      await writeFile(join(outside, 'secret'), 'not backup data');
      await writeFile(join(outside, 'cback.stage'), '');
      await mkdir(join(root, '2026', '11'), { recursive: true });
      await symlink(outside, join(root, '2026', '11', '23'));

      expect(await area.inspect(['2026-11-23'])).toEqual([
        { day: '2026-11-23', exists: true, staged: false, stored: false, bytes: 0, escapesTo: outside },
      ]);
      await expect(area.markStored(['2026-11-23'])).rejects.toMatchObject({
        code: 'NO_STAGING_DIRECTORY',
        message: expect.stringContaining(`2026-11-23 is a symlink to ${outside}, outside the staging root`),
      });
      await expect(area.existingDays(['2026-11-23'])).rejects.toMatchObject({
        message: expect.stringContaining('followDaySymlinks: true'),
      });
      expect((await readdir(outside)).sort()).toEqual(['cback.stage', 'secret']);
    });

    // The case: today a plain staged day, tomorrow a symlink out of the root. Cedar Backup
    // store.py tries `todayPath` first and writes it; one odd day must not fail the whole inspect.
    it('inspects the other days as usual when one of them is symlinked out of the root', async () => {
      const outside = join(base, 'elsewhere');
      await mkdir(outside);
      await stageDay('2025-07-26', { 'cback.stage': '', 'a.txt': 'abc' });
      await symlink(outside, join(root, '2025', '07', '27'));
      expect(await area.inspect(['2025-07-26', '2025-07-25', '2025-07-27'])).toEqual([
        { day: '2025-07-26', exists: true, staged: true, stored: false, bytes: 3, shape: shape(2, 0, 16, 1) },
        { day: '2025-07-25', exists: false, staged: false, stored: false, bytes: 0 },
        { day: '2025-07-27', exists: true, staged: false, stored: false, bytes: 0, escapesTo: outside },
      ]);
      expect(await area.markStored(['2025-07-26'])).toEqual(['2025-07-26']);
    });

    it('reports a year directory symlinked outside the staging root for each day under it', async () => {
      const outside = join(base, 'other-year');
      await mkdir(join(outside, '11', '23'), { recursive: true });
      await symlink(outside, join(root, '2026'));
      expect(await area.resolveDay('2026-11-23')).toMatchObject({
        exists: true,
        escapesTo: join(outside, '11', '23'),
      });
    });

    // Cedar Backup follows the link (`os.path.isdir(todayPath)`), reads the day there and writes its
    // indicator there (`writeIndicatorFile(stagingDir, STORE_INDICATOR, ...)`): followDaySymlinks does the same.
    it('with followDaySymlinks, reads and marks the day where its link points', async () => {
      const outside = join(base, 'elsewhere');
      await mkdir(outside);
      await writeFile(join(outside, 'cback.stage'), '');
      await writeFile(join(outside, 'data'), '12345');
      await mkdir(join(root, '2026', '11'), { recursive: true });
      await symlink(outside, join(root, '2026', '11', '23'));
      const following = new FsStagingArea(root, null, undefined, true);

      expect(await following.inspect(['2026-11-23'])).toEqual([
        { day: '2026-11-23', exists: true, staged: true, stored: false, bytes: 5, shape: shape(2, 0, 15, 1) },
      ]);
      expect(await following.existingDays(['2026-11-23'])).toEqual([
        { day: '2026-11-23', path: outside, exists: true },
      ]);
      await following.markStored(['2026-11-23']);
      expect((await readdir(outside)).sort()).toEqual(['cback.stage', 'cback.store', 'data']);
    });

    it('accepts a day directory that is a symlink pointing inside the staging root', async () => {
      const real = join(root, 'spool', 'day-a');
      await mkdir(real, { recursive: true });
      await mkdir(join(root, '2026', '11'), { recursive: true });
      await symlink(real, join(root, '2026', '11', '23'));
      expect(await area.resolveDay('2026-11-23')).toEqual({ day: '2026-11-23', path: real, exists: true });
    });

    it('reports a day whose directory is a dangling symlink as not existing, like any missing day', async () => {
      await mkdir(join(root, '2026', '11'), { recursive: true });
      await symlink(join(root, 'spool', 'removed'), join(root, '2026', '11', '23'));
      await stageDay('2026-11-24', { 'cback.stage': '' });
      expect(await area.inspect(['2026-11-23', '2026-11-24'])).toEqual([
        { day: '2026-11-23', exists: false, staged: false, stored: false, bytes: 0 },
        { day: '2026-11-24', exists: true, staged: true, stored: false, bytes: 0, shape: shape(1, 0, 11, 0) },
      ]);
      await expect(area.markStored(['2026-11-23'])).rejects.toMatchObject({ code: 'NO_STAGING_DIRECTORY' });
    });

    it('works when the staging root itself is reached through a symlink', async () => {
      const dir = await stageDay('2026-11-23', {});
      const linkedRoot = join(base, 'stage-link');
      await symlink(root, linkedRoot);
      expect(await new FsStagingArea(linkedRoot).resolveDay('2026-11-23')).toMatchObject({ exists: true, path: dir });
    });
  });

  describe('inspect', () => {
    it('reports staged, stored and the bytes of backup data, in the order asked', async () => {
      const dir = await stageDay('2026-11-23', {
        'cback.stage': '',
        'cback.store': '',
        'cback.collect': 'some indicator text',
        'etc/hosts': '127.0.0.1 localhost\n', // 20 bytes
        'etc/cback.notes': 'nested, so data', // 15 bytes
        'home/user/file.bin': 'x'.repeat(1000),
      });
      await writeFile(join(base, 'big-outside'), 'y'.repeat(50_000));
      await symlink(join(base, 'big-outside'), join(dir, 'link-to-big'));
      await stageDay('2026-11-24', { 'cback.stage': '', 'a.txt': 'abc' });

      // The image bound's shape counts everything on the disc: indicators, directories, the link's target.
      const names = 'cback.stage cback.store cback.collect etc hosts cback.notes home user file.bin link-to-big';
      const nameBytes = names.replaceAll(' ', '').length + join(base, 'big-outside').length;
      expect(await area.inspect(['2026-11-24', '2026-11-23', '2026-11-25'])).toEqual([
        { day: '2026-11-24', exists: true, staged: true, stored: false, bytes: 3, shape: shape(2, 0, 16, 1) },
        {
          day: '2026-11-23',
          exists: true,
          staged: true,
          stored: true,
          bytes: 20 + 15 + 1000,
          shape: shape(7, 3, nameBytes, 4),
        },
        { day: '2026-11-25', exists: false, staged: false, stored: false, bytes: 0 },
      ]);
    });

    // Cedar Backup store.py reads every indicator with os.path.exists, e.g.
    // `not os.path.exists(todayStoreInd)`: any kind of file, through links; a dangling link does not exist.
    describe('reads indicators by existence, through links, as the reference does', () => {
      it('counts a cback.store that is a symlink to a file as stored', async () => {
        const dir = await stageDay('2026-11-23', { 'cback.stage': '' });
        await writeFile(join(base, 'stored-elsewhere'), '');
        await symlink(join(base, 'stored-elsewhere'), join(dir, 'cback.store'));
        expect((await area.inspect(['2026-11-23']))[0]).toMatchObject({ staged: true, stored: true });
      });

      it('does not count a dangling cback.store link', async () => {
        const dir = await stageDay('2026-11-23', { 'cback.stage': '' });
        await symlink(join(base, 'gone'), join(dir, 'cback.store'));
        expect((await area.inspect(['2026-11-23']))[0]).toMatchObject({ staged: true, stored: false });
      });

      it('counts an indicator of any kind, a directory too', async () => {
        const dir = await stageDay('2026-11-23', {});
        await mkdir(join(dir, 'cback.stage'));
        expect((await area.inspect(['2026-11-23']))[0]).toMatchObject({ exists: true, staged: true });
      });
    });
  });

  describe('markStored', () => {
    it('writes an empty cback.store and changes nothing else', async () => {
      const dir = await stageDay('2026-11-23', { 'cback.stage': '', 'etc/hosts': '127.0.0.1 localhost\n' });
      const before = await listTree(root);
      const hostsBefore = await stat(join(dir, 'etc', 'hosts'));

      expect(await area.markStored(['2026-11-23'])).toEqual(['2026-11-23']);

      expect(await listTree(root)).toEqual([...before, join('2026', '11', '23', 'cback.store')].sort());
      expect(await readFile(join(dir, 'cback.store'), 'utf8')).toBe('');
      const indicator = await lstat(join(dir, 'cback.store'));
      expect(indicator.isFile()).toBe(true);
      expect(indicator.mode & 0o777).toBe(0o644);
      expect((await stat(join(dir, 'etc', 'hosts'))).mtimeMs).toBe(hostsBefore.mtimeMs);
      expect((await area.inspect(['2026-11-23']))[0]).toMatchObject({ stored: true });
    });

    it('can mark a day stored again', async () => {
      await stageDay('2026-11-23', { 'cback.stage': '' });
      await area.markStored(['2026-11-23']);
      const before = await listTree(root);
      await area.markStored(['2026-11-23']);
      expect(await listTree(root)).toEqual(before);
    });

    it('never writes through a cback.store symlink planted in the day', async () => {
      const dir = await stageDay('2026-11-23', { 'cback.stage': '' });
      const outside = join(base, 'precious.conf');
      await writeFile(outside, 'keep me');
      await symlink(outside, join(dir, 'cback.store'));
      await expect(area.markStored(['2026-11-23'])).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
        message: expect.stringMatching(/not a regular file/),
      });
      expect(await readFile(outside, 'utf8')).toBe('keep me');
      expect((await lstat(join(dir, 'cback.store'))).isSymbolicLink()).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(['cback.stage', 'cback.store']);
    });

    it('refuses a missing day with NO_STAGING_DIRECTORY and marks none of the days asked', async () => {
      await stageDay('2026-11-23', { 'cback.stage': '' });
      const before = await listTree(root);
      await expect(area.markStored(['2026-11-23', '2026-11-24'])).rejects.toMatchObject({
        code: 'NO_STAGING_DIRECTORY',
        message: expect.stringContaining('2026-11-24'),
        details: { days: ['2026-11-24'] },
      });
      expect(await listTree(root)).toEqual(before);
    });

    // Only root may give a file away.
    it.skipIf(process.getuid?.() !== 0)('owns the indicator by the configured backup user and group', async () => {
      const owner = { uid: 34, gid: 24 };
      const dir = await stageDay('2026-11-23', {});
      await new FsStagingArea(root, owner).markStored(['2026-11-23']);
      const facts = await stat(join(dir, 'cback.store'));
      expect({ uid: facts.uid, gid: facts.gid }).toEqual(owner);
    });
  });
});
