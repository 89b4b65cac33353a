// The verify report a drive sends: the first 1000 mismatches named and, when there were more,
// how many in all — real xorriso on an image file, read back without a mount.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpcMethods } from '@cedar-store/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgramRunner } from '../process/program-runner.js';
import { FsStagingArea } from '../staging/fs-staging-area.js';
import { VirtualDrive } from '../backends.js';
import { MountTable } from '../media/mount-table.js';

const LABEL = 'CEDAR BACKUP 23-NOV-2026';
const DAY = '2026-11-23';
const LATE_FILES = 1200;

describe('the verify report of a drive', { timeout: 60_000 }, () => {
  let base: string;
  let drive: VirtualDrive;
  const late = (): string => join(base, 'stage', ...DAY.split('-'), 'host1', 'late');

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-verify-report-'));
    const day = join(base, 'stage', ...DAY.split('-'));
    await mkdir(join(day, 'host1'), { recursive: true });
    await mkdir(join(base, 'work'), { recursive: true });
    await writeFile(join(day, 'host1', 'etc.tar.gz'), Buffer.alloc(20_000, 7));
    await writeFile(join(day, 'cback.stage'), '');
    drive = new VirtualDrive(
      {
        id: 'v0',
        backend: 'virtual',
        path: join(base, 'media', 'disc.iso'),
        mediaType: 'dvd+rw',
        noEject: false,
        ejectDelay: 0,
        refreshMediaDelay: 0,
        mountMethod: 'direct',
      },
      {
        staging: new FsStagingArea(join(base, 'stage')),
        workingDir: join(base, 'work'),
        runner: new ProgramRunner(),
        mountTable: new MountTable(),
      },
    );
    await drive.write({ days: [DAY], label: LABEL, newDisc: true });
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('names every mismatch of a few and sends no count, as older agents did', async () => {
    await mkdir(late(), { recursive: true });
    for (let i = 0; i < 2; i++) await writeFile(join(late(), `f${String(i).padStart(4, '0')}`), '');
    const report = await drive.verify({ days: [DAY] });

    expect(report.ok).toBe(false);
    // The directory and its two files, none of them on the disc.
    expect(report.mismatches).toHaveLength(3);
    expect(report).not.toHaveProperty('mismatchCount');
    expect(rpcMethods['media.verify'].result.safeParse(report).success).toBe(true);
  });

  it('names the first 1000 of more mismatches and says how many there were in all', async () => {
    for (let i = 2; i < LATE_FILES; i++) await writeFile(join(late(), `f${String(i).padStart(4, '0')}`), '');
    const report = await drive.verify({ days: [DAY] });

    expect(report.ok).toBe(false);
    expect(report.mismatches).toHaveLength(1000);
    expect(report.mismatches[1]).toEqual({ path: '2026/11/23/host1/late/f0000', kind: 'missing' });
    expect(report.mismatchCount).toBe(LATE_FILES + 1);
    // What the controller reads from the wire.
    expect(rpcMethods['media.verify'].result.parse(report).mismatchCount).toBe(LATE_FILES + 1);
  });
});
