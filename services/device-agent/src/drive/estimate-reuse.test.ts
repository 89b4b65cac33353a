// The write's fit check reuses the controller's estimate while the days and the media are as
// they were measured, and measures again when they changed: real xorriso on an image file.
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitProvingBound } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgramRunner, type ProgramResult } from '../process/program-runner.js';
import { FsStagingArea } from '../staging/fs-staging-area.js';
import { VirtualDrive } from '../backends.js';
import { MountTable } from '../media/mount-table.js';

const LABEL = 'CEDAR BACKUP 23-NOV-2026';
const DAY = '2026-11-23';
const NEXT = '2026-11-24';

/** Counts the image measurements (`-print_size`) the drive runs. */
class CountingRunner extends ProgramRunner {
  measurements = 0;
  override run(...args: Parameters<ProgramRunner['run']>): Promise<ProgramResult> {
    if (args[1].includes('-print_size')) this.measurements += 1;
    return super.run(...args);
  }
}

describe('the estimate travels with the write', { timeout: 60_000 }, () => {
  let base: string;
  let image: string;
  let runner: CountingRunner;
  let drive: VirtualDrive;
  const dayDir = (day: string): string => join(base, 'stage', ...day.split('-'));

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-estimate-reuse-'));
    image = join(base, 'media', 'disc.iso');
    await mkdir(join(base, 'work'), { recursive: true });
    for (const day of [DAY, NEXT]) {
      await mkdir(join(dayDir(day), 'host1'), { recursive: true });
      await writeFile(join(dayDir(day), 'host1', 'etc.tar.gz'), Buffer.alloc(200_000, 7));
      await writeFile(join(dayDir(day), 'cback.stage'), '');
    }
    runner = new CountingRunner();
    drive = new VirtualDrive(
      {
        id: 'v0',
        backend: 'virtual',
        path: image,
        mediaType: 'dvd+rw',
        noEject: false,
        ejectDelay: 0,
        refreshMediaDelay: 0,
        mountMethod: 'direct',
      },
      {
        staging: new FsStagingArea(join(base, 'stage')),
        workingDir: join(base, 'work'),
        runner,
        mountTable: new MountTable(),
      },
    );
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('measures a new disc and an appended session once each, the estimate’s measurement', async () => {
    const first = await drive.estimate({ days: [DAY], newDisc: true });
    await drive.write({ days: [DAY], label: LABEL, newDisc: true, estimate: first });
    expect(runner.measurements).toBe(1);
    expect((await stat(image)).size).toBe(first.bytes);

    // Appending to a blank image starts a disc as well: the same stamp either way.
    const second = await drive.estimate({ days: [NEXT], newDisc: false });
    await drive.write({ days: [NEXT], label: LABEL, newDisc: false, estimate: second });
    expect(runner.measurements).toBe(2);
    expect((await drive.verify({ days: [DAY, NEXT] })).ok).toBe(true);
  });

  it('measures again when the day was staged again since the estimate', async () => {
    const estimate = await drive.estimate({ days: [DAY], newDisc: true });
    await writeFile(join(dayDir(DAY), 'host1', 'etc.tar.gz'), Buffer.alloc(400_000, 7));
    const later = new Date(Date.now() + 5_000);
    await utimes(join(dayDir(DAY), 'cback.stage'), later, later);
    const written = await drive.write({ days: [DAY], label: LABEL, newDisc: true, estimate });
    expect(runner.measurements).toBe(2);
    expect(written.bytesWritten).toBeGreaterThan(400_000);
  });

  it('measures again when a file was added to the day since the estimate', async () => {
    const estimate = await drive.estimate({ days: [DAY], newDisc: true });
    await writeFile(join(dayDir(DAY), 'late.txt'), 'staged after the estimate\n');
    await drive.write({ days: [DAY], label: LABEL, newDisc: true, estimate });
    expect(runner.measurements).toBe(2);
  });

  it('measures again when the image changed since the estimate of an append', async () => {
    await drive.write({ days: [DAY], label: LABEL, newDisc: true });
    const estimate = await drive.estimate({ days: [NEXT], newDisc: false });
    await drive.write({ days: [DAY], label: LABEL, newDisc: false });
    const before = runner.measurements;
    await drive.write({ days: [NEXT], label: LABEL, newDisc: false, estimate });
    expect(runner.measurements).toBe(before + 1);
  });

  it('still refuses under the lock an estimate that does not fit, writing nothing', async () => {
    const estimate = await drive.estimate({ days: [DAY], newDisc: true });
    const tooLarge = { ...estimate, bytes: 5 * 2 ** 30 };
    await expect(drive.write({ days: [DAY], label: LABEL, newDisc: true, estimate: tooLarge })).rejects.toMatchObject({
      code: 'MEDIA_FULL',
    });
    await expect(stat(image)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes a bound that proved the fit for the measurement: no -print_size, and the image within it', async () => {
    const [info] = await new FsStagingArea(join(base, 'stage')).inspect([DAY]);
    const upperBound = fitProvingBound({ shapes: [info?.shape], appendsTo: null, availableBytes: 4 * 2 ** 30 });
    expect(upperBound).toBeDefined();
    const estimate = await drive.estimate({ days: [DAY], newDisc: true, upperBound: upperBound! });
    expect(estimate).toMatchObject({ bytes: upperBound, stamp: expect.any(String) });
    await drive.write({ days: [DAY], label: LABEL, newDisc: true, estimate });
    expect(runner.measurements).toBe(0);
    expect((await stat(image)).size).toBeLessThanOrEqual(upperBound!);
    expect((await drive.verify({ days: [DAY] })).ok).toBe(true);
  });

  it('measures a bound-stamped write again when the day changed since, and still refuses what does not fit', async () => {
    const estimate = await drive.estimate({ days: [DAY], newDisc: true, upperBound: 64 * 2 ** 20 });
    await writeFile(join(dayDir(DAY), 'cback.stage'), 'staged again\n');
    await drive.write({ days: [DAY], label: LABEL, newDisc: true, estimate });
    expect(runner.measurements).toBe(1);
  });

  it('measures itself when the write carries no estimate, or one it did not stamp', async () => {
    await drive.write({ days: [DAY], label: LABEL, newDisc: true });
    await drive.write({ days: [NEXT], label: LABEL, newDisc: true, estimate: { bytes: 1, stamp: 'forged' } });
    expect(runner.measurements).toBe(2);
    expect((await drive.verify({ days: [NEXT] })).ok).toBe(true);
  });
});
