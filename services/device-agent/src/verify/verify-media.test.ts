import { openSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ToolMissingError } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProgramResult, ProgramRunner, RunOptions } from '../process/program-runner.js';
import { NODE_FILE_SYSTEM, type SyncFileSystem } from '../files/sync-fs.js';
import { FileWorkers } from '../files/file-workers.js';
import { verifyMedia, type VerifySetting } from './verify-media.js';

const DAY = '2026-11-26';
const HELLO = 'hello from the 26th\n';
const OTHER = 'another file\n';

/**
 * A runner playing the programs: `mount` exits with `mountExit`, `xorriso` prints `listing`
 * (stdout lines, then stderr lines) or is missing, everything else succeeds. Calls are recorded.
 */
function fakeRunner(options: { mountExit?: number; listing?: { stdout: string[]; stderr?: string[] } | 'missing' }) {
  const calls: string[] = [];
  const runner = {
    run: async (tool: string, _args: readonly string[], run: RunOptions = {}): Promise<ProgramResult> => {
      calls.push(tool);
      if (tool === 'mount')
        return { exitCode: options.mountExit ?? 32, stdout: '', stderr: 'mount: denied', command: tool };
      if (tool === 'xorriso') {
        if (options.listing === 'missing') throw new ToolMissingError('xorriso is not installed');
        for (const line of options.listing?.stdout ?? []) run.onLine?.(line, 'stdout');
        for (const line of options.listing?.stderr ?? []) run.onLine?.(line, 'stderr');
        const failed = (options.listing?.stderr ?? []).some((line) => line.includes('FAILURE'));
        return { exitCode: failed ? 32 : 0, stdout: '', stderr: '', command: tool };
      }
      return { exitCode: 0, stdout: '', stderr: '', command: tool };
    },
  } as unknown as ProgramRunner;
  return { calls, runner };
}

const lsdl = (type: string, size: number, path: string) =>
  `${type}rw-r--r--    1 0        0        ${String(size).padStart(8)} Nov 26 10:43 '${path}'`;
const lba = (sector: number, size: number, path: string, extent = 0) =>
  `File data lba:  ${extent} , ${String(sector).padStart(8)} ,        1 , ${String(size).padStart(8)} , '${path}'`;

/**
 * The disc as xorriso lists it for the verify: the directories (`lsdl`), then each file by its
 * extents (`report_lba`): hello.txt at sector 40, sub/other.txt at sector 41.
 */
const LISTING = [
  lsdl('d', 0, '/2026/11/26'),
  lsdl('d', 0, '/2026/11/26/sub'),
  lba(40, HELLO.length, '/2026/11/26/hello.txt'),
  lba(41, OTHER.length, '/2026/11/26/sub/other.txt'),
];

describe('verifyMedia', () => {
  let base: string;
  let image: string;
  let stagingPath: string;
  const days = () => [{ day: DAY, stagingPath }];
  const request = (method: VerifySetting) => ({
    source: image,
    isImageFile: true,
    workingDir: join(base, 'work'),
    method,
    unmountRetryMs: 0,
  });

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-verify-media-'));
    stagingPath = join(base, 'stage', '2026', '11', '26');
    await mkdir(join(stagingPath, 'sub'), { recursive: true });
    await mkdir(join(base, 'work'));
    await writeFile(join(stagingPath, 'hello.txt'), HELLO);
    await writeFile(join(stagingPath, 'sub', 'other.txt'), OTHER);
    // An "image" holding the two files' bytes at their sectors, with other bytes around them.
    const disc = Buffer.alloc(64 * 2048, 0xee);
    disc.write(HELLO, 40 * 2048);
    disc.write(OTHER, 41 * 2048);
    image = join(base, 'disc.iso');
    await writeFile(image, disc);
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('reads the image directly when the kernel cannot mount it (auto), with no mount point left', async () => {
    const { calls, runner } = fakeRunner({ listing: { stdout: LISTING } });
    const report = await verifyMedia(runner, request('auto'), days());
    expect(report).toMatchObject({ method: 'direct', filesCompared: 2, mismatches: [] });
    expect(report.bytesCompared).toBe(HELLO.length + OTHER.length);
    expect(calls).toEqual(['mount', 'xorriso']);
    expect(await readdir(join(base, 'work'))).toEqual([]);
  });

  it('falls back to fuseiso under auto on a host without xorriso', async () => {
    const { calls, runner } = fakeRunner({ listing: 'missing' });
    const report = await verifyMedia(runner, request('auto'), days());
    expect(report.method).toBe('fuseiso');
    expect(calls).toEqual(['mount', 'xorriso', 'fuseiso', 'fusermount']);
  });

  it('never mounts when told direct', async () => {
    const { calls, runner } = fakeRunner({ listing: { stdout: LISTING } });
    expect(await verifyMedia(runner, request('direct'), days())).toMatchObject({ method: 'direct', mismatches: [] });
    expect(calls).toEqual(['xorriso']);
  });

  it('names a file whose bytes differ on the disc, and one missing from it', async () => {
    await writeFile(join(stagingPath, 'hello.txt'), HELLO.toUpperCase());
    await writeFile(join(stagingPath, 'new.txt'), 'not on the disc');
    const { runner } = fakeRunner({ listing: { stdout: LISTING } });
    const report = await verifyMedia(runner, request('direct'), days());
    expect(report.mismatches).toEqual(
      expect.arrayContaining([
        { path: '2026/11/26/hello.txt', kind: 'content' },
        { path: '2026/11/26/new.txt', kind: 'missing' },
      ]),
    );
    expect(report.mismatches).toHaveLength(2);
  });

  it('reads a file of several extents from each of them, in the extents’ order', async () => {
    // A file over 4 GiB has several extents; here 3000 bytes, its first 2048 at sector 50 and the rest at 44.
    const big = Buffer.alloc(3000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
    await writeFile(join(stagingPath, 'sub', 'big.bin'), big);
    const media = await open(image, 'r+');
    await media.write(big, 0, 2048, 50 * 2048);
    await media.write(big, 2048, big.length - 2048, 44 * 2048);
    await media.close();
    const path = '/2026/11/26/sub/big.bin';
    const listing = [...LISTING.slice(0, 3), lba(44, big.length, path, 1), lba(50, big.length, path, 0), LISTING[3]!];
    const { runner } = fakeRunner({ listing: { stdout: listing } });
    const report = await verifyMedia(runner, request('direct'), days());
    expect(report).toMatchObject({ filesCompared: 3, mismatches: [] });
    expect(report.bytesCompared).toBe(HELLO.length + OTHER.length + big.length);
  });

  it('counts every file of a day that is not on the disc as missing', async () => {
    const { runner } = fakeRunner({
      listing: { stdout: [], stderr: ["xorriso : FAILURE : Cannot find path '/2026/11/26' in loaded ISO image"] },
    });
    const report = await verifyMedia(runner, request('direct'), days());
    expect(report.mismatches.map((m) => m.kind)).toEqual(['missing', 'missing', 'missing']);
  });

  it('reports a sector that cannot be read as a difference in that file, and reads the others', async () => {
    const { runner } = fakeRunner({ listing: { stdout: LISTING } });
    const media = await open(image, 'r');
    const badSector: SyncFileSystem = {
      ...NODE_FILE_SYSTEM,
      readSync: ((fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
        if (fd === media.fd && position === 40 * 2048)
          throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        return readSync(fd, buffer, offset, length, position);
      }) as SyncFileSystem['readSync'],
    };
    const report = await verifyMedia(runner, request('direct'), days(), {
      openMedia: async () => media,
      workers: new FileWorkers({ inlineFileSystem: badSector }),
    });
    expect(report.mismatches).toEqual([{ path: '2026/11/26/hello.txt', kind: 'content' }]);
    expect(report.bytesCompared).toBe(OTHER.length);
  });

  it('stops with VERIFY_FAILED naming the staging file that cannot be read: no verdict without the reference', async () => {
    const { runner } = fakeRunner({ listing: { stdout: LISTING } });
    const unreadable: SyncFileSystem = {
      ...NODE_FILE_SYSTEM,
      openSync: ((path: string, flags: string) => {
        if (path.endsWith('other.txt')) throw Object.assign(new Error('EIO: i/o error, open'), { code: 'EIO' });
        return openSync(path, flags);
      }) as SyncFileSystem['openSync'],
    };
    await expect(
      verifyMedia(runner, request('direct'), days(), { workers: new FileWorkers({ inlineFileSystem: unreadable }) }),
    ).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/could not read .*other\.txt in the staging directory \(EIO\)/),
    });
  });

  it('fails with VERIFY_FAILED, deciding nothing, when the file worker thread stops', async () => {
    const { runner } = fakeRunner({ listing: { stdout: LISTING } });
    const exits = join(base, 'exits.mjs');
    await writeFile(exits, 'process.exit(7);\n');
    const workers = new FileWorkers({ workerUrl: pathToFileURL(exits) });
    expect(workers.threaded).toBe(true);
    await expect(verifyMedia(runner, request('direct'), days(), { workers })).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/file worker stopped .*exit code 7.*verify again/),
    });
    await workers.close();
  });

  it('fails with VERIFY_FAILED, comparing nothing, when xorriso cannot read the disc’s tree', async () => {
    const { runner } = fakeRunner({
      listing: { stdout: [], stderr: ['libisofs: FAILURE : Failed to read directory record at LBA 19'] },
    });
    await expect(verifyMedia(runner, request('direct'), days())).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(
        /could not read the disc's tree .*Failed to read directory record.*check the disc/,
      ),
    });
  });

  it('fails with VERIFY_FAILED when the drive or image cannot be opened', async () => {
    const { runner } = fakeRunner({ listing: { stdout: LISTING } });
    await rm(image);
    await expect(verifyMedia(runner, request('direct'), days())).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/could not open .*disc\.iso.*ENOENT/),
    });
  });
});
