// The domain's image bound (imageSizeUpperBound) from the staging inspect's shape of a day,
// against what xorriso measures for it (-print_size, as the virtual drive estimates a new
// disc): never below, on trees of every awkward kind.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageSizeUpperBound } from '@cedar-store/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualDrive } from '../backends.js';
import { MountTable } from '../media/mount-table.js';
import { ProgramRunner } from '../process/program-runner.js';
import { FsStagingArea } from '../staging/fs-staging-area.js';

type Tree = (root: string) => Promise<void>;

const files = async (dir: string, count: number, name: (i: number) => string, size: (i: number) => number) => {
  await mkdir(dir, { recursive: true });
  await Promise.all(Array.from({ length: count }, (_, i) => writeFile(join(dir, name(i)), Buffer.alloc(size(i), i))));
};

/** Each tree is a day of its own; the sizes stay small so the test runs in seconds. */
const TREES: Record<string, { day: string; make: Tree; within?: number }> = {
  'small files in nested directories': {
    day: '2026-11-02',
    make: async (root) => {
      for (let d = 0; d < 20; d++) {
        await files(
          join(root, `set-${d}`, `part-${d % 7}`),
          100,
          (i) => `file-${d * 100 + i}.dat`,
          (i) => 1 + ((i * 997) % 9000),
        );
      }
    },
    within: 0.15,
  },
  'a few large files': {
    day: '2026-11-03',
    make: (root) =>
      files(
        root,
        4,
        (i) => `large-${i}.bin`,
        () => 3 * 2 ** 20 + 5,
      ),
    within: 0.1,
  },
  'names of 200 bytes': {
    day: '2026-11-04',
    make: (root) =>
      files(
        root,
        300,
        (i) => `${'n'.repeat(195)}-${i}`,
        () => 1,
      ),
  },
  'names of multi-byte characters': {
    day: '2026-11-05',
    make: (root) =>
      files(
        root,
        300,
        (i) => `${'é'.repeat(60)}€-${i}`,
        () => 1,
      ),
  },
  'a tree 30 directories deep': {
    day: '2026-11-06',
    make: async (root) => {
      let dir = root;
      for (let depth = 0; depth < 30; depth++) {
        dir = join(dir, `level-${depth}-${'d'.repeat(40)}`);
        await files(
          dir,
          2,
          (i) => `f${i}.txt`,
          () => 10,
        );
      }
    },
  },
  'a directory per file, and empty directories': {
    day: '2026-11-07',
    make: async (root) => {
      for (let i = 0; i < 500; i++)
        await files(
          join(root, `d${i}`),
          1,
          () => 'f',
          () => 1,
        );
      for (let i = 0; i < 500; i++) await mkdir(join(root, `empty-${i}`, 'inner'), { recursive: true });
    },
  },
  'empty files and symbolic links with long targets': {
    day: '2026-11-08',
    make: async (root) => {
      await files(
        root,
        1000,
        (i) => `empty-${i}`,
        () => 0,
      );
      for (let i = 0; i < 300; i++) await symlink(`/elsewhere/${'t'.repeat(150)}/${i}`, join(root, `link-${i}`));
    },
  },
};

describe('the image bound against xorriso -print_size', { timeout: 120_000 }, () => {
  let base: string;
  let drive: VirtualDrive;
  let staging: FsStagingArea;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-image-bound-'));
    await mkdir(join(base, 'work'), { recursive: true });
    staging = new FsStagingArea(join(base, 'stage'));
    for (const { day, make } of Object.values(TREES)) {
      const root = join(base, 'stage', ...day.split('-'));
      await make(root);
      await writeFile(join(root, 'cback.stage'), '');
    }
    drive = new VirtualDrive(
      {
        id: 'v0',
        backend: 'virtual',
        path: join(base, 'media', 'disc.iso'),
        mediaType: 'bd-re',
        noEject: false,
        ejectDelay: 0,
        refreshMediaDelay: 0,
        mountMethod: 'direct',
      },
      { staging, workingDir: join(base, 'work'), runner: new ProgramRunner(), mountTable: new MountTable() },
    );
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  for (const [name, { day, within }] of Object.entries(TREES)) {
    it(`is never below the image of ${name}`, async () => {
      const [info] = await staging.inspect([day]);
      const bound = imageSizeUpperBound([info!.shape!]);
      const { bytes } = await drive.estimate({ days: [day], newDisc: true });
      expect(bound).toBeGreaterThanOrEqual(bytes);
      if (within !== undefined) expect(bound).toBeLessThanOrEqual(bytes * (1 + within));
    });
  }

  it('is never below the image of all of them in one session', async () => {
    const days = Object.values(TREES).map((tree) => tree.day);
    const shapes = (await staging.inspect(days)).map((info) => info.shape!);
    const { bytes } = await drive.estimate({ days, newDisc: true });
    expect(imageSizeUpperBound(shapes)).toBeGreaterThanOrEqual(bytes);
  });
});
