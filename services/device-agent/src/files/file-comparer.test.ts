import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileComparer } from './file-comparer.js';
import { NODE_FILE_SYSTEM, type SyncFileSystem } from './sync-fs.js';

const eio = (what: string) => Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' });

describe('file comparer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-comparer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
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
