import type { Run, RunEventBody, RunRepository } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';

export type RunRepositorySubject = { runs: RunRepository; cleanup(): Promise<void> };
export type RunRepositoryFactory = () => Promise<RunRepositorySubject>;

/** A run as the controller first records it. */
export function queuedRun(id: string, patch: Partial<Run> = {}): Run {
  return {
    id,
    action: 'store',
    device: 'burner-1/dvd0',
    status: 'queued',
    requestedAt: '2026-11-26T21:00:00.000Z',
    options: {},
    warnings: [],
    ...patch,
  };
}

/** A run with every field a finished store can carry. */
function finishedStore(id: string): Run {
  return queuedRun(id, {
    status: 'failed',
    startedAt: '2026-11-26T21:00:01.000Z',
    finishedAt: '2026-11-26T21:04:00.000Z',
    options: { full: false, today: '2026-11-26', days: ['2026-11-26'] },
    selection: { today: '2026-11-26', days: ['2026-11-26'], rule: 'today', crossedMidnight: false },
    blanking: {
      newDisc: true,
      rule: 'factor',
      todayIsStart: false,
      ratio: 1.42,
      factor: 1.3,
      mode: 'weekly',
      availableBytes: 1_000_000,
      requiredBytes: 700_000,
    },
    image: { label: 'CEDAR BACKUP 26-NOV-2026', estimatedBytes: 700_000, availableBytes: 4_700_000_000 },
    write: { bytesWritten: 712_704, sessions: 1, durationMs: 2_100 },
    verify: {
      ok: false,
      method: 'fuseiso',
      filesCompared: 3,
      bytesCompared: 700_000,
      mismatches: [{ path: '2026/11/26/a.tar', kind: 'content' }],
    },
    warnings: [{ code: 'MIDNIGHT_CROSSED', message: 'midnight was crossed' }],
    error: { code: 'VERIFY_FAILED', message: 'the disc differs from the staging directory' },
  });
}

const EVENT_BODIES: RunEventBody[] = [
  { type: 'step', step: 'select', state: 'started' },
  { type: 'step', step: 'select', state: 'finished', durationMs: 12 },
  { type: 'progress', phase: 'write', bytesDone: 512, bytesTotal: 1024 },
  { type: 'warning', code: 'MIDNIGHT_CROSSED', message: 'midnight was crossed' },
  { type: 'step', step: 'verify', state: 'failed', durationMs: 40, detail: 'VERIFY_FAILED: differs' },
  { type: 'finished', status: 'failed', error: { code: 'VERIFY_FAILED', message: 'differs' } },
];

/** What every RunRepository adapter must do. */
export function runRepositoryContract(name: string, factory: RunRepositoryFactory): void {
  describe(`RunRepository contract: ${name}`, () => {
    async function withRuns(test: (runs: RunRepository) => Promise<void>): Promise<void> {
      const subject = await factory();
      try {
        await test(subject.runs);
      } finally {
        await subject.cleanup();
      }
    }

    it('gives back a created run exactly, every field included', () =>
      withRuns(async (runs) => {
        await runs.create(queuedRun('r1'));
        await runs.create(finishedStore('r2'));
        expect(await runs.get('r1')).toEqual(queuedRun('r1'));
        expect(await runs.get('r2')).toEqual(finishedStore('r2'));
      }));

    it('answers null for a run it does not have', () =>
      withRuns(async (runs) => {
        expect(await runs.get('nope')).toBeNull();
      }));

    it('refuses to create a run whose id exists, keeping the first', () =>
      withRuns(async (runs) => {
        await runs.create(queuedRun('r1'));
        await expect(runs.create(queuedRun('r1', { device: 'burner-2/dvd0' }))).rejects.toThrow(/r1/);
        expect((await runs.get('r1'))?.device).toBe('burner-1/dvd0');
        expect(await runs.list()).toHaveLength(1);
      }));

    it('saves the whole run as it now stands, dropping fields no longer there', () =>
      withRuns(async (runs) => {
        await runs.create(finishedStore('r1'));
        const retried = queuedRun('r1', { status: 'running', startedAt: '2026-11-26T22:00:00.000Z' });
        await runs.save(retried);
        expect(await runs.get('r1')).toEqual(retried);
      }));

    it('refuses to save a run that was never created', () =>
      withRuns(async (runs) => {
        await expect(runs.save(queuedRun('ghost'))).rejects.toThrow(/ghost/);
        expect(await runs.get('ghost')).toBeNull();
      }));

    it('hands out copies: changing a run created, read, saved or listed does not change what is stored', () =>
      withRuns(async (runs) => {
        const run = queuedRun('r1');
        await runs.create(run);
        run.warnings.push({ code: 'X', message: 'after create' });
        const read = (await runs.get('r1')) as Run;
        read.status = 'succeeded';
        read.warnings.push({ code: 'Y', message: 'after get' });
        expect(await runs.get('r1')).toEqual(queuedRun('r1'));

        const saved = queuedRun('r1', { status: 'running' });
        await runs.save(saved);
        saved.warnings.push({ code: 'Z', message: 'after save' });
        const [listed] = await runs.list();
        listed!.warnings.push({ code: 'W', message: 'after list' });
        expect(await runs.get('r1')).toEqual(queuedRun('r1', { status: 'running' }));
        expect(await runs.list()).toEqual([queuedRun('r1', { status: 'running' })]);
      }));

    it('lists newest first, and a save does not reorder', () =>
      withRuns(async (runs) => {
        for (const id of ['a', 'b', 'c']) await runs.create(queuedRun(id));
        await runs.save(queuedRun('a', { status: 'running' }));
        expect((await runs.list()).map((run) => run.id)).toEqual(['c', 'b', 'a']);
      }));

    it('lists by status, by device, both, and up to a limit', () =>
      withRuns(async (runs) => {
        await runs.create(queuedRun('a', { status: 'succeeded' }));
        await runs.create(queuedRun('b', { status: 'failed', device: 'burner-2/bd0' }));
        await runs.create(queuedRun('c', { status: 'succeeded', device: 'burner-2/bd0' }));
        await runs.create(queuedRun('d', { status: 'queued' }));
        const ids = async (filter: Parameters<RunRepository['list']>[0]) =>
          (await runs.list(filter)).map((run) => run.id);
        expect(await ids({ status: 'succeeded' })).toEqual(['c', 'a']);
        expect(await ids({ device: 'burner-2/bd0' })).toEqual(['c', 'b']);
        expect(await ids({ status: 'succeeded', device: 'burner-1/dvd0' })).toEqual(['a']);
        expect(await ids({ limit: 2 })).toEqual(['d', 'c']);
        expect(await ids({ status: 'succeeded', limit: 1 })).toEqual(['c']);
        expect(await ids({ status: 'interrupted' })).toEqual([]);
        expect(await ids({})).toEqual(['d', 'c', 'b', 'a']);
      }));

    it('numbers events per run from 1 and gives them back in order, whatever their kind', () =>
      withRuns(async (runs) => {
        await runs.create(queuedRun('r1'));
        await runs.create(queuedRun('r2'));
        const appended = [];
        for (const body of EVENT_BODIES) appended.push(await runs.appendEvent('r1', body));
        await runs.appendEvent('r2', EVENT_BODIES[0] as RunEventBody);
        expect(appended.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
        const stored = await runs.events('r1');
        expect(stored).toEqual(appended);
        stored.forEach((event, index) => {
          expect(event).toMatchObject({ ...EVENT_BODIES[index], runId: 'r1', seq: index + 1 });
          expect(Number.isNaN(Date.parse(event.at))).toBe(false);
        });
        expect(await runs.events('r2')).toMatchObject([{ runId: 'r2', seq: 1, type: 'step' }]);
      }));

    it('gives only the events after a seq, so a reconnecting stream resumes where it stopped', () =>
      withRuns(async (runs) => {
        await runs.create(queuedRun('r1'));
        for (const body of EVENT_BODIES) await runs.appendEvent('r1', body);
        expect((await runs.events('r1', 4)).map((event) => event.seq)).toEqual([5, 6]);
        expect(await runs.events('r1', 6)).toEqual([]);
        expect(await runs.events('unknown')).toEqual([]);
      }));

    it('keeps seq gapless when callers append at the same time', () =>
      withRuns(async (runs) => {
        await runs.create(queuedRun('r1'));
        const bodies = Array.from({ length: 25 }, (_, index): RunEventBody => ({
          type: 'progress',
          phase: 'write',
          bytesDone: index,
          bytesTotal: 25,
        }));
        const appended = await Promise.all(bodies.map((body) => runs.appendEvent('r1', body)));
        const seqs = appended.map((event) => event.seq).sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
        expect((await runs.events('r1')).map((event) => event.seq)).toEqual(seqs);
      }));

    it('finishes the runs a previous process left running or queued, oldest first, closing their events', () =>
      withRuns(async (runs) => {
        await runs.create(queuedRun('running', { status: 'running' }));
        await runs.appendEvent('running', EVENT_BODIES[0]!);
        await runs.create(queuedRun('queued'));
        await runs.create(finishedStore('done'));
        const at = new Date('2026-11-27T06:00:00.000Z');
        const seen: Array<[string, number]> = [];
        const finished = await runs.finishAbandoned(at, (run, events) => {
          seen.push([run.id, events.length]);
          return { ...run, status: 'interrupted', error: { code: 'INTERNAL', message: `${run.id} stopped` } };
        });
        expect(seen).toEqual([
          ['running', 1],
          ['queued', 0],
        ]);
        expect(finished.map((run) => [run.id, run.status])).toEqual([
          ['running', 'interrupted'],
          ['queued', 'interrupted'],
        ]);
        expect(await runs.get('queued')).toEqual(finished[1]);
        expect((await runs.events('running')).at(-1)).toMatchObject({
          seq: 2,
          at: at.toISOString(),
          type: 'finished',
          status: 'interrupted',
          error: { code: 'INTERNAL', message: 'running stopped' },
        });
        expect((await runs.get('done'))!.status).toBe('failed');
        expect(await runs.finishAbandoned(at, (run) => run)).toEqual([]);
      }));
  });
}
