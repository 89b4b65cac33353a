import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { DatabaseError } from './database-error.js';
import { SqliteMediaCatalog } from './sqlite-media-catalog.js';
import { SqliteRunRepository } from './sqlite-run-repository.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cedar-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('opens a file database in WAL mode with the durability settings', () => {
    const db = openDatabase(join(dir, 'controller.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1000);
    } finally {
      db.close();
    }
  });

  it('waits for a lock while opening, and names the lock when it outlasts the wait', () => {
    const path = join(dir, 'controller.db');
    const holder = new BetterSqlite3(path);
    try {
      holder.exec('BEGIN EXCLUSIVE');
      expect(() => openDatabase(path, { openBusyTimeoutMs: 100 })).toThrow(
        /cannot open the controller database .*controller\.db: another program holds its lock .*fuser/,
      );
      holder.exec('ROLLBACK');
      const db = openDatabase(path, { openBusyTimeoutMs: 100 });
      // Opened, the short wait of normal work applies again.
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1000);
      db.close();
    } finally {
      holder.close();
    }
  });

  it('creates the missing directories above the file', () => {
    const path = join(dir, 'var', 'lib', 'cedar-store', 'controller.db');
    openDatabase(path).close();
    expect(() => openDatabase(path).close()).not.toThrow();
  });

  it('works in memory for tests', async () => {
    const db = openDatabase(':memory:');
    try {
      const runs = new SqliteRunRepository(db);
      await runs.create(run('r1'));
      expect((await runs.get('r1'))?.id).toBe('r1');
    } finally {
      db.close();
    }
  });

  it('keeps runs, events and the catalog across a close and reopen of the same file', async () => {
    const path = join(dir, 'controller.db');
    const first = openDatabase(path);
    await new SqliteRunRepository(first).create(run('r1'));
    await new SqliteRunRepository(first).appendEvent('r1', { type: 'step', step: 'select', state: 'started' });
    await new SqliteMediaCatalog(first).recordSession({
      device: 'burner-1/dvd0',
      discLabel: 'CEDAR BACKUP 26-NOV-2026',
      sessionLabel: 'CEDAR BACKUP 26-NOV-2026',
      newDisc: true,
      days: ['2026-11-26'],
      bytes: 10,
      runId: 'r1',
      writtenAt: '2026-11-26T21:00:00.000Z',
    });
    first.close();

    const second = openDatabase(path);
    try {
      const runs = new SqliteRunRepository(second);
      expect(await runs.get('r1')).toEqual(run('r1'));
      expect(await runs.events('r1')).toMatchObject([{ seq: 1, type: 'step', step: 'select' }]);
      expect((await runs.appendEvent('r1', { type: 'warning', code: 'X', message: 'y' })).seq).toBe(2);
      expect((await new SqliteMediaCatalog(second).currentDisc('burner-1/dvd0'))?.sessions).toHaveLength(1);
    } finally {
      second.close();
    }
  });

  it('names the path and says what to do when the location cannot hold a database', () => {
    // A regular file where a directory should be: refused even for root, unlike permissions.
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const path = join(blocker, 'controller.db');
    const error = catchError(() => openDatabase(path));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: 'INTERNAL', path });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/controller\.yaml/);
  });

  // Root writes anywhere, so only an ordinary user can see permissions refuse it.
  it.skipIf(process.getuid?.() === 0)('names the path when its directory is not writable', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    const path = join(locked, 'controller.db');
    const error = catchError(() => openDatabase(path));
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toContain(path);
  });

  it('refuses a directory given as the database file', () => {
    const error = catchError(() => openDatabase(dir));
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toContain(dir);
  });

  it('refuses a file that is not a database and leaves it untouched', () => {
    const path = join(dir, 'notes.txt');
    const text = 'these are not the tables you are looking for\n'.repeat(20);
    writeFileSync(path, text);
    const error = catchError(() => openDatabase(path));
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/not a usable SQLite database/);
    expect((error as Error).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

function run(id: string) {
  return {
    id,
    action: 'store' as const,
    device: 'burner-1/dvd0',
    status: 'queued' as const,
    requestedAt: '2026-11-26T21:00:00.000Z',
    options: {},
    warnings: [],
  };
}

function catchError(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
