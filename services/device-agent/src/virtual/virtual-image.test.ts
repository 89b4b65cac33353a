// What the virtual backend's image file holds and how it is sized and read back, with real
// xorriso: no MD5 checksums (they doubled the time of writing an image), an estimate equal to
// the bytes the file really takes, and a verify that reads the image directly.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MountTable } from '../media/mount-table.js';
import { ProgramRunner } from '../process/program-runner.js';
import { FsStagingArea } from '../staging/fs-staging-area.js';
import type { VerifySetting } from '../verify/verify-media.js';
import { VirtualDrive } from '../backends.js';

const LABEL = 'CEDAR BACKUP 23-NOV-2026';

describe('the virtual backend’s image', { timeout: 60_000 }, () => {
  let base: string;
  let image: string;

  const drive = (mountMethod: VerifySetting = 'direct'): VirtualDrive =>
    new VirtualDrive(
      {
        id: 'v0',
        backend: 'virtual',
        path: image,
        mediaType: 'dvd+rw',
        noEject: false,
        ejectDelay: 0,
        refreshMediaDelay: 0,
        mountMethod,
      },
      {
        staging: new FsStagingArea(join(base, 'stage')),
        workingDir: join(base, 'work'),
        runner: new ProgramRunner(),
        mountTable: new MountTable(),
      },
    );
  const size = async (): Promise<number> => (await stat(image).catch(() => ({ size: 0 }))).size;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-virtual-image-'));
    image = join(base, 'media', 'disc.iso');
    await mkdir(join(base, 'work'), { recursive: true });
    for (const day of ['23', '24']) {
      const dir = join(base, 'stage', '2026', '11', day);
      await mkdir(join(dir, 'deep', 'er'), { recursive: true });
      // Enough files that the MD5 checksum array, when written, takes sectors of its own.
      for (let i = 0; i < 300; i++) await writeFile(join(dir, 'deep', `file-${i}.txt`), `night ${day}, file ${i}\n`);
      await writeFile(join(dir, 'deep', 'er', 'big.bin'), Buffer.alloc(3 * 2 ** 20 + 123, day.charCodeAt(1)));
      await writeFile(join(dir, 'cback.stage'), '');
    }
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('holds no MD5 checksums, and xorriso still reads it', async () => {
    await drive().write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    const { stdout } = await promisify(execFile)('xorriso', [
      '-md5',
      'on',
      '-indev',
      `stdio:${image}`,
      '-check_md5_r',
      'SORRY',
      '/',
      '--',
    ]);
    expect(stdout).toMatch(/Not a single file with MD5 checksum was found/);
  });

  it('is estimated at exactly the bytes a new disc takes, and never below what an appended session adds', async () => {
    const { bytes: first } = await drive().estimate({ days: ['2026-11-23'], newDisc: true });
    await drive().write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    expect(await size()).toBe(first);

    const { bytes: second } = await drive().estimate({ days: ['2026-11-24'], newDisc: false });
    const before = await size();
    await drive().write({ days: ['2026-11-24'], label: LABEL, newDisc: false });
    // The new session starts over the previous one's trailing padding, so the file grows a little less.
    expect(await size()).toBeGreaterThan(before);
    expect(await size()).toBeLessThanOrEqual(before + second);
  });

  it('reads back identical through the direct method, and names the file whose bytes changed on it', async () => {
    await drive().write({ days: ['2026-11-23', '2026-11-24'], label: LABEL, newDisc: true });
    const clean = await drive().verify({ days: ['2026-11-23', '2026-11-24'] });
    expect(clean).toMatchObject({ ok: true, method: 'direct', filesCompared: 604, mismatches: [] });
    expect(clean.bytesCompared).toBeGreaterThan(6 * 2 ** 20);

    // Damage one byte of big.bin of the 24th inside the image, where the listing says its data lies.
    const { stdout } = await promisify(execFile)('xorriso', [
      '-indev',
      `stdio:${image}`,
      '-find',
      '/2026/11/24/deep/er/big.bin',
      '-exec',
      'report_lba',
      '--',
    ]);
    const lba = Number(/File data lba:\s*\d+\s*,\s*(\d+)/.exec(stdout)?.[1]);
    const handle = await open(image, 'r+');
    await handle.write(Buffer.from([0x55]), 0, 1, lba * 2048 + 2 ** 20 + 5);
    await handle.close();

    expect(await drive().verify({ days: ['2026-11-23', '2026-11-24'] })).toMatchObject({
      ok: false,
      method: 'direct',
      mismatches: [{ path: '2026/11/24/deep/er/big.bin', kind: 'content' }],
    });
  });

  it('auto reads the image directly where the kernel cannot mount it', async () => {
    await drive().write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    const report = await drive('auto').verify({ days: ['2026-11-23'] });
    expect(report.ok).toBe(true);
    // The kernel mount is used where it works (root with iso9660); otherwise no mount at all.
    expect(['mount', 'direct']).toContain(report.method);
  });
});
