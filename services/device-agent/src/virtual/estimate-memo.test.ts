// The write reuses the estimate measured a moment before, but never after the days, the image
// or the clock moved on: real xorriso behind a wrapper that counts the image measurements.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MountTable } from '../media/mount-table.js';
import { ProgramRunner } from '../process/program-runner.js';
import { FsStagingArea } from '../staging/fs-staging-area.js';
import { EstimateMemo } from './estimate-memo.js';
import { VirtualDrive } from './virtual-drive.js';

const LABEL = 'CEDAR BACKUP 23-NOV-2026';

describe('EstimateMemo', () => {
  it('reuses a size for the same key while fresh, and measures again once it is stale or the key differs', async () => {
    let now = 1_000;
    const memo = new EstimateMemo(() => now, 60_000);
    let measured = 0;
    const measure = async () => 100 + measured++;
    expect(await memo.sectors('a', measure)).toBe(100);
    now += 59_000;
    expect(await memo.sectors('a', measure)).toBe(100);
    expect(await memo.sectors('b', measure)).toBe(101);
    now += 61_000;
    expect(await memo.sectors('b', measure)).toBe(102);
    expect(measured).toBe(3);
  });
});

describe('the virtual backend’s estimate before a write', { timeout: 60_000 }, () => {
  let base: string;
  let log: string;
  let day: string;

  const drive = (): VirtualDrive =>
    new VirtualDrive(
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
        runner: new ProgramRunner({ searchPath: `${join(base, 'bin')}:${process.env.PATH ?? ''}` }),
        mountTable: new MountTable(),
      },
    );
  const measurements = async (): Promise<number> =>
    (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line.includes('-print_size')).length;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cedar-estimate-memo-'));
    log = join(base, 'xorriso.log');
    await mkdir(join(base, 'bin'));
    await mkdir(join(base, 'work'));
    await writeFile(join(base, 'bin', 'xorriso'), `#!/bin/sh\necho "$*" >> '${log}'\nexec /usr/bin/xorriso "$@"\n`);
    await chmod(join(base, 'bin', 'xorriso'), 0o755);
    day = join(base, 'stage', '2026', '11', '23');
    await mkdir(join(day, 'deep'), { recursive: true });
    await writeFile(join(day, 'deep', 'data.bin'), Buffer.alloc(300_000, 1));
    await writeFile(join(day, 'cback.stage'), '');
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('is measured once for an estimate and the write that follows it', async () => {
    const agent = drive();
    const estimate = await agent.estimate({ days: ['2026-11-23'], newDisc: true });
    await agent.write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    expect(await measurements()).toBe(1);
    expect((await agent.status()).bytesUsed).toBeGreaterThan(0);
    expect(estimate).toBeGreaterThan(300_000);
  });

  it('is measured again when a file was added anywhere in the day in between, and the write sees the new size', async () => {
    const agent = drive();
    const before = await agent.estimate({ days: ['2026-11-23'], newDisc: true });
    await writeFile(join(day, 'deep', 'late.bin'), Buffer.alloc(500_000, 2));
    const after = await agent.estimate({ days: ['2026-11-23'], newDisc: true });
    expect(after).toBeGreaterThan(before + 400_000);
    await agent.write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    expect(await measurements()).toBe(2);
  });

  it('is measured again for an append once the image changed', async () => {
    const agent = drive();
    await agent.write({ days: ['2026-11-23'], label: LABEL, newDisc: true });
    await agent.estimate({ days: ['2026-11-23'], newDisc: false });
    await agent.write({ days: ['2026-11-23'], label: LABEL, newDisc: false });
    await agent.estimate({ days: ['2026-11-23'], newDisc: false });
    // new disc: 1; the first append's estimate and its write: 1; the estimate after that append: 1.
    expect(await measurements()).toBe(3);
  });
});
