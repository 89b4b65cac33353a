import type { AgentManifests, ManifestCatalog, ManifestRecord, OperationRecord, Run } from '@cedar-store/ports';
import {
  FixedClock,
  InMemoryDeviceDirectory,
  InMemoryMediaCatalog,
  InMemoryRunRepository,
} from '@cedar-store/ports/memory';
import { beforeEach, describe, expect, it } from 'vitest';
import { LostOperations } from './lost-operations.js';
import { newRun } from '../runs/new-run.js';

const NOW = new Date('2026-11-26T08:00:00Z');
const DAY = '2026-11-26';

/** A directory whose agent journals what the test says, and that can announce a (re)connect. */
class JournalingDirectory extends InMemoryDeviceDirectory {
  journal = new Map<string, OperationRecord>();
  asked: string[][] = [];
  private readonly listeners = new Set<(agentId: string) => void>();

  constructor() {
    super([]);
  }

  async operations(_agentId: string, opIds: string[]): Promise<OperationRecord[]> {
    this.asked.push(opIds);
    return opIds.flatMap((opId) => (this.journal.has(opId) ? [this.journal.get(opId)!] : []));
  }

  onAgentConnected(listener: (agentId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect(agentId: string): void {
    for (const listener of this.listeners) listener(agentId);
  }
}

let runs: InMemoryRunRepository;
let directory: JournalingDirectory;
let catalog: InMemoryMediaCatalog;
let lost: LostOperations;

beforeEach(() => {
  runs = new InMemoryRunRepository();
  directory = new JournalingDirectory();
  catalog = new InMemoryMediaCatalog();
  lost = new LostOperations(runs, directory, catalog, new FixedClock(NOW));
});

/** A run that lost track of `method` on burner-1/dvd0, as a restart (interrupted) or a lost agent (failed) leaves it. */
async function lostRun(
  action: Run['action'],
  method: NonNullable<Run['operation']>['method'],
  status: 'interrupted' | 'failed' = 'interrupted',
): Promise<Run> {
  const run: Run = {
    ...newRun({ action, device: 'burner-1/dvd0', options: action === 'verify' ? { days: [DAY] } : {} }, NOW),
    status,
    selection: { days: [DAY], rule: 'today', crossedMidnight: false },
    image: { label: 'CEDAR BACKUP 26-NOV-2026' },
    error: { code: status === 'failed' ? 'AGENT_LOST' : 'INTERNAL', message: 'lost track of it' },
  };
  run.operation = { opId: `${run.id}:${method.slice(6)}`, method, state: 'running' };
  await runs.create(run);
  return run;
}

function journal(run: Run, state: OperationRecord['state'], extra: Partial<OperationRecord> = {}): void {
  const opId = run.operation!.opId;
  directory.journal.set(opId, {
    opId,
    method: run.operation!.method,
    device: 'dvd0',
    state,
    startedAt: '2026-11-26T07:00:00.000Z',
    finishedAt: '2026-11-26T07:10:00.000Z',
    ...extra,
  });
}

const REPORT = { ok: true, method: 'fuseiso' as const, filesCompared: 3, bytesCompared: 30, mismatches: [] };

describe('lost operations', () => {
  it('records a write the journal says finished, but keeps the run unfinished: written is not stored', async () => {
    const run = await lostRun('store', 'media.write');
    journal(run, 'succeeded', { result: { bytesWritten: 8192, sessions: 3 } });
    lost.watch();
    directory.connect('burner-1');
    await lost.resolve('burner-1');

    const after = (await runs.get(run.id))!;
    expect(after.status).toBe('interrupted');
    expect(after.operation).toMatchObject({ state: 'succeeded', learnedAt: NOW.toISOString() });
    expect(after.write).toEqual({ bytesWritten: 8192, sessions: 3, durationMs: 600_000 });
    expect(after.error?.message).toMatch(/finished .* not verified|lost track of it before the disc was verified/);
    expect(after.error?.message).toMatch(/2026-11-26 still waits in staging: run cedar-store store again today/);
    expect((await runs.events(run.id)).map((e) => e.type)).toEqual(['warning']);
  });

  it('files a learned new-disc write in the catalog, so later appends are not filed under the old disc', async () => {
    await catalog.recordSession({
      device: 'burner-1/dvd0',
      discLabel: 'CEDAR BACKUP 23-NOV-2026',
      sessionLabel: 'CEDAR BACKUP 23-NOV-2026',
      newDisc: true,
      days: ['2026-11-23'],
      bytes: 100,
      runId: 'old-run',
      writtenAt: '2026-11-23T02:00:00.000Z',
    });
    const run = await lostRun('store', 'media.write');
    await runs.save({ ...run, blanking: { newDisc: true, rule: 'startOfWeek' } });
    journal(run, 'succeeded', { result: { bytesWritten: 8192, sessions: 1 } });
    await lost.resolve('burner-1');

    const current = await catalog.currentDisc('burner-1/dvd0');
    expect(current?.label).toBe('CEDAR BACKUP 26-NOV-2026');
    expect(current?.sessions).toEqual([
      expect.objectContaining({ days: [DAY], bytes: 8192, runId: run.id, writtenAt: '2026-11-26T07:10:00.000Z' }),
    ]);
    expect(current?.sessions[0]?.verified).toBeUndefined();
    expect((await catalog.list()).map((disc) => disc.label)).toEqual([
      'CEDAR BACKUP 26-NOV-2026',
      'CEDAR BACKUP 23-NOV-2026',
    ]);
  });

  it('leaves the catalog alone when a later disc was started after the lost write began', async () => {
    const run = await lostRun('store', 'media.write');
    await runs.save({ ...run, blanking: { newDisc: true, rule: 'startOfWeek' } });
    await catalog.recordSession({
      device: 'burner-1/dvd0',
      discLabel: 'CEDAR BACKUP 27-NOV-2026',
      sessionLabel: 'CEDAR BACKUP 27-NOV-2026',
      newDisc: true,
      days: ['2026-11-27'],
      bytes: 100,
      runId: 'later-run',
      writtenAt: '2026-11-27T02:00:00.000Z',
    });
    journal(run, 'succeeded', { result: { bytesWritten: 8192, sessions: 1 } });
    await lost.resolve('burner-1');

    expect((await catalog.list()).map((disc) => [disc.label, disc.sessions.length])).toEqual([
      ['CEDAR BACKUP 27-NOV-2026', 1],
    ]);
  });

  it("fails the run with the agent's error when the journal says the write failed", async () => {
    const run = await lostRun('store', 'media.write', 'failed');
    journal(run, 'failed', { error: { code: 'MEDIA_FULL', message: 'the image does not fit' } });
    await lost.resolve('burner-1');
    const after = (await runs.get(run.id))!;
    expect(after.status).toBe('failed');
    expect(after.error).toMatchObject({ code: 'MEDIA_FULL', message: expect.stringMatching(/does not fit .*journal/) });
    expect(after.operation?.state).toBe('failed');
  });

  it('lets a verify run succeed on its journaled report, and fails one whose report found differences', async () => {
    const good = await lostRun('verify', 'media.verify');
    journal(good, 'succeeded', { result: REPORT });
    const bad = await lostRun('verify', 'media.verify', 'failed');
    journal(bad, 'succeeded', {
      result: { ...REPORT, ok: false, mismatches: [{ path: '2026/11/26/a', kind: 'content' }] },
    });
    await lost.resolve('burner-1');
    expect(await runs.get(good.id)).toMatchObject({ status: 'succeeded', verify: REPORT });
    expect((await runs.get(good.id))!.error).toBeUndefined();
    expect(await runs.get(bad.id)).toMatchObject({ status: 'failed', error: { code: 'VERIFY_FAILED' } });
  });

  it('words a verify failure learned late as one seen live: ten differences named, then how many more', async () => {
    const many = await lostRun('verify', 'media.verify', 'failed');
    const mismatches = Array.from({ length: 12 }, (_, i) => ({ path: `2026/11/26/f${i}`, kind: 'content' as const }));
    journal(many, 'succeeded', { result: { ...REPORT, ok: false, mismatches } });
    const unnamed = await lostRun('verify', 'media.verify', 'failed');
    journal(unnamed, 'succeeded', { result: { ...REPORT, ok: false } });
    await lost.resolve('burner-1');
    const manyError = (await runs.get(many.id))!.error?.message;
    expect(manyError).toMatch(
      /^verify found 12 difference\(s\) between the disc and staging: 2026\/11\/26\/f0 \(content\)/,
    );
    expect(manyError).toMatch(
      /2026\/11\/26\/f9 \(content\) and 2 more \(learned from agent burner-1's operation journal/,
    );
    expect(manyError).not.toMatch(/f10/);
    expect((await runs.get(unnamed.id))!.error?.message).toMatch(
      /^verify reported a failure without naming a file \(method fuseiso\) \(learned from/,
    );
  });

  it('never calls a store succeeded on a verified disc it lost track of: the indicator is for the run flow alone', async () => {
    const run = await lostRun('store', 'media.verify');
    journal(run, 'succeeded', { result: REPORT });
    await lost.resolve('burner-1');
    const after = (await runs.get(run.id))!;
    expect(after.status).toBe('interrupted');
    expect(after.verify).toEqual(REPORT);
    expect(after.error?.message).toMatch(/read back identical, but .* store indicator/);
  });

  it("files the manifest the agent kept for a store's verify it learns passed, page by page", async () => {
    const record = (name: string): ManifestRecord => ({
      day: DAY,
      path: `2026/11/26/${name}`,
      size: 1,
      sha256: '0'.repeat(64),
    });
    const pages = [
      { records: [record('a'), record('b')], nextCursor: 100 },
      { records: [record('c')], nextCursor: null },
    ];
    const asked: Array<[string, number]> = [];
    const agent: AgentManifests = {
      read: async (opId, cursor) => {
        asked.push([opId, cursor]);
        return pages[cursor === 0 ? 0 : 1]!;
      },
      hash: async () => ({ files: 0, bytes: 0 }),
    };
    const filed: string[] = [];
    const manifests = {
      discSessionOfRun: async () => ({ disc: { id: 1 }, position: 1 }),
      dropStagedManifest: async () => undefined,
      stageManifestPage: async (_runId: string, records: readonly ManifestRecord[]) => {
        filed.push(...records.map((r) => r.path));
      },
      adoptManifest: async () => ({ days: 1, files: filed.length }),
    } as unknown as ManifestCatalog;
    Object.assign(directory, { manifests: () => agent });
    lost = new LostOperations(runs, directory, catalog, new FixedClock(NOW), manifests);

    const run = await lostRun('store', 'media.verify', 'failed');
    journal(run, 'succeeded', { result: REPORT });
    await lost.resolve('burner-1');
    const after = (await runs.get(run.id))!;
    expect(asked).toEqual([
      [run.operation!.opId, 0],
      [run.operation!.opId, 100],
    ]);
    expect(filed).toEqual(['2026/11/26/a', '2026/11/26/b', '2026/11/26/c']);
    expect(after.manifest).toEqual({ days: 1, files: 3, source: 'verify' });
    expect(after.status).toBe('failed');
    expect(after.warnings.at(-1)?.message).toMatch(/The manifest of its 3 file\(s\) was recorded\./);
  });

  it('records an initialize the journal saw finish in the catalog and calls the run succeeded', async () => {
    const run = await lostRun('initialize', 'media.initialize');
    journal(run, 'succeeded', { result: {} });
    await lost.resolve('burner-1');
    expect((await runs.get(run.id))!.status).toBe('succeeded');
    expect((await catalog.currentDisc('burner-1/dvd0'))?.label).toBe('CEDAR BACKUP 26-NOV-2026');
  });

  it('says the outcome is unknown when the journal cannot know it or has no record, and asks only once', async () => {
    const unknown = await lostRun('store', 'media.write');
    journal(unknown, 'unknown', { error: { code: 'AGENT_LOST', message: 'the agent stopped while it ran' } });
    const unrecorded = await lostRun('store', 'media.write', 'failed');
    await lost.resolve('burner-1');
    expect(await runs.get(unknown.id)).toMatchObject({
      status: 'interrupted',
      operation: { state: 'unknown' },
      error: { message: expect.stringMatching(/outcome of media\.write is unknown: the agent stopped/) },
    });
    expect(await runs.get(unrecorded.id)).toMatchObject({ status: 'failed', operation: { state: 'unknown' } });
    directory.asked = [];
    await lost.resolve('burner-1');
    expect(directory.asked).toEqual([]);
  });

  it('leaves an operation still running on the agent for later, and ignores other agents and live runs', async () => {
    const running = await lostRun('store', 'media.write');
    journal(running, 'running');
    const live: Run = { ...newRun({ action: 'store', device: 'burner-1/dvd0' }, NOW), status: 'running' };
    live.operation = { opId: `${live.id}:write`, method: 'media.write', state: 'running' };
    await runs.create(live);
    const elsewhere = await lostRun('store', 'media.write');
    await runs.save({ ...elsewhere, device: 'burner-2/dvd0' });

    await lost.resolve('burner-1');
    expect(directory.asked).toEqual([[running.operation!.opId]]);
    expect((await runs.get(running.id))!.operation?.state).toBe('running');
    expect((await runs.get(live.id))!.operation?.state).toBe('running');
  });
});
