// While another program holds the database's lock, the controller refuses new runs, keeps
// what accepted runs record, answers reads from memory, and saves it all once the lock goes.
import type { Run } from '@cedar-store/ports';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLockableDatabase, type LockableDatabase } from '../testing/lockable-database.js';
import type { DatabaseAvailability } from './database-availability.js';
import { DatabaseUnavailableError } from './database-unavailable.js';
import { SqliteDeviceMemory } from './sqlite-device-memory.js';
import { SqliteMediaCatalog } from './sqlite-media-catalog.js';
import { SqliteRunRepository } from './sqlite-run-repository.js';

let file: LockableDatabase;
let availability: DatabaseAvailability;

beforeEach(() => {
  file = openLockableDatabase('cedar-availability-');
  availability = file.availability();
});
afterEach(() => file.close());

function run(id: string, patch: Partial<Run> = {}): Run {
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

/** What the file holds, read by a connection of its own (not the controller's memory). */
function storedRun(id: string): { status: string } | undefined {
  return file.stored<{ status: string }>('SELECT status FROM runs WHERE id = ?', id)[0];
}

function storedEvents(id: string): number[] {
  return file
    .stored<{ seq: number }>('SELECT seq FROM run_events WHERE run_id = ? ORDER BY seq', id)
    .map((row) => row.seq);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('while another program holds the database lock', () => {
  it('refuses a new run with a coded error that says to retry, and takes it once the lock is gone', async () => {
    const runs = new SqliteRunRepository(file.db, { availability });
    file.lock();
    const refused = await runs.create(run('r1')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DatabaseUnavailableError);
    expect(refused).toMatchObject({ code: 'INTERNAL', details: { reason: 'locked', retryAfterSeconds: 5 } });
    expect((refused as Error).message).toContain(`another program holds the lock on ${file.path}`);
    expect((refused as Error).message).toMatch(/changed nothing.*Retry/);
    expect(availability.readiness()).toMatch(/^unavailable: another program holds the lock/);
    expect(await runs.get('r1')).toBeNull();

    file.unlock();
    expect(availability.readiness()).toBe(true);
    await runs.create(run('r1'));
    expect(storedRun('r1')).toEqual({ status: 'queued' });
  });

  it("keeps an accepted run's saves and events, reads them back, and saves them in order once it can", async () => {
    const runs = new SqliteRunRepository(file.db, { availability });
    await runs.create(run('r1'));
    await runs.appendEvent('r1', { type: 'step', step: 'select', state: 'started' });
    file.lock();

    await runs.save(run('r1', { status: 'running' }));
    const second = await runs.appendEvent('r1', { type: 'step', step: 'select', state: 'finished' });
    await runs.save(run('r1', { status: 'succeeded', finishedAt: '2026-11-26T21:05:00.000Z' }));
    const third = await runs.appendEvent('r1', { type: 'finished', status: 'succeeded' });

    expect([second.seq, third.seq]).toEqual([2, 3]);
    expect(await runs.get('r1')).toMatchObject({ status: 'succeeded' });
    expect((await runs.list({ status: 'succeeded' })).map((r) => r.id)).toEqual(['r1']);
    expect(await runs.list({ status: 'queued' })).toEqual([]);
    expect((await runs.events('r1')).map((event) => event.seq)).toEqual([1, 2, 3]);
    expect((await runs.events('r1', 2)).map((event) => event.type)).toEqual(['finished']);
    expect(availability.keptWrites).toBe(3);
    expect(availability.readiness()).toMatch(/3 write\(s\) kept in memory/);
    expect(storedRun('r1')).toEqual({ status: 'queued' });

    file.unlock();
    await until(() => availability.keptWrites === 0, 'the kept writes are saved');
    expect(storedRun('r1')).toEqual({ status: 'succeeded' });
    expect(storedEvents('r1')).toEqual([1, 2, 3]);
    expect(availability.readiness()).toBe(true);
    // Numbering goes on from the database again.
    expect((await runs.appendEvent('r1', { type: 'warning', code: 'X', message: 'after' })).seq).toBe(4);
  });

  it('shows what the database holds, not a write it refused to keep once memory was full', async () => {
    availability.close();
    availability = file.availability({ maxKeptWrites: 1 });
    const runs = new SqliteRunRepository(file.db, { availability });
    await runs.create(run('r1'));
    await runs.create(run('r2'));
    file.lock();
    await runs.save(run('r1', { status: 'running' }));
    await expect(runs.save(run('r2', { status: 'running' }))).rejects.toThrow();
    await expect(runs.appendEvent('r2', { type: 'step', step: 'select', state: 'started' })).rejects.toThrow();

    file.unlock();
    await until(() => availability.keptWrites === 0, 'the kept write is saved');
    expect(await runs.get('r2')).toMatchObject({ status: 'queued' });
    expect(await runs.events('r2')).toEqual([]);
    expect((await runs.appendEvent('r2', { type: 'step', step: 'select', state: 'started' })).seq).toBe(1);
  });

  it('keeps a catalog session and an agent description, shows them, and saves them after', async () => {
    const runs = new SqliteRunRepository(file.db, { availability });
    const catalog = new SqliteMediaCatalog(file.db, { availability });
    const memory = new SqliteDeviceMemory(file.db, { availability });
    await runs.create(run('r1'));
    file.lock();
    const session = {
      device: 'burner-1/dvd0',
      discLabel: 'CEDAR BACKUP 26-NOV-2026',
      sessionLabel: 'CEDAR BACKUP 26-NOV-2026',
      newDisc: true,
      days: ['2026-11-26' as const],
      bytes: 2048,
      runId: 'r1',
      writtenAt: '2026-11-26T21:05:00.000Z',
      verified: true,
    };
    await catalog.recordSession(session);
    await catalog.recordSession({ ...session, newDisc: false, sessionLabel: 'CEDAR BACKUP 27-NOV-2026' });
    memory.remember('burner-1', [{ id: 'dvd0', backend: 'virtual', mediaType: 'dvd+rw' }]);

    const shown = await catalog.list();
    expect(shown).toHaveLength(1);
    expect(shown[0]!.sessions.map((s) => s.sessionLabel)).toEqual([
      'CEDAR BACKUP 26-NOV-2026',
      'CEDAR BACKUP 27-NOV-2026',
    ]);
    expect((await catalog.currentDisc('burner-1/dvd0'))?.label).toBe('CEDAR BACKUP 26-NOV-2026');
    expect(memory.recall().get('burner-1')).toEqual([{ id: 'dvd0', backend: 'virtual', mediaType: 'dvd+rw' }]);

    file.unlock();
    await until(() => availability.keptWrites === 0, 'the kept writes are saved');
    const reopened = new SqliteMediaCatalog(file.db);
    expect(await reopened.list()).toEqual(shown);
    expect(new SqliteDeviceMemory(file.db).recall().get('burner-1')).toHaveLength(1);
  });
});
