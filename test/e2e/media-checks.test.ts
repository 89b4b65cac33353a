// What stops a store before anything is written: a night larger than the media (MEDIA_FULL,
// with the advice to rebuild, and the disc left byte-identical), and the media check
// (`checkMedia`): a fresh rewritable disc is refused until `cedar-store initialize` labels it,
// while a blank write-once disc needs no label.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discDays, discPaths, discSessions, discVolumeId, sha256File } from '../support/e2e/disc-reader.js';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { expectedLabel, MIB, nightFiles } from '../support/e2e/nightly-data.js';

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({
    agents: [
      {
        id: 'burner-1',
        devices: [
          { id: 'cd0', mediaType: 'cdrw-74' },
          { id: 'rw', mediaType: 'dvd+rw' },
          { id: 'once', mediaType: 'dvd+r' },
        ],
      },
    ],
    devicePolicies: { 'burner-1/rw': { checkMedia: true }, 'burner-1/once': { checkMedia: true } },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('a night larger than the media', { timeout: 180_000 }, () => {
  const CD = 'burner-1/cd0';
  const TUESDAY = '2027-01-12';
  const WEDNESDAY = '2027-01-13';

  it('fails with MEDIA_FULL and exit 1, advises a rebuild, and leaves the disc byte-identical', async () => {
    await stack.stage(TUESDAY, nightFiles(TUESDAY));
    expect((await stack.cliRun(['store', '--device', CD, '--today', TUESDAY])).code).toBe(0);
    const image = stack.image(CD);
    const before = await sha256File(image);

    // 700 MiB (sparse: no disk used) on a 650 MB CD-RW.
    await stack.stage(WEDNESDAY, { ...nightFiles(WEDNESDAY), 'var/backup.tar': { size: 700 * MIB } });
    const result = await stack.cliRun(['store', '--device', CD, '--today', WEDNESDAY]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MEDIA_FULL');
    const recorded = await stack.recordedRun(result.run.id);
    expect(recorded.status).toBe('failed');
    expect(recorded.error?.code).toBe('MEDIA_FULL');
    expect(recorded.error?.message).toContain('cedar-store rebuild');
    expect(recorded.image!.estimatedBytes).toBeGreaterThan(700 * MIB);
    expect(recorded.image!.estimatedBytes).toBeGreaterThan(recorded.image!.availableBytes!);
    expect(recorded.write).toBeUndefined();

    expect(await sha256File(image)).toBe(before);
    expect(await discDays(image)).toEqual([TUESDAY]);
    expect(stack.isStored(WEDNESDAY)).toBe(false);
  });
});

describe('the media check', { timeout: 180_000 }, () => {
  const RW = 'burner-1/rw';
  const ONCE = 'burner-1/once';
  const DAY = '2027-01-06';
  const WRITE_ONCE_DAY = '2027-01-07';

  it('refuses a fresh rewritable disc with MEDIA_NOT_INITIALIZED and exit 1, writing nothing', async () => {
    await stack.stage(DAY, nightFiles(DAY));
    const result = await stack.cliRun(['store', '--device', RW, '--today', DAY]);

    expect(result.code).toBe(1);
    expect(result.run.error?.code).toBe('MEDIA_NOT_INITIALIZED');
    expect(result.run.error?.message).toContain('cedar-store initialize');
    expect(result.stderr).toContain('MEDIA_NOT_INITIALIZED');
    expect(existsSync(stack.image(RW))).toBe(false);
    expect(stack.isStored(DAY)).toBe(false);
  });

  it('initialize labels the disc: one session holding only an empty CedarBackup directory', async () => {
    const result = await stack.cliRun(['initialize', '--device', RW]);
    expect(result.code, result.stderr).toBe(0);
    const label = result.run.image?.label;
    expect(label).toMatch(/^CEDAR BACKUP \d{2}-[A-Z]{3}-\d{4}$/);

    const image = stack.image(RW);
    expect(await discSessions(image)).toHaveLength(1);
    expect(await discVolumeId(image)).toBe(label);
    expect(await discPaths(image)).toEqual(['CedarBackup/']);
  });

  it('then the same store succeeds and appends the night after the label', async () => {
    const result = await stack.cliRun(['store', '--device', RW, '--today', DAY]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.run.verify).toMatchObject({ ok: true, mismatches: [] });

    const image = stack.image(RW);
    expect(await discSessions(image)).toHaveLength(2);
    expect(await discVolumeId(image)).toBe(expectedLabel(DAY));
    expect(await discPaths(image)).toEqual(expect.arrayContaining(['CedarBackup/', '2027/01/06/etc/hostname']));
    expect(stack.isStored(DAY)).toBe(true);
  });

  it('accepts a blank write-once disc, which has no label to check', async () => {
    await stack.stage(WRITE_ONCE_DAY, nightFiles(WRITE_ONCE_DAY));
    const result = await stack.cliRun(['store', '--device', ONCE, '--today', WRITE_ONCE_DAY]);
    expect(result.code, result.stderr).toBe(0);

    const image = stack.image(ONCE);
    expect(await discSessions(image)).toHaveLength(1);
    expect(await discDays(image)).toEqual([WRITE_ONCE_DAY]);
    expect(stack.isStored(WRITE_ONCE_DAY)).toBe(true);
  });

  it('initialize refuses write-once media (exit 1) and leaves the disc as it was', async () => {
    const image = stack.image(ONCE);
    const before = await sha256File(image);
    const result = await stack.cliRun(['initialize', '--device', ONCE]);

    expect(result.code).toBe(1);
    expect(result.run.error?.code).toBe('MEDIA_NOT_REWRITABLE');
    expect(await sha256File(image)).toBe(before);
  });
});
