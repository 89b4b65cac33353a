import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIndicatorName } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataBytes, dayFacts, directoryTimes, type DayShape } from './day-facts.js';
import { NODE_FILE_SYSTEM, type SyncFileSystem } from './sync-fs.js';

const eio = (what: string) => Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' });

describe('day facts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'day-facts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
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
});
