import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CedarStoreError, ToolMissingError, VerifyFailedError } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProgramResult, ProgramRunner } from '../process/program-runner.js';
import { withMountedMedia, type MountRequest } from './mount-media.js';

/**
 * A runner answering each program with the next exit code from its script (0 once the script
 * runs out); `timeout` throws as the real runner does for a program past its time limit.
 */
function scripted(exitCodes: Record<string, Array<number | 'timeout'> | 'missing'>) {
  const calls: string[][] = [];
  const runner = {
    run: async (tool: string, args: readonly string[]): Promise<ProgramResult> => {
      calls.push([tool, ...args]);
      const script = exitCodes[tool];
      if (script === 'missing') throw new ToolMissingError(`${tool} is not installed`);
      const exitCode = script?.shift() ?? 0;
      if (exitCode === 'timeout') {
        throw new CedarStoreError('INTERNAL', `${tool} ran longer than 60000 ms and was stopped`, { tool });
      }
      return { exitCode, stdout: '', stderr: exitCode === 0 ? '' : `${tool}: refused`, command: tool };
    },
  } as unknown as ProgramRunner;
  return { calls, runner };
}

describe('withMountedMedia', () => {
  let workingDir: string;
  const request = (method: MountRequest['method']): MountRequest => ({
    source: '/srv/disc.iso',
    isImageFile: true,
    workingDir,
    method,
  });
  const leftovers = async (): Promise<string[]> => readdir(workingDir);

  beforeEach(async () => {
    workingDir = await mkdtemp(join(tmpdir(), 'cedar-mount-'));
  });
  afterEach(() => rm(workingDir, { recursive: true, force: true }));

  it('falls back from the kernel mount to fuseiso under auto, and reports the method used', async () => {
    const { calls, runner } = scripted({ mount: [32] });
    const method = await withMountedMedia(runner, request('auto'), async (mounted) => mounted.method, 0);
    expect(method).toBe('fuseiso');
    expect(calls.map((call) => call[0])).toEqual(['mount', 'fuseiso', 'fusermount']);
    expect(calls[0]).toEqual([
      'mount',
      '-t',
      'iso9660',
      '-o',
      'ro,loop',
      '/srv/disc.iso',
      expect.stringContaining('verify-'),
    ]);
    expect(calls[1]).toEqual(['fuseiso', '-n', '/srv/disc.iso', expect.stringContaining('verify-')]);
    expect(await leftovers()).toEqual([]);
  });

  it('uses fuseiso under auto when mount is not installed at all', async () => {
    const { runner } = scripted({ mount: 'missing' });
    expect(await withMountedMedia(runner, request('auto'), async (mounted) => mounted.method, 0)).toBe('fuseiso');
  });

  it('fails with VERIFY_FAILED when the forced method cannot mount, leaving no mount point', async () => {
    const { calls, runner } = scripted({ mount: [32] });
    await expect(withMountedMedia(runner, request('mount'), async () => 'never', 0)).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/could not mount \/srv\/disc\.iso read-only/),
    });
    expect(calls.map((call) => call[0])).toEqual(['mount']);
    expect(await leftovers()).toEqual([]);
  });

  it('retries the unmount up to five times, then removes the mount point', async () => {
    const { calls, runner } = scripted({ fusermount: [1, 1, 1, 1] });
    await withMountedMedia(runner, request('fuseiso'), async () => undefined, 0);
    expect(calls.filter((call) => call[0] === 'fusermount')).toHaveLength(5);
    expect(await leftovers()).toEqual([]);
  });

  it('goes on retrying the unmount after an attempt that timed out', async () => {
    const { calls, runner } = scripted({ fusermount: ['timeout', 'timeout', 1] });
    await withMountedMedia(runner, request('fuseiso'), async () => undefined, 0);
    expect(calls.filter((call) => call[0] === 'fusermount')).toHaveLength(4);
    expect(await leftovers()).toEqual([]);
  });

  it('names the timeout when every unmount attempt timed out', async () => {
    const { calls, runner } = scripted({ umount: ['timeout', 'timeout', 'timeout', 'timeout', 'timeout'] });
    await expect(withMountedMedia(runner, request('mount'), async () => undefined, 0)).rejects.toMatchObject({
      code: 'DEVICE_MOUNTED',
      message: expect.stringMatching(/after 5 attempts \(umount ran longer than 60000 ms and was stopped\)/),
    });
    expect(calls.filter((call) => call[0] === 'umount')).toHaveLength(5);
  });

  it('reports a failed comparison, not the unmount failing after it, and still tells of the stuck mount point', async () => {
    const { runner } = scripted({ umount: [1, 1, 1, 1, 1] });
    const failure = withMountedMedia(
      runner,
      request('mount'),
      async () => {
        throw new VerifyFailedError('2026/11/23/etc/hosts could not be read on the media', { day: '2026-11-23' });
      },
      0,
    );
    await expect(failure).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/^2026\/11\/23\/etc\/hosts could not be read.*; also could not unmount .*umount /),
      details: { day: '2026-11-23', unmountFailure: expect.stringContaining('could not unmount') },
    });
  });

  it('reports a mount point it could not unmount after five attempts, naming the command to run', async () => {
    const { calls, runner } = scripted({ umount: [1, 1, 1, 1, 1] });
    await expect(withMountedMedia(runner, request('mount'), async () => undefined, 0)).rejects.toMatchObject({
      code: 'DEVICE_MOUNTED',
      message: expect.stringMatching(/could not unmount .*verify-.* after 5 attempts.*umount /),
    });
    expect(calls.filter((call) => call[0] === 'umount')).toHaveLength(5);
  });

  it('unmounts and removes the mount point when the comparison itself fails', async () => {
    const { calls, runner } = scripted({});
    await expect(
      withMountedMedia(
        runner,
        request('fuseiso'),
        async () => {
          throw new Error('disc unreadable');
        },
        0,
      ),
    ).rejects.toThrow('disc unreadable');
    expect(calls.map((call) => call[0])).toEqual(['fuseiso', 'fusermount']);
    expect(await leftovers()).toEqual([]);
  });
});
