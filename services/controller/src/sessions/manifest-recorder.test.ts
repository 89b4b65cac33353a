// Bringing an agent's manifest into the catalog: every page staged once, in order, with the
// next page read while one is staged, and filed under the session only whole; a store without
// read-back fetches its manifest as soon as the hash ends, before its session is in the catalog.
import { createHash } from 'node:crypto';
import type { AgentManifests, ManifestPage, ManifestRecord } from '@cedar-store/ports';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../persistence/index.js';
import { SqliteManifestCatalog } from '../persistence/sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from '../persistence/sqlite-media-catalog.js';
import { importManifest, StagingManifest } from './manifest-recorder.js';

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

  async hash(_days: string[], _opId: string): Promise<{ files: number; bytes: number }> {
    throw new Error('not used');
  }
}

let manifests: SqliteManifestCatalog;
let db: ReturnType<typeof openDatabase>;

beforeEach(async () => {
  db = openDatabase(':memory:');
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
    catalog.stageManifestPage = async (runId, records) => {
      events.push(`file ${records[0]!.size}`);
      return manifests.stageManifestPage(runId, records);
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
    // Nothing of it waits to be filed by a later adopt.
    expect(await manifests.adoptManifest('run-1', manifest.recordedAt)).toEqual({ days: 0, files: 0 });
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

/** An agent whose hash ends when the test says so. */
class HashingAgent extends PagedAgent {
  hashes: string[] = [];
  private finish!: (error?: Error) => void;
  private readonly hashed = new Promise<void>((resolve, reject) => {
    this.finish = (error) => (error ? reject(error) : resolve());
  });

  override async hash(_days: string[], opId: string): Promise<{ files: number; bytes: number }> {
    this.hashes.push(opId);
    await this.hashed;
    return { files: RECORDS.length, bytes: 300 };
  }

  hashEnds(error?: Error): Promise<void> {
    this.finish(error);
    return new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function sessionOf(runId: string): Promise<void> {
  await new SqliteMediaCatalog(db).recordSession({
    device: 'burner-1/dvd0',
    discLabel: 'CEDAR BACKUP 25-NOV-2026',
    sessionLabel: `CEDAR ${runId}`,
    newDisc: false,
    days: [DAY],
    bytes: 100,
    runId,
    writtenAt: '2026-11-25T22:10:00.000Z',
  });
}

describe('StagingManifest', () => {
  it('fetches the whole manifest once the hash ends, before the session is in the catalog', async () => {
    const agent = new HashingAgent(4);
    const staging = new StagingManifest(manifests, agent, 'run-2', [DAY]);
    expect(agent.hashes).toEqual(['run-2:manifest']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(agent.reads).toEqual([]);

    await agent.hashEnds();
    // Every page read while the write would still run; nothing shown yet.
    expect(agent.reads).toEqual([0, 4, 8, 12, 16, 20, 24]);
    expect(await manifests.manifestDays(1)).toEqual([]);

    await sessionOf('run-2');
    expect(await staging.adopt('2026-11-25T22:15:00.000Z')).toEqual({ days: 1, files: 25 });
    expect(await filed()).toEqual(RECORDS.map((r) => r.path));
    await staging.abandon();
    expect(await filed()).toEqual(RECORDS.map((r) => r.path));
  });

  it('a hash that failed is what adopt reports, and nothing is filed', async () => {
    const agent = new HashingAgent(4);
    const staging = new StagingManifest(manifests, agent, 'run-2', [DAY]);
    await agent.hashEnds(new Error('staging day unreadable'));
    await sessionOf('run-2');
    await expect(staging.adopt('2026-11-25T22:15:00.000Z')).rejects.toThrow('staging day unreadable');
    expect(agent.reads).toEqual([]);
    expect(await manifests.manifestDays(1)).toEqual([]);
  });

  it('a run abandoned while the agent still hashes does not wait for it, and fetches nothing after', async () => {
    const agent = new HashingAgent(4);
    const staging = new StagingManifest(manifests, agent, 'run-2', [DAY]);
    await staging.abandon();
    await agent.hashEnds();
    expect(agent.reads).toEqual([]);
    await sessionOf('run-2');
    await expect(staging.adopt('2026-11-25T22:15:00.000Z')).rejects.toThrow(
      'the run ended before its manifest was fetched',
    );
    expect(await manifests.manifestDays(1)).toEqual([]);
  });

  it('a run abandoned during the fetch stops after the page it waits for and keeps nothing', async () => {
    const agent = new HashingAgent(4);
    const staging = new StagingManifest(manifests, agent, 'run-2', [DAY]);
    const read = agent.read.bind(agent);
    let abandoned: Promise<void> | undefined;
    agent.read = (opId: string, cursor: number) => {
      if (cursor === 8) abandoned = staging.abandon();
      return read(opId, cursor);
    };
    await agent.hashEnds();
    await abandoned;
    expect(agent.reads).toEqual([0, 4, 8]);
    await sessionOf('run-2');
    expect(await manifests.adoptManifest('run-2', '2026-11-25T22:15:00.000Z')).toEqual({ days: 0, files: 0 });
  });
});
