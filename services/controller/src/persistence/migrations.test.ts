import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { DatabaseError } from './database-error.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion, type Migration } from './migrations.js';
import { SqliteManifestCatalog } from './sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from './sqlite-media-catalog.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cedar-migrations-'));
  path = join(dir, 'controller.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tables(db: BetterSqlite3.Database): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);
}

describe('migrate', () => {
  it('brings a new file to the latest schema version', () => {
    const db = openDatabase(path);
    try {
      expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(tables(db)).toEqual(
        expect.arrayContaining(['agent_devices', 'disc_sessions', 'discs', 'run_events', 'runs']),
      );
    } finally {
      db.close();
    }
  });

  it('is idempotent: reopening or migrating again changes nothing', () => {
    openDatabase(path).close();
    const db = openDatabase(path);
    try {
      const before = tables(db);
      migrate(db);
      migrate(db);
      expect(tables(db)).toEqual(before);
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('applies only the steps a database lacks, in order', () => {
    const applied: string[] = [];
    const steps: Migration[] = ['one', 'two', 'three'].map((name) => ({
      description: name,
      up: (db) => {
        applied.push(name);
        db.exec(`CREATE TABLE ${name} (x)`);
      },
    }));
    const db = new BetterSqlite3(':memory:');
    try {
      migrate(db, steps.slice(0, 2));
      migrate(db, steps);
      expect(applied).toEqual(['one', 'two', 'three']);
      expect(schemaVersion(db)).toBe(3);
    } finally {
      db.close();
    }
  });

  it('brings a catalog of the first schema forward: its sessions read as not read back', async () => {
    const db = new BetterSqlite3(':memory:');
    try {
      migrate(db, MIGRATIONS.slice(0, 1));
      db.exec(
        `INSERT INTO discs (label, device, started_at) VALUES ('CEDAR BACKUP 23-NOV-2026', 'burner-1/dvd0', 't')`,
      );
      db.exec(`INSERT INTO disc_sessions (disc_id, position, session_label, new_disc, days, bytes, run_id, written_at)
               VALUES (1, 1, 'CEDAR BACKUP 23-NOV-2026', 1, '["2026-11-23"]', 10, 'r1', 't')`);
      migrate(db);
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      const [disc] = await new SqliteMediaCatalog(db).list();
      expect(disc!.sessions).toEqual([expect.objectContaining({ runId: 'r1', days: ['2026-11-23'] })]);
      expect(disc!.sessions[0]).not.toHaveProperty('verified');
    } finally {
      db.close();
    }
  });

  it('rebuilds the staged manifests under one number per run and day, carrying what was staged', async () => {
    const db = new BetterSqlite3(':memory:');
    try {
      // Version 6: manifest_staged keyed by (run_id, day, path).
      migrate(db, MIGRATIONS.slice(0, 6));
      const hash = Buffer.alloc(32, 7);
      const stage = db.prepare('INSERT INTO manifest_staged (run_id, day, path, size, sha256) VALUES (?, ?, ?, ?, ?)');
      stage.run('r1', '2026-11-25', 'b.txt', 2, hash);
      stage.run('r1', '2026-11-25', 'a.txt', 1, hash);
      stage.run('r1', '2026-11-26', 'a.txt', 3, hash);
      stage.run('r2', '2026-11-25', 'a.txt', 4, hash);
      migrate(db);
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(
        db
          .prepare(
            `SELECT d.run_id, d.day, s.path, s.size, length(s.sha256) AS bytes
             FROM manifest_staged s JOIN manifest_staged_days d ON d.id = s.staged_day
             ORDER BY d.run_id, d.day, s.path`,
          )
          .all(),
      ).toEqual([
        { run_id: 'r1', day: '2026-11-25', path: 'a.txt', size: 1, bytes: 32 },
        { run_id: 'r1', day: '2026-11-25', path: 'b.txt', size: 2, bytes: 32 },
        { run_id: 'r1', day: '2026-11-26', path: 'a.txt', size: 3, bytes: 32 },
        { run_id: 'r2', day: '2026-11-25', path: 'a.txt', size: 4, bytes: 32 },
      ]);

      // The manifest catalog stages and files on the rebuilt tables.
      await new SqliteMediaCatalog(db).recordSession({
        device: 'burner-1/dvd0',
        discLabel: 'CEDAR BACKUP 25-NOV-2026',
        sessionLabel: 'CEDAR BACKUP 25-NOV-2026',
        newDisc: true,
        days: ['2026-11-25'],
        bytes: 5,
        runId: 'r3',
        writtenAt: 't',
      });
      const manifests = new SqliteManifestCatalog(db);
      await manifests.stageManifestPage('r3', [
        { day: '2026-11-25', path: '2026/11/25/x.txt', size: 5, sha256: 'ab'.repeat(32) },
      ]);
      expect(await manifests.adoptManifest('r3', 't')).toEqual({ days: 1, files: 1 });
      expect((await manifests.manifestFiles(1, { limit: 10 })).items).toEqual([
        { day: '2026-11-25', path: '2026/11/25/x.txt', size: 5, sha256: 'ab'.repeat(32) },
      ]);
    } finally {
      db.close();
    }
  });

  it('rolls a failing step back whole and says which step failed', () => {
    const db = new BetterSqlite3(':memory:');
    try {
      const broken: Migration = {
        description: 'a step that breaks halfway',
        up: (inner) => {
          inner.exec('CREATE TABLE halfway (x)');
          inner.exec('THIS IS NOT SQL');
        },
      };
      expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(DatabaseError);
      expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(
        `version ${SCHEMA_VERSION + 1} (a step that breaks halfway)`,
      );
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(tables(db)).not.toContain('halfway');
    } finally {
      db.close();
    }
  });

  it('refuses a database a newer controller wrote, says what to do, and leaves it as it was', () => {
    openDatabase(path).close();
    const raw = new BetterSqlite3(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();

    expect(() => openDatabase(path)).toThrow(DatabaseError);
    expect(() => openDatabase(path)).toThrow(
      new RegExp(`schema version ${SCHEMA_VERSION + 1}.*newer cedar-store.*Upgrade cedar-store`),
    );
    const after = new BetterSqlite3(path);
    expect(schemaVersion(after)).toBe(SCHEMA_VERSION + 1);
    after.close();
  });
});
