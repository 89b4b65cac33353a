/**
 * Opens the controller's SQLite database: runs, their events and the media catalog must
 * survive a crash of the controller, so every open sets the same durability settings and
 * brings the schema up to date before anything reads it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { DatabaseError, reasonOf } from './database-error.js';
import { migrate } from './migrations.js';

/**
 * How long a statement waits for another connection's write lock before failing. Writes
 * here take milliseconds, so a second covers any other short writer (the sqlite3 shell, a
 * backup taking its snapshot). better-sqlite3 waits synchronously, stalling the HTTP API
 * and the agents' heartbeats, so it stays short: a longer lock is ridden out by
 * DatabaseAvailability, which keeps the writes of running runs and answers new ones 503.
 */
export const BUSY_TIMEOUT_MS = 1000;

/**
 * While the database is opened and migrated nothing else runs yet, so waiting longer for
 * another program's lock stalls nobody and spares a start that would fail.
 */
export const OPEN_BUSY_TIMEOUT_MS = 10_000;

export type OpenDatabaseOptions = { busyTimeoutMs?: number; openBusyTimeoutMs?: number };

const IN_MEMORY = ':memory:';

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  if (path !== IN_MEMORY) ensureDirectory(path);
  let db: Database | undefined;
  try {
    const openBusyTimeoutMs = Math.max(busyTimeoutMs, options.openBusyTimeoutMs ?? OPEN_BUSY_TIMEOUT_MS);
    db = new BetterSqlite3(path, { timeout: openBusyTimeoutMs });
    // WAL lets readers (the HTTP API) proceed while a run writes; NORMAL is durable in WAL
    // except for the last commits before a power loss, never corrupting the file.
    if (path !== IN_MEMORY) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof DatabaseError) throw error;
    throw openFailure(path, error);
  }
}

function ensureDirectory(path: string): void {
  const directory = dirname(resolve(path));
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR' ? 'a file of that name (or above it) is in the way' : reasonOf(error);
    throw new DatabaseError(
      path,
      `cannot create the directory ${directory} for the controller database ${path}: ${reason}. ` +
        'Create it writable by the user the controller runs as, or point "database" in controller.yaml elsewhere.',
      { cause: error },
    );
  }
}

function openFailure(path: string, error: unknown): DatabaseError {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
    return new DatabaseError(
      path,
      `cannot open the controller database ${path}: another program holds its lock (${reasonOf(error)}). ` +
        `Stop that program (fuser ${path} names it), then start the controller again.`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new DatabaseError(
      path,
      `${path} is not a usable SQLite database (${reasonOf(error)}). The controller leaves it untouched: ` +
        'point "database" in controller.yaml at the controller\'s database file or at a new path, ' +
        'or restore the file from a backup.',
      { cause: error },
    );
  }
  return new DatabaseError(
    path,
    `cannot open the controller database ${path}: ${reasonOf(error)}. The file and its directory must be ` +
      'writable by the user the controller runs as (SQLite adds -wal and -shm files beside it); ' +
      'fix the permissions or point "database" in controller.yaml elsewhere.',
    { cause: error },
  );
}
