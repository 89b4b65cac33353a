import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { isIndicatorName } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  childPath,
  dataBytes,
  dayFacts,
  DayWalker,
  directoryTimes,
  FileComparer,
  listDay,
  NODE_FILE_SYSTEM,
  type DayShape,
  type SyncFileSystem,
} from './file-work.js';

const eio = (what: string) => Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' });

describe('file work', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-work-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('listDay', () => {
    it('lists files with their sizes, directories, and symlinks with their targets, relative to the graft point', async () => {
      await mkdir(join(dir, 'etc', 'deep'), { recursive: true });
      await writeFile(join(dir, 'etc', 'hosts'), '127.0.0.1 localhost\n');
      await writeFile(join(dir, 'etc', 'deep', 'empty'), '');
      await symlink('../nowhere', join(dir, 'etc', 'link'));
      const listing = listDay(dir, '2026/11/26');
      if (!('files' in listing)) throw new Error('expected a listing');
      const byPath = Object.fromEntries(listing.files.map(({ path, ...facts }) => [path, facts]));
      expect(byPath).toEqual({
        '2026/11/26/etc': { kind: 'directory', size: 0, absolutePath: join(dir, 'etc') },
        '2026/11/26/etc/hosts': { kind: 'file', size: 20, absolutePath: join(dir, 'etc', 'hosts') },
        '2026/11/26/etc/deep': { kind: 'directory', size: 0, absolutePath: join(dir, 'etc', 'deep') },
        '2026/11/26/etc/deep/empty': { kind: 'file', size: 0, absolutePath: join(dir, 'etc', 'deep', 'empty') },
        '2026/11/26/etc/link': {
          kind: 'symlink',
          size: 0,
          target: '../nowhere',
          absolutePath: join(dir, 'etc', 'link'),
        },
      });
    });

    it('stops at a directory it cannot read, naming it and the error', async () => {
      await mkdir(join(dir, 'etc'));
      const failing: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        readdirSync: ((path: string, options: never) => {
          if (path === join(dir, 'etc')) throw eio('scandir');
          return readdirSync(path, options);
        }) as SyncFileSystem['readdirSync'],
      };
      expect(listDay(dir, '2026/11/26', failing)).toEqual({
        unreadable: { path: join(dir, 'etc'), error: { code: 'EIO', message: 'EIO: i/o error, scandir' } },
      });
    });
  });

  describe('listDay on a mounted disc (keepGoing)', () => {
    it('marks a directory it cannot list and goes on with the rest, listing nothing under it', async () => {
      await mkdir(join(dir, 'etc'));
      await mkdir(join(dir, 'var'));
      await writeFile(join(dir, 'etc', 'hosts'), 'x');
      await writeFile(join(dir, 'var', 'log'), 'yy');
      const failing: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        readdirSync: ((path: string, options: never) => {
          if (path === join(dir, 'etc')) throw eio('scandir');
          return readdirSync(path, options);
        }) as SyncFileSystem['readdirSync'],
      };
      const listing = listDay(dir, '2026/11/26', failing, true);
      if (!('files' in listing)) throw new Error('expected a listing');
      expect(listing.files.map(({ path, contentDiffers }) => [path, contentDiffers ?? false]).sort()).toEqual([
        ['2026/11/26/etc', true],
        ['2026/11/26/var', false],
        ['2026/11/26/var/log', false],
      ]);
    });
  });

  describe('dataBytes', () => {
    it('leaves out at the top of a day exactly the names the domain calls indicators', async () => {
      const names = ['cback.stage', 'cback.store', 'cback.', 'cback', 'Cback.store', 'xcback.store', 'cback.anything'];
      for (const [index, name] of names.entries()) await writeFile(join(dir, name), 'x'.repeat(2 ** index));
      const expected = names.reduce((sum, name, index) => sum + (isIndicatorName(name) ? 0 : 2 ** index), 0);
      expect(dataBytes(dir)).toBe(expected);
    });

    it('sums regular files, leaving out the day’s own indicators but not a nested file of that name', async () => {
      await mkdir(join(dir, 'etc'));
      await writeFile(join(dir, 'cback.stage'), '');
      await writeFile(join(dir, 'cback.store'), 'stored');
      await writeFile(join(dir, 'etc', 'cback.notes'), 'nested, so data');
      await writeFile(join(dir, 'etc', 'hosts'), '127.0.0.1 localhost\n');
      await symlink('hosts', join(dir, 'etc', 'link'));
      expect(dataBytes(dir)).toBe(15 + 20);
    });
  });

  describe('dayFacts in parts', () => {
    type Facts = { bytes: number; shape: DayShape };
    const sum = (facts: Facts[]): Facts =>
      facts.reduce(
        (total, { bytes, shape }) => ({
          bytes: total.bytes + bytes,
          shape: {
            files: total.shape.files + shape.files,
            directories: total.shape.directories + shape.directories,
            nameBytes: total.shape.nameBytes + shape.nameBytes,
            dataSectors: total.shape.dataSectors + shape.dataSectors,
          },
        }),
        { bytes: 0, shape: { files: 0, directories: 0, nameBytes: 0, dataSectors: 0 } },
      );
    const parts = (root: string, of: number, fs = NODE_FILE_SYSTEM) =>
      Array.from({ length: of }, (_, index) => dayFacts(root, fs, { index, of }));

    /** A tree from `seed`: files of 0–5000 bytes, links (to files, directories, nowhere), empty and nested directories. */
    async function generate(root: string, seed: number, topDirectories: number): Promise<void> {
      let state = seed;
      const random = (below: number) => {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        return Math.floor(state / 2 ** 16) % below;
      };
      const fill = async (at: string, depth: number, directories: number): Promise<void> => {
        await mkdir(at, { recursive: true });
        for (let n = random(5); n > 0; n -= 1) {
          const name = random(4) === 0 ? `cback.${n}` : `f${n}-\u00e9`;
          await writeFile(join(at, name), 'x'.repeat(random(5000)));
        }
        if (random(3) === 0) await symlink(random(2) === 0 ? '.' : '../nowhere', join(at, `l${depth}`));
        for (let n = 0; n < directories; n += 1) {
          await fill(join(at, `d${n}`), depth + 1, depth < 3 ? random(4) : 0);
        }
      };
      await fill(root, 0, topDirectories);
    }

    it('add up to the whole day, for every number of parts, on trees of every kind', async () => {
      const trees: [string, (root: string) => Promise<void>][] = [
        ['empty', async () => {}],
        [
          'files and links only, indicators among them',
          async (root) => {
            await writeFile(join(root, 'cback.stage'), 'indicator');
            await writeFile(join(root, 'data'), 'x'.repeat(3000));
            await symlink('data', join(root, 'link'));
          },
        ],
        [
          'one directory only, nested',
          async (root) => {
            await mkdir(join(root, 'only', 'deeper', 'deepest'), { recursive: true });
            await writeFile(join(root, 'only', 'cback.store'), 'nested, so data');
            await writeFile(join(root, 'only', 'deeper', 'deepest', 'f'), 'x'.repeat(5000));
          },
        ],
        [
          'empty directories, a link to a directory, indicators at the top and deeper',
          async (root) => {
            for (const name of ['a', 'b', 'c/d', 'e']) await mkdir(join(root, name), { recursive: true });
            await writeFile(join(root, 'cback.stage'), '');
            await writeFile(join(root, 'cback.store'), 'stored');
            await writeFile(join(root, 'c', 'cback.notes'), 'nested');
            await writeFile(join(root, 'c', 'd', 'f'), 'x'.repeat(2049));
            await symlink('c', join(root, 'link-to-c'));
            await writeFile(join(root, 'top'), 'x');
          },
        ],
        ['generated, 7 top directories', (root) => generate(root, 7, 7)],
        ['generated, 2 top directories', (root) => generate(root, 11, 2)],
        ['generated, 12 top directories', (root) => generate(root, 2026, 12)],
      ];
      for (const [name, build] of trees) {
        const root = join(dir, name);
        await mkdir(root);
        await build(root);
        const whole = dayFacts(root);
        for (const of of [1, 2, 3, 5]) expect(sum(parts(root, of)), `${name}, in ${of} parts`).toEqual(whole);
      }
      // The generated trees hold something, and two parts share their directories.
      const generated = join(dir, 'generated, 12 top directories');
      expect(dayFacts(generated).shape.directories).toBeGreaterThan(12);
      const [first, second] = parts(generated, 2);
      expect(first!.shape.directories).toBeGreaterThan(6);
      expect(second!.shape.directories).toBeGreaterThan(0);
    });

    it('count the top of the day in part 0 only, and split its directories by their order', async () => {
      for (const name of ['b', 'a', 'c']) {
        await mkdir(join(dir, name, 'inner'), { recursive: true });
        await writeFile(join(dir, name, 'inner', 'f'), name === 'b' ? 'bb' : 'x');
      }
      await writeFile(join(dir, 'top'), 'top');
      const [first, second] = parts(dir, 2);
      // Part 0: the top (a, b, c, top) and a/inner, c/inner; part 1: b/inner.
      expect(first).toEqual({
        bytes: 3 + 1 + 1,
        shape: { files: 3, directories: 5, nameBytes: 1 + 1 + 1 + 3 + 5 + 1 + 5 + 1, dataSectors: 3 },
      });
      expect(second).toEqual({ bytes: 2, shape: { files: 1, directories: 1, nameBytes: 5 + 1, dataSectors: 1 } });
    });

    it('fail in the part that holds a directory it cannot read, as the whole walk does', async () => {
      for (const name of ['a', 'b/deep']) await mkdir(join(dir, name), { recursive: true });
      const failing: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        readdirSync: ((path: string, options: never) => {
          if (path === join(dir, 'b', 'deep')) throw eio('scandir');
          return readdirSync(path, options);
        }) as SyncFileSystem['readdirSync'],
      };
      expect(() => dayFacts(dir, failing)).toThrow('EIO: i/o error, scandir');
      expect(dayFacts(dir, failing, { index: 0, of: 2 }).shape.directories).toBe(2);
      expect(() => dayFacts(dir, failing, { index: 1, of: 2 })).toThrow('EIO: i/o error, scandir');
    });

    it('refuses a part that is none', () => {
      for (const part of [
        { index: 2, of: 2 },
        { index: -1, of: 2 },
        { index: 0, of: 0 },
        { index: 0.5, of: 2 },
      ]) {
        expect(() => dayFacts(dir, NODE_FILE_SYSTEM, part)).toThrow(`no part ${part.index} of ${part.of} of a day`);
      }
    });
  });

  describe('directoryTimes', () => {
    it('has one time per directory, and a file added deep in the tree changes them', async () => {
      await mkdir(join(dir, 'etc', 'deep'), { recursive: true });
      await writeFile(join(dir, 'etc', 'hosts'), 'x');
      const before = directoryTimes(dir);
      expect(before).toHaveLength(3);
      const past = new Date(Date.now() - 60_000);
      await utimes(join(dir, 'etc', 'deep'), past, past);
      const older = directoryTimes(dir);
      await writeFile(join(dir, 'etc', 'deep', 'new'), 'y');
      expect(directoryTimes(dir)).not.toEqual(older);
    });
  });

  it('names a directory entry as path.join does, for every normalized directory', () => {
    for (const dir of ['/', '/a', '/a/b/', 'rel', 'rel/x/', '.', './', '/a/./b/../c', '//x', 'a//b']) {
      for (const name of ['n', 'name with space', 'ü', '.hidden', '..x', '...']) {
        expect(childPath(normalize(dir), name), `${dir} + ${name}`).toBe(join(dir, name));
      }
    }
  });

  describe('FileComparer.hash', () => {
    it('hashes a file of any length against its chunk: empty, under, on and across the boundary', async () => {
      const comparer = new FileComparer(undefined, NODE_FILE_SYSTEM, 1000);
      for (const length of [0, 1, 999, 1000, 1001, 2000, 2500]) {
        const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 7 + length) % 251));
        await writeFile(join(dir, 'hashed'), bytes);
        let heard = 0;
        expect(
          comparer.hash(join(dir, 'hashed'), (b) => (heard += b)),
          `${length} bytes`,
        ).toEqual({
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: length,
        });
        expect(heard).toBe(length);
      }
    });

    it('reads a small file to its end in two reads, not three', async () => {
      await writeFile(join(dir, 'small'), 'x'.repeat(300));
      let reads = 0;
      const counting: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        readSync: ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
          reads += 1;
          return readSync(fd, buffer, offset, length, position);
        }) as SyncFileSystem['readSync'],
      };
      expect(new FileComparer(undefined, counting, 1000).hash(join(dir, 'small'))).toMatchObject({ size: 300 });
      expect(reads).toBe(2);
    });
  });

  describe('DayWalker hashing', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');

    it('hashes each regular file as it walks, in tree order, without an lstat, ending a batch past its bytes', async () => {
      await mkdir(join(dir, 'host', 'etc'), { recursive: true });
      await writeFile(join(dir, 'host', 'a'), 'a'.repeat(3000));
      await writeFile(join(dir, 'host', 'etc', 'b'), 'b'.repeat(10));
      await writeFile(join(dir, 'host', 'z'), 'z'.repeat(4000));
      await symlink('a', join(dir, 'host', 'link'));
      let lstats = 0;
      const counting: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        lstatSync: ((path: string) => {
          lstats += 1;
          return NODE_FILE_SYSTEM.lstatSync(path);
        }) as SyncFileSystem['lstatSync'],
      };
      let heard = 0;
      const hashing = {
        comparer: new FileComparer(undefined, counting, 1000),
        onBytes: (b: number) => (heard += b),
        maxBytes: 2500,
      };
      const walker = new DayWalker(dir, '2026/11/26', counting);
      const batches = [];
      for (;;) {
        const batch = walker.next(100, hashing);
        if ('unreadable' in batch) throw new Error('expected a batch');
        batches.push(batch.files.map(({ path, kind, size, sha256, target }) => ({ path, kind, size, sha256, target })));
        if (batch.done) break;
      }
      const file = (path: string, text: string) => ({
        path: `2026/11/26/host/${path}`,
        kind: 'file',
        size: text.length,
        sha256: sha(text),
        target: undefined,
      });
      // The first batch ends with the file that crossed 2 500 bytes; the link is listed, not followed.
      expect(batches).toEqual([
        [
          { path: '2026/11/26/host', kind: 'directory', size: 0, sha256: undefined, target: undefined },
          file('a', 'a'.repeat(3000)),
        ],
        [
          { path: '2026/11/26/host/etc', kind: 'directory', size: 0, sha256: undefined, target: undefined },
          file('etc/b', 'b'.repeat(10)),
          { path: '2026/11/26/host/link', kind: 'symlink', size: 0, sha256: undefined, target: 'a' },
          file('z', 'z'.repeat(4000)),
        ],
        [],
      ]);
      expect(heard).toBe(7010);
      expect(lstats).toBe(0);
    });

    it('ends the walk at a file it cannot read, naming the file and the error', async () => {
      await mkdir(join(dir, 'host'));
      await writeFile(join(dir, 'host', 'a'), 'a');
      await writeFile(join(dir, 'host', 'b'), 'b');
      let broken: number | undefined;
      const failing: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        openSync: ((path: string, flags: string) => {
          const fd = openSync(path, flags);
          if (path === join(dir, 'host', 'b')) broken = fd;
          return fd;
        }) as SyncFileSystem['openSync'],
        readSync: ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
          if (fd === broken) throw eio('read');
          return readSync(fd, buffer, offset, length, position);
        }) as SyncFileSystem['readSync'],
      };
      const walker = new DayWalker(dir, '2026/11/26', failing);
      expect(
        walker.next(100, { comparer: new FileComparer(undefined, failing, 1000), onBytes: () => {}, maxBytes: 1000 }),
      ).toEqual({
        unreadable: { path: join(dir, 'host', 'b'), error: { code: 'EIO', message: 'EIO: i/o error, read' } },
      });
    });
  });

  describe('FileComparer on a mounted disc (actualPath)', () => {
    const pair = async (expected: string | Buffer, actual: string | Buffer) => {
      await writeFile(join(dir, 'staged'), expected);
      await writeFile(join(dir, 'on-disc'), actual);
      const size = Buffer.byteLength(expected);
      return { expectedPath: join(dir, 'staged'), actualPath: join(dir, 'on-disc'), size };
    };

    it('finds the same bytes the same across chunks, and a file ending on a chunk boundary too', async () => {
      const comparer = new FileComparer(undefined, NODE_FILE_SYSTEM, 1000);
      let heard = 0;
      expect(comparer.compare(await pair('a'.repeat(2500), 'a'.repeat(2500)), (b) => (heard += b))).toBe('same');
      expect(heard).toBe(2500);
      expect(comparer.compare(await pair('b'.repeat(2000), 'b'.repeat(2000)))).toBe('same');
      expect(comparer.compare(await pair('', ''))).toBe('same');
    });

    it('finds the last byte changed, and a disc file shorter than listed, different', async () => {
      const comparer = new FileComparer(undefined, NODE_FILE_SYSTEM, 1000);
      expect(comparer.compare(await pair('a'.repeat(2500), `${'a'.repeat(2499)}b`))).toBe('differs');
      expect(comparer.compare(await pair('a'.repeat(2500), 'a'.repeat(2400)))).toBe('differs');
    });

    it('does not let a failing close (NFS ESTALE) of a file already compared end the check', async () => {
      const task = await pair('abc', 'abc');
      const staleClose: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        closeSync: (fd: number) => {
          closeSync(fd);
          throw Object.assign(new Error('ESTALE: stale file handle, close'), { code: 'ESTALE' });
        },
      };
      expect(new FileComparer(undefined, staleClose).compare(task)).toBe('same');
    });

    it('finds a disc file it cannot open or read different, leaving no file open', async () => {
      const task = await pair('abc', 'abc');
      const openBefore = readdirSync('/proc/self/fd').length;
      const cannotOpen: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        openSync: ((path: string, flags: string) => {
          if (path === task.actualPath) throw eio('open');
          return openSync(path, flags);
        }) as SyncFileSystem['openSync'],
      };
      expect(new FileComparer(undefined, cannotOpen).compare(task)).toBe('differs');
      let actualFd = -1;
      const cannotRead: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        openSync: ((path: string, flags: string) => {
          const fd = openSync(path, flags);
          if (path === task.actualPath) actualFd = fd;
          return fd;
        }) as SyncFileSystem['openSync'],
        readSync: ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
          if (fd === actualFd) throw eio('read');
          return readSync(fd, buffer, offset, length, position);
        }) as SyncFileSystem['readSync'],
      };
      expect(new FileComparer(undefined, cannotRead).compare(task)).toBe('differs');
      expect(readdirSync('/proc/self/fd').length).toBe(openBefore);
    });
  });

  describe('FileComparer', () => {
    const SECTOR = 2048;
    let image: string;
    let mediaFd: number;
    const content = Buffer.from('0123456789'.repeat(500)); // 5 000 bytes: three sectors

    /** The file laid out in two extents: sectors 4–5 and then sector 9 (as a file over 4 GiB is split). */
    const extents = [
      { byteOffset: 4 * SECTOR, bytes: 2 * SECTOR },
      { byteOffset: 9 * SECTOR, bytes: SECTOR },
    ];

    beforeEach(async () => {
      image = join(dir, 'disc.iso');
      const disc = Buffer.alloc(12 * SECTOR, 0xee);
      content.copy(disc, 4 * SECTOR, 0, 2 * SECTOR);
      content.copy(disc, 9 * SECTOR, 2 * SECTOR);
      await writeFile(image, disc);
      mediaFd = openSync(image, 'r');
    });
    afterEach(() => closeSync(mediaFd));

    const task = (expectedPath: string, size = content.length) => ({ expectedPath, size, extents });

    it('finds a file the same across its extents, in chunks smaller than the file, and counts its bytes', async () => {
      await writeFile(join(dir, 'a'), content);
      const heard: number[] = [];
      expect(
        new FileComparer(mediaFd, NODE_FILE_SYSTEM, 1500).compare(task(join(dir, 'a')), (b) => heard.push(b)),
      ).toBe('same');
      expect(heard.reduce((sum, bytes) => sum + bytes, 0)).toBe(content.length);
    });

    it('finds a byte changed in the second extent', async () => {
      const changed = Buffer.from(content);
      changed[4500] = 0x41;
      await writeFile(join(dir, 'a'), changed);
      expect(new FileComparer(mediaFd).compare(task(join(dir, 'a')))).toBe('differs');
    });

    it('finds a staging file that grew or shrank since it was listed', async () => {
      await writeFile(join(dir, 'longer'), Buffer.concat([content, Buffer.from('x')]));
      await writeFile(join(dir, 'shorter'), content.subarray(0, 4000));
      const comparer = new FileComparer(mediaFd);
      expect(comparer.compare(task(join(dir, 'longer')))).toBe('differs');
      expect(comparer.compare(task(join(dir, 'shorter')))).toBe('differs');
    });

    it('finds a disc sector that cannot be read different, and a staging file that cannot be read unreadable', async () => {
      await writeFile(join(dir, 'a'), content);
      const badDisc: SyncFileSystem = {
        ...NODE_FILE_SYSTEM,
        readSync: ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
          if (fd === mediaFd && position === 9 * SECTOR) throw eio('read');
          return readSync(fd, buffer, offset, length, position);
        }) as SyncFileSystem['readSync'],
      };
      expect(new FileComparer(mediaFd, badDisc).compare(task(join(dir, 'a')))).toBe('differs');
      expect(new FileComparer(mediaFd).compare(task(join(dir, 'missing')))).toEqual({
        unreadable: { code: 'ENOENT', message: expect.stringContaining('ENOENT') },
      });
    });
  });
});
