import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { VerifyFailedError } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_FILE_SYSTEM, type SyncFileSystem } from '../files/sync-fs.js';
import { FileWorkers } from '../files/file-workers.js';
import { compareDays } from './compare-day.js';

const MIB = 1024 * 1024;

function ioError(code: 'EIO' | 'EACCES', syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: failed, ${syscall} '${path}'`), { code, syscall, path });
}

/**
 * The real file system except where `rules` say: fail the open of a file, fail every read of it
 * with EIO, or fail the listing of a directory. Counts the open attempts and the files still open.
 */
function fileSystem(rules: Record<string, 'open-EIO' | 'open-EACCES' | 'read-EIO' | 'list-EIO' | 'list-EACCES'>) {
  const counts = { attempts: 0, open: 0 };
  const failingReads = new Set<number>();
  const fs: SyncFileSystem = {
    ...NODE_FILE_SYSTEM,
    openSync: ((path: string, flags: string) => {
      counts.attempts++;
      const rule = rules[path];
      if (rule === 'open-EIO') throw ioError('EIO', 'open', path);
      if (rule === 'open-EACCES') throw ioError('EACCES', 'open', path);
      const fd = openSync(path, flags);
      counts.open++;
      if (rule === 'read-EIO') failingReads.add(fd);
      return fd;
    }) as SyncFileSystem['openSync'],
    readSync: ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
      if (failingReads.has(fd)) throw ioError('EIO', 'read', String(fd));
      return readSync(fd, buffer, offset, length, position);
    }) as SyncFileSystem['readSync'],
    closeSync: (fd: number) => {
      failingReads.delete(fd);
      closeSync(fd);
      counts.open--;
    },
    readdirSync: ((path: string, options: never) => {
      const rule = rules[path];
      if (rule === 'list-EIO') throw ioError('EIO', 'scandir', path);
      if (rule === 'list-EACCES') throw ioError('EACCES', 'scandir', path);
      return readdirSync(path, options);
    }) as SyncFileSystem['readdirSync'],
  };
  return { counts, workers: new FileWorkers({ inlineFileSystem: fs }) };
}

/** 3 MiB of varied bytes: bigger than one compare chunk. */
function bigContent(): Buffer {
  const buffer = Buffer.alloc(3 * MIB);
  for (let i = 0; i < buffer.length; i++) buffer[i] = (i * 31 + 7) & 0xff;
  return buffer;
}

describe('compareDays', () => {
  let base: string;
  let stage: string;
  let mount: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-verify-'));
    stage = join(base, 'stage');
    mount = join(base, 'mnt');
    await mkdir(stage);
    await mkdir(mount);
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  /** Writes `files` into the day's directory on the staging side and/or the media side. */
  async function put(side: 'stage' | 'media' | 'both', day: string, files: Record<string, string | Buffer>) {
    for (const root of side === 'both' ? [stage, mount] : side === 'stage' ? [stage] : [mount]) {
      for (const [name, content] of Object.entries(files)) {
        const path = join(root, ...day.split('-'), name);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, content);
      }
    }
  }

  const day = (stamp: string) => ({ day: stamp, stagingPath: join(stage, ...stamp.split('-')) });

  const DAY_FILES = {
    'cback.stage': '',
    'etc/hosts': '127.0.0.1 localhost\n', // 20 bytes
    'home/user/notes.txt': 'remember the milk', // 17 bytes
  };

  it('finds identical trees identical, counting the files and bytes compared', async () => {
    await put('both', '2026-11-23', { ...DAY_FILES, 'var/big.bin': bigContent() });
    await put('both', '2026-11-24', { 'cback.stage': '', 'a.txt': 'abc' });

    const result = await compareDays([day('2026-11-23'), day('2026-11-24')], mount);
    expect(result).toEqual({ filesCompared: 6, bytesCompared: 20 + 17 + 3 * MIB + 3, mismatches: [] });
  });

  it('finds one byte changed in the second chunk of a 3 MiB file', async () => {
    const changed = bigContent();
    changed[MIB + 12345] = changed[MIB + 12345]! ^ 0xff;
    await put('stage', '2026-11-23', { ...DAY_FILES, 'var/big.bin': bigContent() });
    await put('media', '2026-11-23', { ...DAY_FILES, 'var/big.bin': changed });

    const result = await compareDays([day('2026-11-23')], mount);
    expect(result.mismatches).toEqual([{ path: '2026/11/23/var/big.bin', kind: 'content' }]);
    expect(result.filesCompared).toBe(4);
  });

  it('finds a file of the same size with different content', async () => {
    await put('stage', '2026-11-23', { ...DAY_FILES, 'etc/passwd': 'root:x:0:0' });
    await put('media', '2026-11-23', { ...DAY_FILES, 'etc/passwd': 'root:y:0:0' });
    const result = await compareDays([day('2026-11-23')], mount);
    expect(result.mismatches).toEqual([{ path: '2026/11/23/etc/passwd', kind: 'content' }]);
  });

  it('finds a file of a different size', async () => {
    await put('stage', '2026-11-23', { ...DAY_FILES, 'etc/passwd': 'root:x:0:0' });
    await put('media', '2026-11-23', { ...DAY_FILES, 'etc/passwd': 'root:x:0:0\n' });
    const result = await compareDays([day('2026-11-23')], mount);
    expect(result.mismatches).toEqual([{ path: '2026/11/23/etc/passwd', kind: 'content' }]);
  });

  it('finds a file only in staging missing and a file only on the media extra', async () => {
    await put('both', '2026-11-23', DAY_FILES);
    await put('stage', '2026-11-23', { 'etc/only-staged': 'x' });
    await put('media', '2026-11-23', { 'etc/only-on-disc': 'y' });
    const result = await compareDays([day('2026-11-23')], mount);
    expect(result.mismatches).toEqual([
      { path: '2026/11/23/etc/only-on-disc', kind: 'extra' },
      { path: '2026/11/23/etc/only-staged', kind: 'missing' },
    ]);
  });

  it('ignores a cback.store present on one side only', async () => {
    await put('both', '2026-11-23', DAY_FILES);
    await put('stage', '2026-11-23', { 'cback.store': '' });
    await put('both', '2026-11-24', DAY_FILES);
    await put('media', '2026-11-24', { 'cback.store': '' });
    const result = await compareDays([day('2026-11-23'), day('2026-11-24')], mount);
    expect(result.mismatches).toEqual([]);
    expect(result.filesCompared).toBe(6);
  });

  it('finds a symlink whose target differs, and accepts one whose target matches', async () => {
    await put('both', '2026-11-23', DAY_FILES);
    const onStage = join(stage, '2026', '11', '23');
    const onMedia = join(mount, '2026', '11', '23');
    await symlink('hosts', join(onStage, 'etc', 'same'));
    await symlink('hosts', join(onMedia, 'etc', 'same'));
    await symlink('hosts', join(onStage, 'etc', 'moved'));
    await symlink('hosts.old', join(onMedia, 'etc', 'moved'));
    const result = await compareDays([day('2026-11-23')], mount);
    expect(result.mismatches).toEqual([{ path: '2026/11/23/etc/moved', kind: 'content' }]);
  });

  it('finds every file of a day missing when the day is not on the media at all', async () => {
    await put('both', '2026-11-23', DAY_FILES);
    await put('stage', '2026-11-24', DAY_FILES);
    const result = await compareDays([day('2026-11-23'), day('2026-11-24')], mount);
    const missing = result.mismatches.filter((m) => m.kind === 'missing').map((m) => m.path);
    for (const name of Object.keys(DAY_FILES)) expect(missing).toContain(`2026/11/24/${name}`);
    expect(result.mismatches.every((m) => m.kind === 'missing' && m.path.startsWith('2026/11/24/'))).toBe(true);
    expect(result.filesCompared).toBe(3);
  });

  it('reports progress that only grows and ends at the total', async () => {
    await put('both', '2026-11-23', { ...DAY_FILES, 'var/big.bin': bigContent(), 'var/big2.bin': bigContent() });
    const heard: Array<[number, number]> = [];
    const result = await compareDays([day('2026-11-23')], mount, {
      concurrency: 2,
      onBytes: (done, total) => heard.push([done, total]),
    });
    const total = 20 + 17 + 6 * MIB;
    expect(heard.length).toBeGreaterThan(2);
    expect(heard.every(([, t]) => t === total)).toBe(true);
    for (let i = 1; i < heard.length; i++) expect(heard[i]![0]).toBeGreaterThan(heard[i - 1]![0]);
    expect(heard.at(-1)).toEqual([total, total]);
    expect(result.bytesCompared).toBe(total);
  });

  it('walks staging once, its progress total from the same walk, and leaves no spool behind', async () => {
    await put('both', '2026-11-23', { ...DAY_FILES, 'var/big.bin': bigContent() });
    const stagingReads: string[] = [];
    const workers = new FileWorkers({
      inlineFileSystem: {
        ...NODE_FILE_SYSTEM,
        lstatSync: ((path: string) => {
          if (path.startsWith(stage)) stagingReads.push(path);
          return lstatSync(path);
        }) as SyncFileSystem['lstatSync'],
      },
    });
    const work = join(base, 'work');
    await mkdir(work);
    const heard: Array<[number, number]> = [];
    const result = await compareDays([day('2026-11-23')], mount, {
      workers,
      onBytes: (done, total) => heard.push([done, total]),
      workingDir: work,
    });
    expect(result).toMatchObject({ filesCompared: 4, mismatches: [] });
    expect(heard.at(-1)).toEqual([20 + 17 + 3 * MIB, 20 + 17 + 3 * MIB]);
    expect(stagingReads.sort()).toEqual(
      ['cback.stage', 'etc/hosts', 'home/user/notes.txt', 'var/big.bin'].map((name) => join(stage, '2026/11/23', name)),
    );
    expect(await readdir(work)).toEqual([]);
  });

  it('spools the staging listing in the working directory it is given', async () => {
    await put('both', '2026-11-23', DAY_FILES);
    const missing = join(base, 'no-such-work');
    await expect(compareDays([day('2026-11-23')], mount, { workingDir: missing })).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringContaining(`could not keep the staging listing in ${missing} (ENOENT)`),
      details: { path: missing },
    });
  });

  describe('when a file or directory cannot be read', () => {
    const onStage = (path: string) => join(stage, '2026', '11', '23', path);
    const onMedia = (path: string) => join(mount, '2026', '11', '23', path);

    it('finds a file the media cannot open or read different, and goes on with the rest', async () => {
      await put('both', '2026-11-23', { ...DAY_FILES, 'var/big.bin': bigContent() });
      const { counts, workers } = fileSystem({
        [onMedia('etc/hosts')]: 'open-EIO',
        [onMedia('var/big.bin')]: 'read-EIO',
      });
      const result = await compareDays([day('2026-11-23')], mount, { workers });
      expect(result.mismatches).toEqual([
        { path: '2026/11/23/etc/hosts', kind: 'content' },
        { path: '2026/11/23/var/big.bin', kind: 'content' },
      ]);
      expect(result.filesCompared).toBe(4);
      expect(counts.open).toBe(0);
    });

    it('finds the files of a directory the media cannot list missing, naming the directory', async () => {
      await put('both', '2026-11-23', DAY_FILES);
      const { workers } = fileSystem({ [onMedia('home')]: 'list-EIO' });
      const result = await compareDays([day('2026-11-23')], mount, { workers });
      expect(result.mismatches).toEqual([
        { path: '2026/11/23/home', kind: 'content' },
        { path: '2026/11/23/home/user', kind: 'missing' },
        { path: '2026/11/23/home/user/notes.txt', kind: 'missing' },
      ]);
    });

    it('stops with VERIFY_FAILED naming a staged file it cannot read, and what to check', async () => {
      await put('both', '2026-11-23', DAY_FILES);
      const { workers } = fileSystem({ [onStage('etc/hosts')]: 'read-EIO' });
      const failure = compareDays([day('2026-11-23')], mount, { workers });
      await expect(failure).rejects.toBeInstanceOf(VerifyFailedError);
      await expect(failure).rejects.toMatchObject({
        code: 'VERIFY_FAILED',
        message: expect.stringMatching(
          new RegExp(`^could not read ${onStage('etc/hosts')} in the staging directory \\(EIO\\).*permissions`),
        ),
        details: { path: onStage('etc/hosts'), code: 'EIO' },
      });
    });

    it('stops with VERIFY_FAILED naming a staging directory it cannot list', async () => {
      await put('both', '2026-11-23', DAY_FILES);
      const { workers } = fileSystem({ [onStage('etc')]: 'list-EACCES' });
      await expect(compareDays([day('2026-11-23')], mount, { workers })).rejects.toMatchObject({
        code: 'VERIFY_FAILED',
        message: expect.stringContaining(`could not read ${onStage('etc')} in the staging directory (EACCES)`),
      });
    });

    it('leaves nothing open on the mount when the staging side fails part-way', async () => {
      await put('both', '2026-11-23', { ...DAY_FILES, 'var/big.bin': bigContent() });
      const { counts, workers } = fileSystem({ [onStage('var/big.bin')]: 'read-EIO' });
      await expect(compareDays([day('2026-11-23')], mount, { concurrency: 4, workers })).rejects.toMatchObject({
        code: 'VERIFY_FAILED',
      });
      expect(counts.attempts).toBeGreaterThan(0);
      expect(counts.open).toBe(0);
    });

    it('starts no further comparison once the staging side has failed', async () => {
      await put('both', '2026-11-23', DAY_FILES);
      const { counts, workers } = fileSystem(
        Object.fromEntries(Object.keys(DAY_FILES).map((name) => [onStage(name), 'open-EACCES'] as const)),
      );
      await expect(compareDays([day('2026-11-23')], mount, { concurrency: 1, workers })).rejects.toMatchObject({
        code: 'VERIFY_FAILED',
      });
      expect(counts.attempts).toBe(1);
    });
  });

  it('finds nothing to compare in an empty day on both sides', async () => {
    await mkdir(join(stage, '2026', '11', '23'), { recursive: true });
    await mkdir(join(mount, '2026', '11', '23'), { recursive: true });
    expect(await compareDays([day('2026-11-23')], mount)).toEqual({
      filesCompared: 0,
      bytesCompared: 0,
      mismatches: [],
    });
  });
});
