/**
 * Verify's mounting fails: the media cannot be unmounted (a busy mount point), or fuseiso
 * is not installed where the kernel has no iso9660. The run always ends (never left
 * `running`), a failed verify writes no store indicator, the error names the mount point or
 * the Debian package and says what to do, and the next store works once the fault is gone.
 * Real agent and controller, virtual media, real xorriso, real mount/fuseiso behind wrappers.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isoSessions } from '../support/iso-inspector.js';
import { ProgramDir, startHarness, tempBase, type Harness } from '../support/fault-harness.js';

const DAY = '2026-11-25';
const PROGRAMS = ['xorriso', 'mount', 'umount', 'fuseiso', 'fusermount'];

let faults = 0;
let base: string;
let programs: ProgramDir;
let harness: Harness | undefined;

function workingDir(): string {
  return join(base, 'work');
}

/**
 * umount and fusermount as installed, except that the first `failures` calls (or every
 * call, with `always`) fail the way a busy mount point makes them; each call is counted.
 */
async function installUnmountWrappers(): Promise<void> {
  const failures = join(base, 'unmount.failures');
  const calls = join(base, 'unmount.calls');
  await writeFile(failures, '0');
  await writeFile(calls, '0');
  for (const program of ['umount', 'fusermount']) {
    await programs.fake(
      program,
      `n=$(( $(cat '${calls}') + 1 ))
echo "$n" > '${calls}'
fail=$(cat '${failures}')
if [ "$fail" = always ] || [ "$n" -le "$fail" ]; then
  for target in "$@"; do :; done
  echo "${program}: $target: target is busy." >&2
  exit 1
fi
exec "$REAL" "$@"`,
    );
  }
}

async function failUnmounts(failures: number | 'always'): Promise<void> {
  if (failures !== 0) faults++;
  await writeFile(join(base, 'unmount.failures'), String(failures));
  await writeFile(join(base, 'unmount.calls'), '0');
}

async function unmountCalls(): Promise<number> {
  return Number(await readFile(join(base, 'unmount.calls'), 'utf8'));
}

async function leftoverMountPoints(): Promise<string[]> {
  return (await readdir(workingDir())).filter((name) => name.startsWith('verify-'));
}

beforeEach(async () => {
  base = await tempBase('program-mount');
  programs = await ProgramDir.create(base, PROGRAMS);
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  // A mount point a test left mounted must not outlive it.
  for (const name of await leftoverMountPoints().catch(() => [])) {
    await execa('fusermount', ['-u', join(workingDir(), name)], { reject: false });
    await execa('umount', [join(workingDir(), name)], { reject: false });
  }
  await rm(base, { recursive: true, force: true });
});
afterAll(() => {
  console.info(`program-mount faults injected: ${faults}`);
});

describe('verify cannot mount or unmount the media', { timeout: 180_000 }, () => {
  it('an unmount that fails twice is retried: the store succeeds and no mount point is left', async () => {
    await installUnmountWrappers();
    harness = await startHarness(base, { searchPath: programs.path, mountMethod: 'fuseiso' });
    await harness.stage(DAY, { 'etc/hosts': '127.0.0.1 localhost\n' });

    await failUnmounts(2);
    const run = await harness.api.run({ action: 'store', today: DAY });
    expect(run).toMatchObject({ status: 'succeeded', verify: { ok: true } });
    expect(await unmountCalls()).toBe(3);
    expect(harness.stored(DAY)).toBe(true);
    expect(await leftoverMountPoints()).toEqual([]);
  });

  it('an unmount that always fails: the run fails naming the mount point and the command, with no indicator', async () => {
    await installUnmountWrappers();
    harness = await startHarness(base, { searchPath: programs.path, mountMethod: 'fuseiso' });
    await harness.stage(DAY, { 'etc/hosts': '127.0.0.1 localhost\n' });

    await failUnmounts('always');
    const failed = await harness.api.run({ action: 'store', today: DAY });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('DEVICE_MOUNTED');
    const message = failed.error?.message ?? '';
    const mountPoint = /could not unmount (\S+) after 5 attempts/.exec(message)?.[1];
    expect(mountPoint, message).toBeDefined();
    expect(mountPoint!.startsWith(join(workingDir(), 'verify-'))).toBe(true);
    expect(message).toMatch(/target is busy/);
    expect(message).toMatch(new RegExp(`unmount it by hand \\((fusermount -u|umount) ${mountPoint}\\)`));
    expect(await unmountCalls()).toBe(5);
    expect(harness.stored(DAY)).toBe(false);
    expect((await harness.api.get(failed.id)).status).toBe('failed');

    // Do what the message says, then store again: it works.
    const command = new RegExp(`\\((fusermount -u|umount) ${mountPoint}\\)`).exec(message)![1]!.split(' ');
    await failUnmounts(0);
    expect((await execa(command[0]!, [...command.slice(1), mountPoint!], { reject: false })).exitCode).toBe(0);
    const retried = await harness.api.run({ action: 'store', today: DAY });
    expect(retried).toMatchObject({ status: 'succeeded', verify: { ok: true } });
    expect(harness.stored(DAY)).toBe(true);
  });

  it('fuseiso is not installed for mountMethod fuseiso: TOOL_MISSING naming fuseiso, no indicator', async () => {
    harness = await startHarness(base, { searchPath: programs.path, mountMethod: 'fuseiso' });
    await harness.stage(DAY, { 'etc/hosts': '127.0.0.1 localhost\n' });

    faults++;
    await programs.remove('fuseiso');
    const failed = await harness.api.run({ action: 'store', today: DAY });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('TOOL_MISSING');
    expect(failed.error?.message).toContain('fuseiso is not installed on this agent');
    expect(failed.error?.message).toContain('apt-get install fuseiso');
    expect(harness.stored(DAY)).toBe(false);
    // The session written before verify is whole: the image reads back with it.
    expect(await isoSessions(harness.image)).toHaveLength(1);
    expect(await leftoverMountPoints()).toEqual([]);

    await programs.link('fuseiso');
    const retried = await harness.api.run({ action: 'store', today: DAY });
    expect(retried).toMatchObject({ status: 'succeeded', verify: { ok: true, method: 'fuseiso' } });
    expect(harness.stored(DAY)).toBe(true);
  });

  it('auto on a host without iso9660, xorriso or fuseiso (a cdrecord host): TOOL_MISSING naming fuseiso', async (ctx) => {
    const kernel = await readFile('/proc/filesystems', 'utf8');
    if (/\siso9660$/m.test(kernel)) ctx.skip('this kernel has iso9660: mountMethod auto never needs fuseiso here');
    // A blank CD-RW in a multisession drive; its burns write nothing. The disc it reads back
    // is the ISO file the virtual device writes first, holding the same day.
    await programs.fake(
      'cdrecord',
      `for a in "$@"; do
  case $a in
    -msinfo) echo 'cdrecord: Cannot read session offset' >&2; exit 1 ;;
    -prcap) echo '  Does read multi-session CDs'; exit 0 ;;
  esac
done
exit 0`,
    );
    await programs.link('mkisofs');
    const image = join(base, 'media', 'dvd0.iso');
    harness = await startHarness(base, {
      searchPath: programs.path,
      image,
      extraDevices: [
        { id: 'cd0', backend: 'cdrecord', path: image, mediaType: 'cdrw-80', noEject: true, mountMethod: 'auto' },
      ],
    });
    const dayDir = await harness.stage(DAY, { 'etc/hosts': '127.0.0.1 localhost\n' });
    const written = await harness.api.run({ action: 'store', device: 'burner-1/dvd0', today: DAY });
    expect(written).toMatchObject({ status: 'succeeded' });
    await rm(join(dayDir, 'cback.store'));

    faults++;
    await programs.remove('xorriso');
    await programs.remove('fuseiso');
    const failed = await harness.api.run({ action: 'store', device: 'burner-1/cd0', today: DAY });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('TOOL_MISSING');
    expect(failed.error?.message).toContain('apt-get install fuseiso');
    expect(harness.stored(DAY)).toBe(false);
    expect(await leftoverMountPoints()).toEqual([]);

    await programs.link('fuseiso');
    const retried = await harness.api.run({ action: 'store', device: 'burner-1/cd0', today: DAY });
    expect(retried).toMatchObject({ status: 'succeeded', verify: { ok: true, method: 'fuseiso' } });
    expect(harness.stored(DAY)).toBe(true);
  });
});
