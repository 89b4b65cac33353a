import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run, RunEventBody, StepName } from '@cedar-store/ports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../persistence/database.js';
import { SqliteRunRepository } from '../persistence/sqlite-run-repository.js';
import { interruptionReason, recoverInterruptedRuns } from './interrupted-runs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cedar-recover-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const restartedAt = new Date('2026-11-27T06:00:00.000Z');

function run(id: string, patch: Partial<Run> = {}): Run {
  return {
    id,
    action: 'store',
    device: 'burner-1/dvd0',
    status: 'running',
    requestedAt: '2026-11-26T21:00:00.000Z',
    startedAt: '2026-11-26T21:00:01.000Z',
    options: {},
    selection: { today: '2026-11-26', days: ['2026-11-26'], rule: 'today', crossedMidnight: false },
    warnings: [],
    ...patch,
  };
}

const started = (step: StepName): RunEventBody => ({ type: 'step', step, state: 'started' });
const finished = (step: StepName): RunEventBody => ({ type: 'step', step, state: 'finished', durationMs: 1 });

describe('recoverInterruptedRuns', () => {
  it('says the outcome of an agent operation in flight will be asked for, and leaves it marked running for that', async () => {
    const db = openDatabase(join(dir, 'controller.db'));
    try {
      const runs = new SqliteRunRepository(db);
      const operation = { opId: 'writing:write', method: 'media.write' as const, state: 'running' as const };
      await runs.create(run('writing', { operation }));
      await runs.appendEvent('writing', started('write'));
      const [recovered] = await recoverInterruptedRuns(new SqliteRunRepository(db), restartedAt);
      expect(recovered!.error?.message).toMatch(
        /asks agent burner-1 how media\.write \(operation writing:write\) ended once it connects/,
      );
      expect((await runs.get('writing'))!.operation).toEqual(operation);
    } finally {
      db.close();
    }
  });

  it('after a crash, ends running and queued runs as interrupted with a reason and a finished event', async () => {
    const path = join(dir, 'controller.db');
    const before = openDatabase(path);
    const runs = new SqliteRunRepository(before);
    await runs.create(run('writing'));
    for (const step of ['select', 'checkMedia', 'blankDecision', 'estimate'] as const) {
      await runs.appendEvent('writing', started(step));
      await runs.appendEvent('writing', finished(step));
    }
    await runs.appendEvent('writing', started('write'));
    await runs.appendEvent('writing', { type: 'progress', phase: 'write', bytesDone: 10, bytesTotal: 100 });
    await runs.create(run('waiting', { status: 'queued', startedAt: undefined, selection: undefined }));
    const done = run('done', { status: 'succeeded', finishedAt: '2026-11-26T21:05:00.000Z' });
    await runs.create(done);
    await runs.appendEvent('done', { type: 'finished', status: 'succeeded' });
    // The process dies here: nothing finishes the first two runs.
    before.close();

    const after = openDatabase(path);
    try {
      const recovered = await recoverInterruptedRuns(new SqliteRunRepository(after), restartedAt);
      expect(recovered.map((r) => r.id)).toEqual(['writing', 'waiting']);

      const reread = new SqliteRunRepository(after);
      const writing = await reread.get('writing');
      expect(writing).toMatchObject({
        status: 'interrupted',
        finishedAt: '2026-11-27T06:00:00.000Z',
        startedAt: '2026-11-26T21:00:01.000Z',
        error: { code: 'INTERNAL' },
      });
      expect(writing?.error?.message).toMatch(/during step write/);
      expect(writing?.error?.message).toMatch(/no store indicator was written/);
      expect(writing?.error?.message).toMatch(/2026-11-26 still waits in staging: run cedar-store store again today/);
      expect(writing?.error?.message).toMatch(/cedar-store verify --day 2026-11-26/);
      expect(recovered[0]).toEqual(writing);

      const waiting = await reread.get('waiting');
      expect(waiting).toMatchObject({ status: 'interrupted', finishedAt: '2026-11-27T06:00:00.000Z' });
      expect(waiting?.error?.message).toMatch(/before this run started; nothing was written\. Request it again/);

      const writingEvents = await reread.events('writing');
      expect(writingEvents).toHaveLength(11);
      expect(writingEvents.at(-1)).toEqual({
        type: 'finished',
        status: 'interrupted',
        error: writing?.error,
        runId: 'writing',
        seq: 11,
        at: '2026-11-27T06:00:00.000Z',
      });
      expect(await reread.events('waiting')).toMatchObject([
        { seq: 1, type: 'finished', status: 'interrupted', error: waiting?.error },
      ]);

      expect(await reread.get('done')).toEqual(done);
      expect(await reread.events('done')).toHaveLength(1);
      expect(await reread.list({ status: 'interrupted' })).toHaveLength(2);
    } finally {
      after.close();
    }
  });

  it('finds nothing the second time: recovery is safe to repeat', async () => {
    const db = openDatabase(':memory:');
    try {
      await new SqliteRunRepository(db).create(run('r1'));
      expect(await recoverInterruptedRuns(new SqliteRunRepository(db), restartedAt)).toHaveLength(1);
      expect(await recoverInterruptedRuns(new SqliteRunRepository(db), restartedAt)).toEqual([]);
      expect(await new SqliteRunRepository(db).events('r1')).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('recovers a run whose stored record is unreadable', async () => {
    const db = openDatabase(':memory:');
    try {
      await new SqliteRunRepository(db).create(run('r1'));
      db.prepare("UPDATE runs SET body = 'garbage' WHERE id = 'r1'").run();
      expect(await recoverInterruptedRuns(new SqliteRunRepository(db), restartedAt)).toMatchObject([
        { id: 'r1', status: 'interrupted' },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('interruptionReason', () => {
  const steps = (...events: [StepName, 'started' | 'finished' | 'skipped'][]) =>
    events.map(([step, state]) => ({ step, state }));

  it('tells a store stopped before the write that nothing was written', () => {
    const reason = interruptionReason(run('r'), steps(['select', 'finished'], ['estimate', 'started']));
    expect(reason).toMatch(/during step estimate/);
    expect(reason).toMatch(/nothing was written to the disc and no store indicator was written/);
  });

  it('tells a run stopped before its first step so', () => {
    expect(interruptionReason(run('r'), [])).toMatch(/\(before its first step\)/);
  });

  it('tells a store stopped while verifying that the days still wait in staging', () => {
    const reason = interruptionReason(
      run('r', { selection: { days: ['2026-11-25', '2026-11-26'], rule: 'full', crossedMidnight: false } }),
      steps(['write', 'started'], ['write', 'finished'], ['verify', 'started']),
    );
    expect(reason).toMatch(/during step verify/);
    expect(reason).toMatch(/2026-11-25, 2026-11-26 still wait in staging/);
    expect(reason).toMatch(/verify --day DAY for each/);
  });

  it('warns that a store stopped while writing store indicators may have marked some days only', () => {
    const reason = interruptionReason(run('r'), steps(['write', 'finished'], ['storeIndicator', 'started']));
    expect(reason).toMatch(/may be written for some of its days \(2026-11-26\) and not for others/);
  });

  it('reassures that a store stopped after its store indicators needs nothing written again', () => {
    const reason = interruptionReason(run('r'), steps(['storeIndicator', 'finished'], ['capacity', 'skipped']));
    expect(reason).toMatch(/after step capacity/);
    expect(reason).toMatch(/marked stored, so nothing needs writing again/);
  });

  it('asks for the rebuild again when a rebuild stopped after the write began', () => {
    const reason = interruptionReason(run('r', { action: 'rebuild' }), steps(['write', 'started']));
    expect(reason).toMatch(/may be blanked or partly written.*Run cedar-store rebuild again/);
  });

  it('tells a verify or an initialize what happened to the disc', () => {
    expect(interruptionReason(run('r', { action: 'verify' }), steps(['verify', 'started']))).toMatch(
      /a verify writes nothing/,
    );
    expect(interruptionReason(run('r', { action: 'initialize' }), steps(['initialize', 'started']))).toMatch(
      /partly blanked or initialized.*cedar-store initialize again/,
    );
    expect(interruptionReason(run('r', { action: 'initialize' }), steps(['checkMedia', 'started']))).toMatch(
      /nothing was written/,
    );
  });

  it('tells a restore stopped while restoring that the target may hold part of the day', () => {
    expect(interruptionReason(run('r', { action: 'restore' }), steps(['restore', 'started']))).toMatch(
      /target may hold part of the day: restore again into a new target, or with --force/,
    );
    expect(interruptionReason(run('r', { action: 'restore' }), steps(['select', 'started']))).toMatch(
      /nothing was written/,
    );
  });
});
