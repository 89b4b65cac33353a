/**
 * The restore action with the in-memory drive and the real SQLite catalogs: the disc is found in
 * the catalog, the drive is checked, and every restored file is compared with the manifest.
 */
import { comparePaths, dayToGraftPoint } from '@cedar-store/domain';
import type { AgentManifests, ManifestRecord, Run } from '@cedar-store/ports';
import {
  FixedClock,
  InMemoryDeviceDirectory,
  InMemoryMediaDrive,
  InMemoryRunRepository,
  InMemoryStagingArea,
  sha256Of,
} from '@cedar-store/ports/memory';
import { describe, expect, it } from 'vitest';
import { createControllerContainer } from '../container.js';
import { openDatabase } from '../persistence/index.js';
import { SqliteManifestCatalog } from '../persistence/sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from '../persistence/sqlite-media-catalog.js';
import { StaticPolicySource } from '../policy/device-policy.js';
import { newRun } from '../runs/new-run.js';
import { RunExecutor } from '../runs/run-executor.js';

const DEVICE = 'burner-1/dvd0';
const DAY1 = '2026-11-25';
const DAY2 = '2026-11-26';

function setup() {
  const db = openDatabase(':memory:');
  const staging = new InMemoryStagingArea();
  const drive = new InMemoryMediaDrive(staging, { mediaType: 'dvd+rw' });
  const runs = new InMemoryRunRepository();
  const media = new SqliteMediaCatalog(db);
  const manifests = new SqliteManifestCatalog(db);
  const directory = new InMemoryDeviceDirectory([{ ref: DEVICE, staging, drive, mediaType: 'dvd+rw' }]);
  const clock = new FixedClock(new Date(`${DAY1}T22:00:00Z`));
  const container = createControllerContainer({
    deviceDirectory: directory,
    runRepository: runs,
    mediaCatalog: media,
    manifestCatalog: manifests,
    clock,
    policySource: new StaticPolicySource({ timeZone: 'UTC' }),
  });
  const executor = container.get(RunExecutor);
  const run = async (action: Run['action'], options: Run['options']): Promise<Run> => {
    const queued = newRun({ action, device: DEVICE, options }, clock.now());
    await runs.create(queued);
    await executor.execute(queued);
    return (await runs.get(queued.id))!;
  };
  /** Stores the day as a store does and files its manifest as the agent's verify would record it. */
  const store = async (day: string, files: Record<string, string>, withManifest = true): Promise<Run> => {
    staging.addDay(day, files);
    clock.set(new Date(`${day}T22:00:00Z`));
    const stored = await run('store', {});
    expect(stored.status).toBe('succeeded');
    if (withManifest) {
      const graft = dayToGraftPoint(day);
      const records: ManifestRecord[] = Object.entries(files).map(([path, text]) => ({
        day,
        path: `${graft}/${path}`,
        size: new TextEncoder().encode(text).byteLength,
        sha256: sha256Of(new TextEncoder().encode(text)),
      }));
      await manifests.startManifest(stored.id, clock.now().toISOString());
      await manifests.addManifestPage(stored.id, records);
      await manifests.finishManifest(stored.id);
    }
    return stored;
  };
  // The agent's side of manifest.read: the hashes the drive recorded under a restore's opId.
  const agent: AgentManifests = {
    async read(opId, cursor, maxRecords) {
      const records = drive.restoreRecords.get(opId) ?? [];
      const page = records.slice(cursor, cursor + maxRecords);
      const next = cursor + page.length;
      return { records: page, nextCursor: next >= records.length ? null : next };
    },
    async hash() {
      throw new Error('not used');
    },
  };
  const withAgentManifests = () => Object.assign(directory, { manifests: () => agent });
  return { drive, staging, run, store, withAgentManifests, clock };
}

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
