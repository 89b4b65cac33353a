/**
 * A controller database in a file of its own, and a second connection to the same file, as the
 * sqlite3 shell or a backup tool would be, that takes the file's lock while a test works: the
 * set-up of the tests of what the controller does while another program holds its database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { DatabaseAvailability } from '../persistence/database-availability.js';
import { openDatabase } from '../persistence/database.js';
import { migrate } from '../persistence/migrations.js';

export type LockableDatabase = {
  path: string;
  /** The controller's connection: it waits 50 ms for a lock, then gives up. */
  db: Database;
  /** Another program takes an exclusive lock on the file. */
  lock(): void;
  /** That program lets the lock go. */
  unlock(): void;
  /**
   * The controller's watch over the database, retrying kept writes every 20 ms, on no disk-space
   * limit; the options given on top. Closed with the database.
   */
  availability(options?: { maxKeptWrites?: number }): DatabaseAvailability;
  /** What the file holds, read by a connection of its own (not the controller's memory). */
  stored<Row>(sql: string, ...params: unknown[]): Row[];
  close(): void;
};

/**
 * Opens the database as the controller does (WAL, where a held lock stops writers only), or
 * with a rollback journal (`rollbackJournal`), where it stops readers too.
 */
export function openLockableDatabase(prefix: string, options: { rollbackJournal?: boolean } = {}): LockableDatabase {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'controller.db');
  let db: Database;
  if (options.rollbackJournal) {
    db = new BetterSqlite3(path);
    db.pragma('busy_timeout = 50');
    migrate(db);
  } else {
    db = openDatabase(path, { busyTimeoutMs: 50 });
  }
  const holder = new BetterSqlite3(path);
  const watches: DatabaseAvailability[] = [];
  return {
    path,
    db,
    lock: () => holder.exec('BEGIN EXCLUSIVE'),
    unlock: () => holder.exec('ROLLBACK'),
    availability(extra = {}) {
      const availability = new DatabaseAvailability(db, { path, retryMs: 20, minFreeBytes: 0, ...extra });
      watches.push(availability);
      return availability;
    },
    stored<Row>(sql: string, ...params: unknown[]): Row[] {
      const reader = new BetterSqlite3(path, { readonly: true });
      try {
        return reader.prepare(sql).all(...params) as Row[];
      } finally {
        reader.close();
      }
    },
    close() {
      for (const availability of watches) availability.close();
      holder.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
