/**
 * The database schema as an ordered list of steps; `PRAGMA user_version` holds how many
 * have been applied. A step is never edited once released: a change is a new step, so every
 * database, however old, reaches the same schema by the same path.
 */
import type { Database } from 'better-sqlite3';
import { DatabaseError, reasonOf } from './database-error.js';

export type Migration = {
  /** What the step does, for the error a failed step raises. */
  description: string;
  up(db: Database): void;
};

export const MIGRATIONS: readonly Migration[] = [
  {
    description: 'runs, run events, media catalog and remembered devices',
    up(db) {
      db.exec(`
        -- Each run is stored whole as JSON; the columns beside it exist only to filter and
        -- order. seq is the insertion order: timestamps can tie or go backwards with the clock.
        CREATE TABLE runs (
          seq          INTEGER PRIMARY KEY AUTOINCREMENT,
          id           TEXT    NOT NULL UNIQUE,
          action       TEXT    NOT NULL,
          device       TEXT    NOT NULL,
          status       TEXT    NOT NULL,
          requested_at TEXT    NOT NULL,
          body         TEXT    NOT NULL
        );
        CREATE INDEX runs_by_status ON runs (status, seq);
        CREATE INDEX runs_by_device ON runs (device, seq);
        CREATE INDEX runs_by_requested_at ON runs (requested_at);

        CREATE TABLE run_events (
          run_id TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
          seq    INTEGER NOT NULL CHECK (seq > 0),
          at     TEXT    NOT NULL,
          body   TEXT    NOT NULL,
          PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;

        -- A disc record per disc started in a device; its sessions in the order written.
        CREATE TABLE discs (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          label      TEXT    NOT NULL,
          device     TEXT    NOT NULL,
          started_at TEXT    NOT NULL
        );
        CREATE INDEX discs_by_device ON discs (device, id);

        CREATE TABLE disc_sessions (
          disc_id       INTEGER NOT NULL REFERENCES discs (id) ON DELETE CASCADE,
          position      INTEGER NOT NULL CHECK (position > 0),
          session_label TEXT    NOT NULL,
          new_disc      INTEGER NOT NULL CHECK (new_disc IN (0, 1)),
          days          TEXT    NOT NULL,
          bytes         INTEGER NOT NULL CHECK (bytes >= 0),
          run_id        TEXT    NOT NULL,
          written_at    TEXT    NOT NULL,
          PRIMARY KEY (disc_id, position)
        );
        CREATE INDEX disc_sessions_by_run ON disc_sessions (run_id);

        CREATE TABLE agent_devices (
          agent_id     TEXT PRIMARY KEY,
          devices      TEXT NOT NULL,
          described_at TEXT NOT NULL
        );
      `);
    },
  },
  {
    description: 'whether each catalog session read back identical',
    up(db) {
      // NULL: not read back (checkData off, or the read-back could not run).
      db.exec('ALTER TABLE disc_sessions ADD COLUMN verified INTEGER CHECK (verified IN (0, 1))');
    },
  },
  {
    description: 'when a disc was blanked for a newer one in its device',
    up(db) {
      // NULL: the disc still holds its sessions.
      db.exec('ALTER TABLE discs ADD COLUMN superseded_at TEXT');
    },
  },
  {
    description: 'the manifest of every day written: each file with its size and SHA-256',
    up(db) {
      db.exec(`
        -- A day of a session with a manifest. complete = 0 while its pages are still coming
        -- in: manifest and find show only complete days.
        CREATE TABLE manifest_days (
          id          INTEGER PRIMARY KEY,
          disc_id     INTEGER NOT NULL,
          position    INTEGER NOT NULL,
          day         TEXT    NOT NULL,
          files       INTEGER NOT NULL DEFAULT 0 CHECK (files >= 0),
          bytes       INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
          recorded_at TEXT    NOT NULL,
          complete    INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
          UNIQUE (disc_id, position, day),
          FOREIGN KEY (disc_id, position) REFERENCES disc_sessions (disc_id, position) ON DELETE CASCADE
        );
        -- find walks the days newest first.
        CREATE INDEX manifest_days_by_day ON manifest_days (day, id);

        -- One row per file, its path stored once, relative to the day's graft point; the key
        -- serves a day's listing in path order and a glob's literal start.
        CREATE TABLE manifest_files (
          manifest_day INTEGER NOT NULL REFERENCES manifest_days (id) ON DELETE CASCADE,
          path         TEXT    NOT NULL,
          size         INTEGER NOT NULL CHECK (size >= 0),
          sha256       BLOB    NOT NULL CHECK (length(sha256) = 32),
          PRIMARY KEY (manifest_day, path)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    description: 'the audits of each disc: when, the verdict, the counts and the first problems',
    up(db) {
      db.exec(`
        -- One row per audit run of a disc; problems holds the first ones named, as JSON, the
        -- counts cover them all.
        CREATE TABLE disc_audits (
          id          INTEGER PRIMARY KEY,
          disc_id     INTEGER NOT NULL REFERENCES discs (id) ON DELETE CASCADE,
          run_id      TEXT    NOT NULL UNIQUE,
          audited_at  TEXT    NOT NULL,
          ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
          files       INTEGER NOT NULL CHECK (files >= 0),
          missing     INTEGER NOT NULL CHECK (missing >= 0),
          extra       INTEGER NOT NULL CHECK (extra >= 0),
          differing   INTEGER NOT NULL CHECK (differing >= 0),
          unreadable  INTEGER NOT NULL CHECK (unreadable >= 0),
          md5         TEXT    NOT NULL CHECK (md5 IN ('ok', 'mismatch', 'absent')),
          problems    TEXT    NOT NULL
        );
        -- A disc's last audit, and the metrics' per-disc newest.
        CREATE INDEX disc_audits_by_disc ON disc_audits (disc_id, audited_at);
      `);
    },
  },
  {
    description: 'manifests fetched while their disc is still being written, waiting for its session',
    up(db) {
      db.exec(`
        -- A run's manifest records before the catalog has its session (each path relative to
        -- its day's graft point, as in manifest_files); adopted into manifest_files, or
        -- dropped, when the run ends. Nothing here is shown by manifest or find.
        CREATE TABLE manifest_staged (
          run_id TEXT    NOT NULL,
          day    TEXT    NOT NULL,
          path   TEXT    NOT NULL,
          size   INTEGER NOT NULL CHECK (size >= 0),
          sha256 BLOB    NOT NULL CHECK (length(sha256) = 32),
          PRIMARY KEY (run_id, day, path)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    description: 'staged manifest records keyed by their run and day as one number',
    up(db) {
      db.exec(`
        -- A day a run staged records of. Each record names it by id instead of repeating the run
        -- id and the day: a shorter key to bind, compare and store a hundred thousand times.
        -- No foreign key from the records: it would look this table up for every one of them;
        -- the catalog deletes a run's records and its days in one transaction.
        CREATE TABLE manifest_staged_days (
          id     INTEGER PRIMARY KEY,
          run_id TEXT    NOT NULL,
          day    TEXT    NOT NULL,
          UNIQUE (run_id, day)
        );
        INSERT INTO manifest_staged_days (run_id, day) SELECT DISTINCT run_id, day FROM manifest_staged;

        -- The records as before (each path relative to its day's graft point), under their day's id.
        CREATE TABLE manifest_staged_next (
          staged_day INTEGER NOT NULL,
          path       TEXT    NOT NULL,
          size       INTEGER NOT NULL CHECK (size >= 0),
          sha256     BLOB    NOT NULL CHECK (length(sha256) = 32),
          PRIMARY KEY (staged_day, path)
        ) WITHOUT ROWID;
        INSERT INTO manifest_staged_next (staged_day, path, size, sha256)
          SELECT d.id, s.path, s.size, s.sha256
          FROM manifest_staged s JOIN manifest_staged_days d ON d.run_id = s.run_id AND d.day = s.day;
        DROP TABLE manifest_staged;
        ALTER TABLE manifest_staged_next RENAME TO manifest_staged;
      `);
    },
  },
];

/** The schema version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to SCHEMA_VERSION, one step per transaction, and refuses a database
 * a newer controller wrote: reading it with older code could lose what the newer one stored.
 * The version is read again under the write lock, so two processes opening the same new file
 * do not both apply a step.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  refuseNewer(db, migrations.length);
  migrations.forEach((migration, index) => {
    const target = index + 1;
    const apply = db.transaction(() => {
      const current = schemaVersion(db);
      refuseNewer(db, migrations.length, current);
      if (current >= target) return;
      migration.up(db);
      // user_version lives in the file header, which the transaction covers: the step and
      // its version commit together or not at all.
      db.pragma(`user_version = ${target}`);
    });
    try {
      apply.immediate();
    } catch (error) {
      if (error instanceof DatabaseError) throw error;
      throw new DatabaseError(
        db.name,
        `updating the controller database ${db.name} to schema version ${target} (${migration.description}) ` +
          `failed: ${reasonOf(error)}. That step was rolled back and the file is as it was; ` +
          'restore the file from a backup or point "database" in controller.yaml at a new path.',
        { cause: error },
      );
    }
  });
}

function refuseNewer(db: Database, known: number, current = schemaVersion(db)): void {
  if (current <= known) return;
  throw new DatabaseError(
    db.name,
    `the controller database ${db.name} has schema version ${current}, but this controller knows only ` +
      `versions up to ${known}: a newer cedar-store wrote it. Upgrade cedar-store, or point "database" in ` +
      'controller.yaml at another file. Nothing was changed.',
  );
}
