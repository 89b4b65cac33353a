// What the contract suite cannot say about the SQLite repository: rows damaged outside the
// controller, events of unknown runs, and two connections sharing one file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run, RunEventBody } from '@cedar-store/ports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteRunRepository } from './sqlite-run-repository.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cedar-runs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(id: string, patch: Partial<Run> = {}): Run {
  return {
    id,
    action: 'store',
    device: 'burner-1/dvd0',
    status: 'succeeded',
    requestedAt: '2026-11-26T21:00:00.000Z',
    options: {},
    warnings: [],
    ...patch,
  };
}

describe('SqliteRunRepository', () => {
  it('still lists a run whose stored record is unreadable, from its indexed columns', async () => {
    const db = openDatabase(':memory:');
    try {
      const runs = new SqliteRunRepository(db);
      await runs.create(run('good'));
      await runs.create(run('damaged', { status: 'failed', device: 'burner-2/bd0' }));
      db.prepare("UPDATE runs SET body = '{not json' WHERE id = 'damaged'").run();

      const listed = await runs.list();
      expect(listed.map((r) => r.id)).toEqual(['damaged', 'good']);
      expect(listed[0]).toMatchObject({
        id: 'damaged',
        status: 'failed',
        device: 'burner-2/bd0',
        requestedAt: '2026-11-26T21:00:00.000Z',
        error: { code: 'INTERNAL', message: expect.stringMatching(/unreadable/) },
      });
      expect(await runs.list({ device: 'burner-2/bd0' })).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('still streams a run whose event record is unreadable, keeping its seq', async () => {
    const db = openDatabase(':memory:');
    try {
      const runs = new SqliteRunRepository(db);
      await runs.create(run('r1'));
      await runs.appendEvent('r1', { type: 'step', step: 'select', state: 'started' });
      await runs.appendEvent('r1', { type: 'step', step: 'select', state: 'finished' });
      db.prepare("UPDATE run_events SET body = '[' WHERE seq = 1").run();
      expect(await runs.events('r1')).toMatchObject([
        { seq: 1, type: 'warning', code: 'EVENT_UNREADABLE' },
        { seq: 2, type: 'step', state: 'finished' },
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses an event of a run it does not have', async () => {
    const db = openDatabase(':memory:');
    try {
      const runs = new SqliteRunRepository(db);
      await expect(runs.appendEvent('ghost', { type: 'warning', code: 'X', message: 'y' })).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringMatching(/ghost/),
      });
    } finally {
      db.close();
    }
  });

  it('stamps events with its clock', async () => {
    const db = openDatabase(':memory:');
    try {
      const runs = new SqliteRunRepository(db, { now: () => new Date('2026-11-26T21:30:00.000Z') });
      await runs.create(run('r1'));
      const event = await runs.appendEvent('r1', { type: 'warning', code: 'X', message: 'y' });
      expect(event.at).toBe('2026-11-26T21:30:00.000Z');
      expect(await runs.events('r1')).toEqual([event]);
    } finally {
      db.close();
    }
  });

  it('keeps seq gapless when two connections to one file append to the same run', async () => {
    const path = join(dir, 'controller.db');
    const first = openDatabase(path);
    const second = openDatabase(path);
    try {
      const one = new SqliteRunRepository(first);
      const two = new SqliteRunRepository(second);
      await one.create(run('r1', { status: 'running' }));
      const body = (n: number): RunEventBody => ({ type: 'progress', phase: 'write', bytesDone: n, bytesTotal: 40 });
      const appended = await Promise.all(
        Array.from({ length: 40 }, (_, n) => (n % 2 === 0 ? one : two).appendEvent('r1', body(n))),
      );
      const expected = Array.from({ length: 40 }, (_, n) => n + 1);
      expect(appended.map((event) => event.seq).sort((a, b) => a - b)).toEqual(expected);
      expect((await two.events('r1')).map((event) => event.seq)).toEqual(expected);
    } finally {
      first.close();
      second.close();
    }
  });
});
