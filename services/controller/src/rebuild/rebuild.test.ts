import { repeatedBytes } from '@cedar-store/ports/memory';
import { describe, expect, it } from 'vitest';
import { createHarness } from '../testing/harness.js';

// Thursday 2026-11-26; the week started on Monday 2026-11-23.
describe('rebuild', () => {
  it('recreates the week so far on a new disc, whatever the store indicators say', async () => {
    const h = createHarness();
    h.staging.addDay('2026-11-22', { sunday: 'last week' }, { stored: true });
    h.staging.addDay('2026-11-23', { mon: 'm' }, { stored: true });
    h.staging.addDay('2026-11-24', { tue: 't' }, { stored: true });
    h.staging.addDay('2026-11-25', { wed: 'unfinished' }, { staged: false });
    h.staging.addDay('2026-11-26', { thu: 'th' });
    h.drive.loadDisc('CEDAR BACKUP 23-NOV-2026', { '2026/11/23/mon': 'm', '2026/11/24/tue': 'garbled' });

    const run = await h.run('rebuild');

    expect(run.status).toBe('succeeded');
    expect(run.selection).toEqual({
      today: '2026-11-26',
      days: ['2026-11-23', '2026-11-24', '2026-11-26'],
      rule: 'rebuild',
      crossedMidnight: false,
    });
    expect(run.blanking).toEqual({ newDisc: true, rule: 'rebuild', todayIsStart: true });
    expect(run.write?.sessions).toBe(1);
    expect(h.discText()).toEqual({ '2026/11/23/mon': 'm', '2026/11/24/tue': 't', '2026/11/26/thu': 'th' });
    expect(run.verify?.ok).toBe(true);
    expect(h.staging.markStoredCalls).toEqual([['2026-11-23', '2026-11-24', '2026-11-26']]);
  });

  // Cedar Backup rebuild.py _findRebuildDirs includes a symlinked day when it is staged
  // (`os.path.isdir(stageDir) and os.path.exists(indicator)`): the week is not written without it.
  it('fails naming a day of the week symlinked out of the staging root, touching no media', async () => {
    const h = createHarness();
    h.staging.addDay('2026-11-23', { mon: 'm' });
    h.staging.addLinkedOutDay('2026-11-24', '/srv/elsewhere/24');
    h.staging.addDay('2026-11-26', { thu: 'th' });
    h.staging.addLinkedOutDay('2026-11-27', '/srv/elsewhere/27');
    const run = await h.run('rebuild');

    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'NO_STAGING_DIRECTORY' });
    expect(run.error?.message).toMatch(/^2026-11-24 is a symlink to \/srv\/elsewhere\/24, outside the staging root/);
    expect(run.error?.message).not.toContain('2026-11-27');
    expect(h.drive.operations).toEqual([]);
  });

  it('rebuilds only today when today is the starting day', async () => {
    const h = createHarness({ policy: { startingDay: 'thursday' } });
    h.staging.addDay('2026-11-25', { wed: 'w' });
    h.staging.addDay('2026-11-26', { thu: 't' });
    const run = await h.run('rebuild');

    expect(run.selection?.days).toEqual(['2026-11-26']);
    expect(h.discText()).toEqual({ '2026/11/26/thu': 't' });
  });

  it('fails with NO_STAGING_DIRECTORY when the week holds nothing staged', async () => {
    const h = createHarness();
    h.staging.addDay('2026-11-22', { old: 'x' });
    const run = await h.run('rebuild');

    expect(run.error?.code).toBe('NO_STAGING_DIRECTORY');
    expect(h.drive.operations).toEqual([]);
  });

  it('as a dry run plans the new disc and leaves the old one, and the store indicators, as they were', async () => {
    const h = createHarness();
    h.drive.loadDisc('CEDAR BACKUP 23-NOV-2026', { '2026/11/23/mon': 'm' });
    h.staging.addDay('2026-11-23', { mon: 'm' }, { stored: true });
    h.staging.addDay('2026-11-24', { tue: 't' });
    const run = await h.run('rebuild', { dryRun: true });

    expect(run.status).toBe('succeeded');
    expect(run.selection?.days).toEqual(['2026-11-23', '2026-11-24']);
    expect(run.blanking).toEqual({ newDisc: true, rule: 'rebuild', todayIsStart: true });
    expect(run.image?.estimatedBytes).toBeLessThanOrEqual(run.image!.availableBytes!);
    expect(h.drive.operations).toEqual(['status', 'estimate']);
    expect(h.discText()).toEqual({ '2026/11/23/mon': 'm' });
    expect(h.staging.markStoredCalls).toEqual([]);
    expect(await h.catalog.list()).toEqual([]);
  });

  it('refuses a week that does not fit before blanking the old disc', async () => {
    const h = createHarness();
    h.drive.loadDisc('CEDAR BACKUP 23-NOV-2026', { '2026/11/23/a': 'keep me' });
    h.staging.addDay('2026-11-23', { a: repeatedBytes(3 * 2 ** 30) });
    h.staging.addDay('2026-11-24', { b: repeatedBytes(2 * 2 ** 30) });
    const run = await h.run('rebuild');

    expect(run.error?.code).toBe('MEDIA_FULL');
    expect(h.discText()).toEqual({ '2026/11/23/a': 'keep me' });
    expect(h.drive.operations).toEqual(['status', 'estimate']);
  });
});
