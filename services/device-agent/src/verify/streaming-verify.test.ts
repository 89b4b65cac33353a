// The verify as a merge of two sorted streams: on a real xorriso image whose names sort
// differently by whole path than by tree (`a/x-1` and `a/x/1`, `a b` and `a/…`, multi-byte
// UTF-8), every kind of mismatch named at its path, the named list bounded, and a listing out of
// order stopping the check instead of pairing the wrong files.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VerifyFailedError } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgramRunner, type ProgramResult, type RunOptions } from '../process/program-runner.js';
import { FileWorkers } from '../files/file-workers.js';
import { compareDays } from './compare-day.js';
import { compareDaysDirect } from './direct-verify.js';
import { mergeTrees, TreeOrderError } from './tree-merge.js';

const DAY = '2026-01-02';
const GRAFT = '2026/01/02';

const hasXorriso = (() => {
  try {
    execFileSync('xorriso', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Names whose order by whole path differs from the tree's, and names of several UTF-8 bytes. */
const TRICKY_FILES = [
  'a/1',
  'a/x/1',
  'a/x-1',
  'a/x.1',
  'a/x0',
  'a b/1',
  'a-b/1',
  'a.b/1',
  'a0/1',
  'ab/1',
  'a!',
  'a-',
  'a~',
  '-dash',
  '.hidden',
  'Z/1',
  'z/1',
  'é/1',
  'ü/1',
  '€/1',
  '\u{1F600}/1',
  '\uFB00',
  '\u{1D11E}',
];

let dir: string;
let staging: string;
let workers: FileWorkers;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cedar-stream-'));
  staging = join(dir, 'staging', GRAFT);
  for (const [index, name] of TRICKY_FILES.entries()) {
    await mkdir(join(staging, name, '..'), { recursive: true });
    await writeFile(join(staging, name), `file ${index}: ${name}\n`);
  }
  await symlink('a', join(staging, 'link'));
  workers = new FileWorkers();
});

afterEach(async () => {
  await workers.close();
  await rm(dir, { recursive: true, force: true });
});

function writeImage(): string {
  const image = join(dir, 'disc.iso');
  execFileSync('xorriso', ['-outdev', `stdio:${image}`, '-map', staging, `/${GRAFT}`, '-commit'], { stdio: 'ignore' });
  return image;
}

/** Every kind of difference, made in staging after the disc was written. */
async function changeStaging(): Promise<void> {
  await unlink(join(staging, 'a/x-1')); // on the disc only: extra
  await writeFile(join(staging, 'a/x/2'), 'new\n'); // in staging only: missing
  await writeFile(join(staging, 'a b/1'), 'FILE 5: a b/1\n'); // same size, other bytes: content
  await writeFile(join(staging, '€/1'), 'longer than it was on the disc\n'); // other size: content
  await unlink(join(staging, 'a!'));
  await mkdir(join(staging, 'a!')); // a directory where the disc has a file: content
  await unlink(join(staging, 'link'));
  await symlink('z', join(staging, 'link')); // another target: content
}

const CHANGED = [
  { path: `${GRAFT}/a/x/2`, kind: 'missing' },
  { path: `${GRAFT}/a/x-1`, kind: 'extra' },
  { path: `${GRAFT}/a b/1`, kind: 'content' },
  { path: `${GRAFT}/a!`, kind: 'content' },
  { path: `${GRAFT}/link`, kind: 'content' },
  { path: `${GRAFT}/€/1`, kind: 'content' },
];

describe.skipIf(!hasXorriso)('the direct verify on a real xorriso image', () => {
  it('pairs every file of tricky names with its twin and finds the disc the same', async () => {
    const image = writeImage();
    const result = await compareDaysDirect(
      new ProgramRunner(),
      { source: image, isImageFile: true, workingDir: dir },
      [{ day: DAY, stagingPath: staging }],
      { workers },
    );
    expect(result.mismatches).toEqual([]);
    expect(result.filesCompared).toBe(TRICKY_FILES.length);
  });

  it('finds an empty file on the disc, known by its extents alone', async () => {
    await writeFile(join(staging, 'a/empty'), '');
    const image = writeImage();
    const direct = () =>
      compareDaysDirect(
        new ProgramRunner(),
        { source: image, isImageFile: true, workingDir: dir },
        [{ day: DAY, stagingPath: staging }],
        { workers },
      );
    expect(await direct()).toMatchObject({ filesCompared: TRICKY_FILES.length + 1, mismatches: [] });
    await unlink(join(staging, 'a/empty'));
    expect((await direct()).mismatches).toEqual([{ path: `${GRAFT}/a/empty`, kind: 'extra' }]);
  });

  it('names each kind of mismatch at its path, in tree order', async () => {
    const image = writeImage();
    await changeStaging();
    const result = await compareDaysDirect(
      new ProgramRunner(),
      { source: image, isImageFile: true, workingDir: dir },
      [{ day: DAY, stagingPath: staging }],
      { workers },
    );
    expect(result.mismatches).toEqual(CHANGED);
  });
});

describe('the mount verify as a merge of two walks', () => {
  it('names each kind of mismatch at its path, in tree order', async () => {
    const media = join(dir, 'media');
    await cp(join(dir, 'staging'), media, { recursive: true, verbatimSymlinks: true });
    await changeStaging();
    const result = await compareDays([{ day: DAY, stagingPath: staging }], media, { workers });
    expect(result.mismatches).toEqual(CHANGED);
  });

  it('names the first thousand mismatches and counts them all', async () => {
    const many = join(dir, 'many', GRAFT);
    await mkdir(many, { recursive: true });
    for (let i = 0; i < 1005; i++) await writeFile(join(many, `f${String(i).padStart(4, '0')}`), '');
    let counted = 0;
    const result = await compareDays([{ day: DAY, stagingPath: many }], join(dir, 'empty'), {
      workers,
      onMismatchCount: (count) => (counted = count),
    });
    expect(result.mismatches).toHaveLength(1000);
    expect(result.mismatches[0]).toEqual({ path: `${GRAFT}/f0000`, kind: 'missing' });
    expect(counted).toBe(1005);
  });
});

async function* batches<T>(...lists: T[][]): AsyncGenerator<T[]> {
  for (const list of lists) yield list;
}

describe('mergeTrees', () => {
  it('pairs paths of both sides in tree order', async () => {
    const merged = [];
    for await (const batch of mergeTrees(
      batches([{ path: 'a' }, { path: 'a/x' }], [{ path: 'a b' }]),
      batches([{ path: 'a' }, { path: 'a-b' }]),
      2,
    )) {
      merged.push(...batch.map(({ path, expected, actual }) => [path, Boolean(expected), Boolean(actual)]));
    }
    expect(merged).toEqual([
      ['a', true, true],
      ['a/x', true, false],
      ['a b', true, false],
      ['a-b', false, true],
    ]);
  });

  it('stops on a stream out of tree order instead of pairing the wrong files', async () => {
    // Sorted by whole path ('-' < '/'), not by tree: the disc's listing would never pair.
    const merging = async () => {
      for await (const _batch of mergeTrees(
        batches([{ path: 'a-b' }, { path: 'a/x' }]),
        batches([{ path: 'a/x' }, { path: 'a-b' }]),
      ));
    };
    await expect(merging()).rejects.toBeInstanceOf(TreeOrderError);
    await expect(merging()).rejects.toThrow(/staging listing came out of order \('a\/x' after 'a-b'\)/);
  });
});

describe('the direct verify on a listing whose two passes disagree', () => {
  it('fails with VERIFY_FAILED rather than give a file another file’s extents', async () => {
    await writeFile(join(staging, 'a/2'), 'x');
    const lines = [
      `-rw-r--r--    1 0        0               6 Jan  2 10:00 '/${GRAFT}/a/1'`,
      `-rw-r--r--    1 0        0               1 Jan  2 10:00 '/${GRAFT}/a/2'`,
      `File data lba:  0 ,       60 ,        1 ,        1 , '/${GRAFT}/a/2'`,
      `File data lba:  0 ,       59 ,        1 ,        6 , '/${GRAFT}/a/1'`,
    ];
    const runner = {
      run: async (_tool: string, _args: readonly string[], run: RunOptions = {}): Promise<ProgramResult> => {
        for (const line of lines) run.onLine?.(line, 'stdout');
        return { exitCode: 0, stdout: '', stderr: '', command: 'xorriso' };
      },
    } as unknown as ProgramRunner;
    const verify = compareDaysDirect(
      runner,
      { source: join(dir, 'none.iso'), isImageFile: true, workingDir: dir },
      [{ day: DAY, stagingPath: staging }],
      { workers, openMedia: async () => ({ fd: -1, close: async () => {} }) as never },
    );
    await expect(verify).rejects.toBeInstanceOf(VerifyFailedError);
    await expect(verify).rejects.toThrow(/two passes over the disc disagree|against the order/);
  });
});
