/**
 * The restore action with the in-memory drive and the real SQLite catalogs: the disc is found in
 * the catalog, the drive is checked, and every restored file is compared with the manifest.
 */
import { comparePaths } from '@cedar-store/domain';
import { describe, expect, it } from 'vitest';
import { createCatalogHarness } from '../testing/catalog-harness.js';

const DAY1 = '2026-11-25';
const DAY2 = '2026-11-26';

const setup = () => createCatalogHarness(DAY1);

const FILES1 = { 'a.txt': 'alpha', 'docs/b.conf': 'beta', 'docs/c.txt': 'gamma' };
const FILES2 = { 'x.txt': 'xray' };

describe('restore', () => {
  it('restores the day from the disc the catalog names and checks every file against the manifest', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    await h.store(DAY2, FILES2);
    h.withAgentManifests();
    const run = await h.run('restore', { day: DAY1, target: 'nov25' });

    expect(run.status).toBe('succeeded');
    expect(run.restore).toMatchObject({
      day: DAY1,
      disc: { id: 1, session: 1 },
      files: 3,
      manifest: true,
      checked: 3,
      mismatchCount: 0,
      unlisted: 0,
    });
    expect([...h.drive.restoreTargets.get('nov25')!.keys()].sort(comparePaths)).toEqual(
      Object.keys(FILES1).map((path) => `2026/11/25/${path}`),
    );
    expect(run.warnings).toEqual([]);
  });

  it('fails naming a file whose bytes differ, leaving what was restored in place', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.withAgentManifests();
    h.drive.corrupt('2026/11/25/docs/b.conf');
    const run = await h.run('restore', { day: DAY1, target: 'nov25' });

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('VERIFY_FAILED');
    expect(run.error?.message).toMatch(/differ from the manifest: 2026\/11\/25\/docs\/b\.conf/);
    expect(run.error?.message).toMatch(/left in memory:\/restore\/nov25/);
    expect(run.restore).toMatchObject({
      checked: 3,
      mismatches: [{ path: '2026/11/25/docs/b.conf', kind: 'content' }],
    });
    expect(h.drive.restoreTargets.get('nov25')?.size).toBe(3);
  });

  it('with --path globs, checks only the files they match', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.withAgentManifests();
    const run = await h.run('restore', { day: DAY1, target: 'confs', paths: ['*.conf'] });

    expect(run.status).toBe('succeeded');
    expect(run.restore).toMatchObject({ files: 1, checked: 1, mismatchCount: 0 });
    expect([...h.drive.restoreTargets.get('confs')!.keys()]).toEqual(['2026/11/25/docs/b.conf']);
  });

  it('warns when the globs match nothing', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.withAgentManifests();
    const run = await h.run('restore', { day: DAY1, target: 'none', paths: ['*.pdf'] });

    expect(run.status).toBe('succeeded');
    expect(run.restore).toMatchObject({ files: 0, checked: 0, mismatchCount: 0 });
    expect(run.warnings.map((warning) => warning.code)).toEqual(['NOTHING_MATCHED']);
  });

  it('restores a day without a manifest and warns that nothing could be checked', async () => {
    const h = setup();
    await h.store(DAY1, FILES1, false);
    h.withAgentManifests();
    const run = await h.run('restore', { day: DAY1, target: 'old' });

    expect(run.status).toBe('succeeded');
    expect(run.restore).toMatchObject({ files: 3, manifest: false, checked: 0 });
    expect(run.warnings.map((warning) => warning.code)).toEqual(['NOT_CHECKED']);
    expect(run.warnings[0]?.message).toMatch(/nothing could be checked/);
  });

  it('fails WRONG_DISC with nothing written when another disc is in the drive', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.drive.loadDisc('CEDAR BACKUP 01-DEC-2026', { '2026/12/01/z': 'zulu' });
    const run = await h.run('restore', { day: DAY1, target: 'nov25' });

    expect(run.error?.code).toBe('WRONG_DISC');
    expect(run.error?.message).toMatch(/not the disc 1 labelled "CEDAR BACKUP 25-NOV-2026"/);
    expect(h.drive.restoreTargets.size).toBe(0);
  });

  it('fails when no disc in the catalog holds the day, before touching the drive', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    const before = h.drive.operations.length;
    const run = await h.run('restore', { day: '2026-10-01', target: 'oct' });

    expect(run.error?.code).toBe('INVALID_REQUEST');
    expect(run.error?.message).toMatch(/no disc in the catalog holds 2026-10-01/);
    expect(h.drive.operations.length).toBe(before);
  });

  it('refuses a non-empty target without force, and restores into it with force', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.withAgentManifests();
    expect((await h.run('restore', { day: DAY1, target: 'nov25' })).status).toBe('succeeded');
    const again = await h.run('restore', { day: DAY1, target: 'nov25' });
    expect(again.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/--force/) });
    expect((await h.run('restore', { day: DAY1, target: 'nov25', force: true })).status).toBe('succeeded');
  });
});
