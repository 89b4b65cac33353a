/**
 * The disk under the agent's files fills up: the directory of the ISO file playing the disc,
 * or the working directory an export is built in (each a small tmpfs, filled to the last
 * byte). What a user sees: WRITE_FAILED saying "no space left on <directory>" and what to do,
 * no store indicator, the disc exactly as it was, no partial file left behind, and the next
 * store or export working once space returns. Real agent and controller, real xorriso and
 * genisoimage (a fake cdrecord stands for the CD burner no test machine has).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fillDisk,
  mountTmpfs,
  ProgramDir,
  sha256,
  startHarness,
  tempBase,
  unmountTmpfs,
  type Harness,
  type HarnessOptions,
} from '../support/fault-harness.js';
import { isoPaths } from '../support/iso-inspector.js';

const DAY1 = '2026-11-24';
const DAY2 = '2026-11-25';
const PROGRAMS = ['xorriso', 'mount', 'umount', 'fuseiso', 'fusermount'];

let faults = 0;
let base: string;
let harness: Harness | undefined;
const mounted: string[] = [];

beforeEach(async () => {
  base = await tempBase('disk-full');
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  for (const dir of mounted.splice(0)) await unmountTmpfs(dir);
  await rm(base, { recursive: true, force: true });
});
afterAll(() => {
  console.info(`disk-full faults injected: ${faults}`);
});

/** A 4 MiB file system at `<base>/<name>`, or the test is skipped saying why there is none. */
async function smallDisk(name: string, ctx: { skip: (reason: string) => void }): Promise<string> {
  const dir = join(base, name);
  const problem = await mountTmpfs(dir, '4m');
  if (problem) ctx.skip(`cannot make a small file system to fill: ${problem}`);
  mounted.push(dir);
  return dir;
}

async function start(options: Partial<HarnessOptions>): Promise<Harness> {
  const programs = await ProgramDir.create(base, PROGRAMS);
  harness = await startHarness(base, { searchPath: programs.path, ...options });
  return harness;
}

async function fill(dir: string, leaveBytes = 0): Promise<string> {
  faults++;
  return fillDisk(dir, leaveBytes);
}

describe('the disk fills up', { timeout: 180_000 }, () => {
  it("the image's directory is full on the next night: no space left on it, disc unchanged, works once freed", async (ctx) => {
    const media = await smallDisk('media', ctx);
    const h = await start({ image: join(media, 'dvd0.iso') });
    await h.stage(DAY1, { 'etc/hosts': '127.0.0.1 localhost\n' });
    expect(await h.api.run({ action: 'store', today: DAY1 })).toMatchObject({ status: 'succeeded' });
    const before = await sha256(h.image);
    await h.stage(DAY2, { 'var/log/syslog': 'night two\n'.repeat(100) });

    const filler = await fill(media);
    const failed = await h.api.run({ action: 'store', today: DAY2 });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('WRITE_FAILED');
    expect(failed.error?.message).toMatch(new RegExp(`^no space left on ${media}: xorriso could not write the image`));
    expect(failed.error?.message).toMatch(/Nothing was marked stored.*free space on .*then run again/);
    expect(h.stored(DAY2)).toBe(false);
    expect(await sha256(h.image)).toBe(before);
    expect((await readdir(media)).sort()).toEqual(['dvd0.iso', 'filler']);

    await rm(filler);
    expect(await h.api.run({ action: 'store', today: DAY2 })).toMatchObject({
      status: 'succeeded',
      verify: { ok: true },
    });
    expect(h.stored(DAY2)).toBe(true);
    expect(await isoPaths(h.image)).toContain('2026/11/25/var/log/syslog');
  });

  it('a new disc on a full directory: no image file is left behind, and the store works once freed', async (ctx) => {
    const media = await smallDisk('media', ctx);
    const h = await start({ image: join(media, 'dvd0.iso') });
    await h.stage(DAY1, { 'etc/hosts': '127.0.0.1 localhost\n' });

    const filler = await fill(media);
    const failed = await h.api.run({ action: 'store', today: DAY1 });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('WRITE_FAILED');
    expect(failed.error?.message).toMatch(new RegExp(`^no space left on ${media}: `));
    expect(h.stored(DAY1)).toBe(false);
    expect(await readdir(media)).toEqual(['filler']);

    await rm(filler);
    expect(await h.api.run({ action: 'store', today: DAY1 })).toMatchObject({ status: 'succeeded' });
    expect(h.stored(DAY1)).toBe(true);
  });

  it("the cdrecord backend's temporary image on a full working directory: nothing burned, no scratch left", async (ctx) => {
    const work = await smallDisk('work', ctx);
    const programs = await ProgramDir.create(base, [...PROGRAMS, 'mkisofs']);
    const burns = join(base, 'burns.log');
    // A blank CD-RW in a multisession drive; a burn notes the image it was given, and that it existed.
    await programs.fake(
      'cdrecord',
      `for a in "$@"; do last=$a; done
for a in "$@"; do
  case $a in
    -msinfo) echo 'cdrecord: Cannot read session offset' >&2; exit 1 ;;
    -prcap) echo '  Does read multi-session CDs'; exit 0 ;;
    -data) [ -f "$last" ] && echo "$last" >> '${burns}'; exit 0 ;;
  esac
done
exit 0`,
    );
    harness = await startHarness(base, {
      searchPath: programs.path,
      workingDir: work,
      extraDevices: [{ id: 'cd0', backend: 'cdrecord', path: '/dev/sr9', mediaType: 'cdrw-80', noEject: true }],
      // No drive to mount here: the fake burner writes nothing verify could read.
      devicePolicies: { 'burner-1/cd0': { checkData: false } },
    });
    const h = harness;
    await h.stage(DAY1, { 'etc/hosts': '127.0.0.1 localhost\n', 'var/backup.tar': { size: 2 ** 20 } });

    // Room for the agent's small records (its operation journal lives here too), not for a 1 MiB image.
    const filler = await fill(work, 128 * 1024);
    const failed = await h.api.run({ action: 'store', device: 'burner-1/cd0', today: DAY1 });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('WRITE_FAILED');
    expect(failed.error?.message).toMatch(
      new RegExp(`^no space left on ${work}: mkisofs could not build the temporary image`),
    );
    expect(h.stored(DAY1)).toBe(false);
    expect((await readdir(work)).filter((name) => name.startsWith('scratch-'))).toEqual([]);
    await expect(readFile(burns, 'utf8')).rejects.toThrow();

    await rm(filler);
    expect(await h.api.run({ action: 'store', device: 'burner-1/cd0', today: DAY1 })).toMatchObject({
      status: 'succeeded',
    });
    expect(h.stored(DAY1)).toBe(true);
    expect((await readFile(burns, 'utf8')).trim()).toMatch(new RegExp(`^${work}/scratch-[^/]+/image\\.iso$`));
    expect((await readdir(work)).filter((name) => name.startsWith('scratch-'))).toEqual([]);
  });

  it('an export into a full working directory: no space left on it, no partial image, works once freed', async (ctx) => {
    const work = await smallDisk('work', ctx);
    const h = await start({ workingDir: work });
    await h.stage(DAY1, { 'etc/hosts': '127.0.0.1 localhost\n' });
    const rpc = await h.rpc();
    try {
      const filler = await fill(work);
      const refused = await rpc.call('media.export', { days: [DAY1], label: 'CEDAR BACKUP 24-NOV-2026' });
      expect(refused.error?.data?.code).toBe('WRITE_FAILED');
      expect(refused.error?.message).toMatch(
        new RegExp(`^no space left on ${work}/exports: xorriso could not build the ISO image`),
      );
      expect(await readdir(join(work, 'exports'))).toEqual([]);

      await rm(filler);
      const exported = await rpc.call('media.export', { days: [DAY1], label: 'CEDAR BACKUP 24-NOV-2026' });
      const { path } = exported.result as { path: string };
      expect(path.startsWith(join(work, 'exports'))).toBe(true);
      expect(await isoPaths(path)).toContain('2026/11/24/etc/hosts');
    } finally {
      await rpc.close();
    }
  });
});
