/**
 * The controller with the in-memory drive and the real SQLite catalogs (media, manifests,
 * audits), the way the restore and audit tests use it: one `dvd+rw` device `burner-1/dvd0`,
 * nights stored with their manifests, and the agent's side of manifest.read answered from the
 * hashes the drive recorded under a restore's or an audit's opId.
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
import { expect } from 'vitest';
import { createControllerContainer } from '../container.js';
import { openDatabase, SqliteAuditCatalog } from '../persistence/index.js';
import { SqliteManifestCatalog } from '../persistence/sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from '../persistence/sqlite-media-catalog.js';
import { StaticPolicySource } from '../policy/device-policy.js';
import { newRun } from '../runs/new-run.js';
import { RunExecutor } from '../runs/run-executor.js';

export const CATALOG_DEVICE = 'burner-1/dvd0';

/** The clock stands on the evening of `firstDay` until a store moves it to its own day. */
export function createCatalogHarness(firstDay: string, options: { checkData?: boolean } = {}) {
  const db = openDatabase(':memory:');
  const staging = new InMemoryStagingArea();
  const drive = new InMemoryMediaDrive(staging, { mediaType: 'dvd+rw' });
  const runs = new InMemoryRunRepository();
  const manifests = new SqliteManifestCatalog(db);
  const audits = new SqliteAuditCatalog(db);
  const directory = new InMemoryDeviceDirectory([{ ref: CATALOG_DEVICE, staging, drive, mediaType: 'dvd+rw' }]);
  const clock = new FixedClock(new Date(`${firstDay}T22:00:00Z`));
  const container = createControllerContainer({
    deviceDirectory: directory,
    runRepository: runs,
    mediaCatalog: new SqliteMediaCatalog(db),
    manifestCatalog: manifests,
    auditCatalog: audits,
    clock,
    policySource: new StaticPolicySource({
      timeZone: 'UTC',
      ...(options.checkData === undefined ? {} : { policy: { checkData: options.checkData } }),
    }),
  });
  const executor = container.get(RunExecutor);
  const run = async (action: Run['action'], options: Run['options'] = {}): Promise<Run> => {
    const queued = newRun({ action, device: CATALOG_DEVICE, options }, clock.now());
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
      await manifests.stageManifestPage(stored.id, records);
      await manifests.adoptManifest(stored.id, clock.now().toISOString());
    }
    return stored;
  };
  // The agent's side of manifest.read: the hashes the drive recorded under a restore's or an audit's opId.
  const agent: AgentManifests = {
    async read(opId, cursor, maxRecords) {
      const records = drive.restoreRecords.get(opId) ?? drive.auditRecords.get(opId) ?? [];
      const page = records.slice(cursor, cursor + maxRecords);
      const next = cursor + page.length;
      return { records: page, nextCursor: next >= records.length ? null : next };
    },
    async hash() {
      throw new Error('not used');
    },
  };
  /** From here on the device's agent (this one, or `custom`) answers manifest.read; until then it has no manifests. */
  const withAgentManifests = (custom?: AgentManifests) =>
    Object.assign(directory, { manifests: () => custom ?? agent });
  return { db, drive, staging, run, store, withAgentManifests, clock, audits, manifests };
}
