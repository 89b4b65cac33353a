// Bringing an agent's manifest into the catalog: every page filed once, in order, with the
// next page read while one is filed; a failure leaves the session's manifest unfinished.
import { createHash } from 'node:crypto';
import type { AgentManifests, ManifestPage, ManifestRecord } from '@cedar-store/ports';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../persistence/index.js';
import { SqliteManifestCatalog } from '../persistence/sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from '../persistence/sqlite-media-catalog.js';
import { importManifest } from './manifest-recorder.js';

const DAY = '2026-11-25';
const record = (i: number): ManifestRecord => ({
  day: DAY,
  path: `2026/11/25/file-${String(i).padStart(4, '0')}`,
  size: i,
  sha256: createHash('sha256').update(String(i)).digest('hex'),
});
const RECORDS = Array.from({ length: 25 }, (_, i) => record(i));

/** An agent holding RECORDS, a page of `pageSize` per read, the cursor a record index. */
class PagedAgent implements AgentManifests {
  reads: number[] = [];
  inFlight = 0;
  mostInFlight = 0;
  constructor(
    private readonly pageSize: number,
    private readonly failAt?: number,
  ) {}

  async read(_opId: string, cursor: number): Promise<ManifestPage> {
    this.reads.push(cursor);
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight -= 1;
    if (cursor === this.failAt) throw new Error('the agent went away');
    const end = Math.min(RECORDS.length, cursor + this.pageSize);
    return { records: RECORDS.slice(cursor, end), nextCursor: end >= RECORDS.length ? null : end };
  }

  async hash(): Promise<{ files: number; bytes: number }> {
    throw new Error('not used');
  }
}

let manifests: SqliteManifestCatalog;

beforeEach(async () => {
  const db = openDatabase(':memory:');
  manifests = new SqliteManifestCatalog(db);
  await new SqliteMediaCatalog(db).recordSession({
    device: 'burner-1/dvd0',
    discLabel: 'CEDAR BACKUP 25-NOV-2026',
    sessionLabel: 'CEDAR run-1',
    newDisc: true,
    days: [DAY],
    bytes: 100,
    runId: 'run-1',
    writtenAt: '2026-11-25T22:00:00.000Z',
  });
});

const manifest = { runId: 'run-1', opId: 'run-1:manifest', recordedAt: '2026-11-25T22:05:00.000Z' };

async function filed(): Promise<string[]> {
  return (await manifests.manifestFiles(1, { limit: 100 })).items.map((file) => file.path);
}

describe('importManifest', () => {
  it('files every page once, reading the next page while one is filed', async () => {
    const agent = new PagedAgent(4);
    const events: string[] = [];
    const read = agent.read.bind(agent);
    agent.read = (opId: string, cursor: number) => (events.push(`read ${cursor}`), read(opId, cursor));
    const catalog = Object.create(manifests) as SqliteManifestCatalog;
    catalog.addManifestPage = async (runId, records) => {
      events.push(`file ${records[0]!.size}`);
      return manifests.addManifestPage(runId, records);
    };
    expect(await importManifest(catalog, agent, manifest)).toEqual({ days: 1, files: 25 });
    expect(await filed()).toEqual(RECORDS.map((r) => r.path));
    // Each page is asked for before the one before it is filed, and no further ahead.
    expect(events).toEqual([
      'read 0',
      'read 4',
      'file 0',
      'read 8',
      'file 4',
      'read 12',
      'file 8',
      'read 16',
      'file 12',
      'read 20',
      'file 16',
      'read 24',
      'file 20',
      'file 24',
    ]);
    expect(agent.mostInFlight).toBe(1);
  });

  it('a page that fails leaves the day unfinished: find and manifest do not show it', async () => {
    const agent = new PagedAgent(4, 12);
    await expect(importManifest(manifests, agent, manifest)).rejects.toThrow('the agent went away');
    expect(await manifests.manifestDays(1)).toEqual([]);
    expect(agent.reads).toEqual([0, 4, 8, 12]);
  });

  it('refuses a manifest whose cursor does not move on', async () => {
    const agent: AgentManifests = {
      read: async () => ({ records: [RECORDS[0]!], nextCursor: 0 }),
      hash: async () => ({ files: 0, bytes: 0 }),
    };
    await expect(importManifest(manifests, agent, manifest)).rejects.toThrow(
      "the agent's manifest of run-1:manifest did not move past byte 0",
    );
    expect(await manifests.manifestDays(1)).toEqual([]);
  });

  it('a session the catalog does not hold has nothing to file', async () => {
    const agent = new PagedAgent(4);
    expect(await importManifest(manifests, agent, { ...manifest, runId: 'run-9' })).toBeNull();
    expect(agent.reads).toEqual([]);
  });
});
