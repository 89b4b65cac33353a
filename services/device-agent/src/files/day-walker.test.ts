import { createHash } from 'node:crypto';
import { openSync, readdirSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DayWalker, listDay } from './day-walker.js';
import { FileComparer } from './file-comparer.js';
import { NODE_FILE_SYSTEM, type SyncFileSystem } from './sync-fs.js';

const eio = (what: string) => Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' });

describe('day walker', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'day-walker-'));
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
});
