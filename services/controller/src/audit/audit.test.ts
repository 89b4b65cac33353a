/**
 * The audit action with the in-memory drive and the real SQLite catalogs: the disc in the drive
 * is read whole, found in the catalog by its label and compared with its manifest.
 */
import { dayToGraftPoint } from '@cedar-store/domain';
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
import { openDatabase, SqliteAuditCatalog } from '../persistence/index.js';
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
  const manifests = new SqliteManifestCatalog(db);
  const audits = new SqliteAuditCatalog(db);
  const directory = new InMemoryDeviceDirectory([{ ref: DEVICE, staging, drive, mediaType: 'dvd+rw' }]);
  const clock = new FixedClock(new Date(`${DAY1}T22:00:00Z`));
  const container = createControllerContainer({
    deviceDirectory: directory,
    runRepository: runs,
    mediaCatalog: new SqliteMediaCatalog(db),
    manifestCatalog: manifests,
    auditCatalog: audits,
    clock,
    policySource: new StaticPolicySource({ timeZone: 'UTC' }),
  });
  const executor = container.get(RunExecutor);
  const run = async (action: Run['action'], options: Run['options'] = {}): Promise<Run> => {
    const queued = newRun({ action, device: DEVICE, options }, clock.now());
    await runs.create(queued);
    await executor.execute(queued);
    return (await runs.get(queued.id))!;
  };
  /** Stores the day as a store does and files its manifest as the agent's verify would record it. */
  const store = async (day: string, files: Record<string, string>, withManifest = true): Promise<Run> => {
    staging.addDay(day, files);
    clock.set(new Date(`${day}T22:00:00Z`));
    const stored = await run('store');
    expect(stored.status).toBe('succeeded');
    if (withManifest) {
      const records: ManifestRecord[] = Object.entries(files).map(([path, text]) => ({
        day,
        path: `${dayToGraftPoint(day)}/${path}`,
        size: new TextEncoder().encode(text).byteLength,
        sha256: sha256Of(new TextEncoder().encode(text)),
      }));
      await manifests.startManifest(stored.id, clock.now().toISOString());
      await manifests.addManifestPage(stored.id, records);
      await manifests.finishManifest(stored.id);
    }
    return stored;
  };
  // The agent's side of manifest.read: the hashes the drive recorded under the audit's opId.
  const agent: AgentManifests = {
    async read(opId, cursor, maxRecords) {
      const records = drive.auditRecords.get(opId) ?? [];
      const page = records.slice(cursor, cursor + maxRecords);
      const next = cursor + page.length;
      return { records: page, nextCursor: next >= records.length ? null : next };
    },
    async hash() {
      throw new Error('not used');
    },
  };
  Object.assign(directory, { manifests: () => agent });
  return { drive, run, store, audits };
}

const FILES1 = { 'a.txt': 'alpha', 'docs/b.conf': 'beta' };
const FILES2 = { 'x.txt': 'xray' };

describe('audit', () => {
  it('passes a disc whose every file matches its manifest, and keeps the verdict', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    await h.store(DAY2, FILES2);
    const run = await h.run('audit');

    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.audit).toMatchObject({
      disc: { id: 1 },
      files: 3,
      ok: true,
      counts: { missing: 0, extra: 0, differing: 0, unreadable: 0 },
      md5: 'absent',
      problems: [],
    });
    expect(await h.audits.lastAudit(1)).toMatchObject({ runId: run.id, ok: true, files: 3 });
  });

  it('fails VERIFY_FAILED naming a file whose bytes changed, and says what to do', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.drive.corrupt('2026/11/25/docs/b.conf');
    const run = await h.run('audit');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('VERIFY_FAILED');
    expect(run.error?.message).toContain('1 file(s) differing from the manifest: 2026/11/25/docs/b.conf');
    expect(run.error?.message).toMatch(/Re-burn those days from a still-good copy.*or replace the disc/);
    expect(run.audit).toMatchObject({
      ok: false,
      counts: { differing: 1, missing: 0 },
      problems: [{ kind: 'differing', path: '2026/11/25/docs/b.conf' }],
    });
    expect(await h.audits.lastAudit(1)).toMatchObject({ ok: false, counts: { differing: 1 } });
  });

  it('refuses a disc the catalog does not know: nothing could be checked, nothing kept', async () => {
    const h = setup();
    await h.store(DAY1, FILES1);
    h.drive.loadDisc('CEDAR-ELSEWHERE', { '2026/11/25/a.txt': 'alpha' });
    const run = await h.run('audit');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('WRONG_DISC');
    expect(run.error?.message).toContain('no disc labelled "CEDAR-ELSEWHERE"');
    expect(run.error?.message).toContain('nothing could be checked');
    expect(await h.audits.lastAudit(1)).toBeNull();
  });

  it('refuses a disc without a manifest: nothing could be checked', async () => {
    const h = setup();
    await h.store(DAY1, FILES1, false);
    const run = await h.run('audit');

    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('INVALID_REQUEST');
    expect(run.error?.message).toMatch(/no manifest of disc 1 .*nothing could be checked/);
    expect(run.audit).toBeUndefined();
  });
});
