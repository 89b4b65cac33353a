// A store without read-back (checkData off) records the manifest of the staging days: the
// controller fetches it as soon as the agent's hash ends, while the disc is still being written,
// files it once the session is in the catalog, and keeps nothing of it when the write fails.
import { dayToGraftPoint } from '@cedar-store/domain';
import type { AgentManifests, ManifestRecord } from '@cedar-store/ports';
import { sha256Of } from '@cedar-store/ports/memory';
import { describe, expect, it, vi } from 'vitest';
import { createCatalogHarness } from '../testing/catalog-harness.js';

const DAY = '2026-11-24';
const FILES: Record<string, string> = Object.fromEntries(
  Array.from({ length: 9 }, (_, i) => [`docs/file-${i}.txt`, `contents of file ${i}\n`]),
);

/** The agent's manifest side: hash records the staging files' hashes, read pages them three at a time. */
function hashingAgent() {
  const recorded = new Map<string, ManifestRecord[]>();
  const agent = {
    reads: [] as number[],
    async hash(days: string[], opId: string) {
      const records = Object.entries(FILES).map(([path, text]) => ({
        day: days[0]!,
        path: `${dayToGraftPoint(days[0]!)}/${path}`,
        size: new TextEncoder().encode(text).byteLength,
        sha256: sha256Of(new TextEncoder().encode(text)),
      }));
      recorded.set(opId, records);
      return { files: records.length, bytes: records.reduce((sum, r) => sum + r.size, 0) };
    },
    async read(opId: string, cursor: number) {
      agent.reads.push(cursor);
      const records = recorded.get(opId) ?? [];
      const page = records.slice(cursor, cursor + 3);
      const next = cursor + page.length;
      return { records: page, nextCursor: next >= records.length ? null : next };
    },
  } satisfies AgentManifests & { reads: number[] };
  return agent;
}

/** Holds the drive's write until `release` (with an error to make it fail). */
function holdWrites(harness: ReturnType<typeof createCatalogHarness>) {
  let release!: (error?: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    release = (error) => (error ? reject(error) : resolve());
  });
  const write = harness.drive.write.bind(harness.drive);
  harness.drive.write = async (...args) => {
    await gate;
    return write(...args);
  };
  return release;
}

/** A store of DAY without read-back, with its agent's manifest side, held at the write. */
function storeHeldAtTheWrite() {
  const harness = createCatalogHarness(DAY, { checkData: false });
  const agent = hashingAgent();
  harness.withAgentManifests(agent);
  const release = holdWrites(harness);
  harness.staging.addDay(DAY, FILES);
  return { harness, agent, release, running: harness.run('store') };
}

const staged = (harness: ReturnType<typeof createCatalogHarness>) =>
  harness.db.prepare('SELECT count(*) AS n FROM manifest_staged').get();

describe('the manifest of a store without read-back', () => {
  it('is fetched while the disc is written and filed once the session is in the catalog', async () => {
    const { harness, agent, release, running } = storeHeldAtTheWrite();

    // Every page is read before the write ends, and none of it is shown yet.
    await vi.waitFor(() => expect(agent.reads).toEqual([0, 3, 6]));
    await vi.waitFor(() => expect(staged(harness)).toEqual({ n: 9 }));
    expect(await harness.manifests.manifestDays(1)).toEqual([]);

    release();
    const run = await running;
    expect(run.status).toBe('succeeded');
    expect(run.manifest).toEqual({ days: 1, files: 9, source: 'staging' });
    const listed = await harness.manifests.manifestFiles(1, { limit: 20 });
    expect(listed.items.map((file) => file.path)).toEqual(
      Object.keys(FILES)
        .map((path) => `2026/11/24/${path}`)
        .sort(),
    );
    expect(staged(harness)).toEqual({ n: 0 });
  });

  it('keeps nothing of what it fetched when the write fails', async () => {
    const { harness, release, running } = storeHeldAtTheWrite();
    await vi.waitFor(() => expect(staged(harness)).toEqual({ n: 9 }));

    release(new Error('the burner jammed'));
    const run = await running;
    expect(run.status).toBe('failed');
    expect(run.error?.message).toContain('the burner jammed');
    expect(run.manifest).toBeUndefined();
    expect(staged(harness)).toEqual({ n: 0 });
    expect(await harness.manifests.discSessionOfRun(run.id)).toBeNull();
  });
});
