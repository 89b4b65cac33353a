/**
 * The manifests in SQLite (docs/manifest-and-find.md): a row per day of a session
 * (manifest_days) and one per file (manifest_files), its path stored once relative to the day's
 * graft point and its SHA-256 as 32 bytes. Pages of records are staged under their run and day
 * (manifest_staged_days, manifest_staged), one transaction each, so a day of a million files
 * never sits in memory and a store can fetch its manifest while its disc is still being written;
 * once the catalog has the run's session, one transaction files them under it (adoptManifest).
 */
import { dayToGraftPoint, InvalidRequestError, type DayStamp } from '@cedar-store/domain';
import type {
  FindQuery,
  FoundFile,
  ManifestCatalog,
  ManifestDay,
  ManifestDisc,
  ManifestFile,
  ManifestRecord,
  Paged,
} from '@cedar-store/ports';
import type { Database, Statement } from 'better-sqlite3';
import { DatabaseAvailability } from './database-availability.js';

type SessionKey = { disc_id: number; position: number };

type DiscRow = { id: number; label: string; device: string; superseded_at: string | null };

type DayRow = {
  day: string;
  position: number;
  session_label: string;
  run_id: string;
  verified: number | null;
  files: number;
  bytes: number;
  recorded_at: string;
};

type StagedDayRow = { id: number; day: string; files: number; bytes: number };

/** A page's records of one day, as manifest_staged takes them: [path within the day, size, sha256]. */
type StagedBatch = { day: string; graft: string; rows: [string, number, string][] };

type FileRow = { md_id: number; day: string; path: string; size: number; sha256: Buffer };

type FoundRow = FileRow & {
  disc_id: number;
  label: string;
  device: string;
  superseded_at: string | null;
  position: number;
  session_label: string;
  run_id: string;
  verified: number | null;
};

/** Above any character a path holds: the end of a glob prefix's index range. */
const RANGE_END = '\u{10FFFF}';

export class SqliteManifestCatalog implements ManifestCatalog {
  private readonly sessionOfRun: Statement<[string], SessionKey>;
  private readonly dropDays: Statement<[SessionKey]>;
  private readonly stagedDayOf: Statement<[string, string], { id: number }>;
  private readonly insertStagedDay: Statement<[string, string], { id: number }>;
  /**
   * (staged day, JSON array of [path, size, sha256]): a page is a statement per day, not one per
   * record, which took a third more CPU in binding each record and decoding its hash in JS.
   */
  private readonly insertStaged: Statement<[number, string]>;
  private readonly stagedDays: Statement<[string], StagedDayRow>;
  private readonly insertDay: Statement<
    [SessionKey & Omit<StagedDayRow, 'id'> & { recorded_at: string }],
    { id: number }
  >;
  private readonly adoptFiles: Statement<[number, number]>;
  private readonly dropStaged: (runId: string) => void;
  private readonly discById: Statement<[number], DiscRow>;
  private readonly discByLabel: Statement<[string], DiscRow>;
  private readonly daysOfDisc: Statement<[{ disc_id: number; day: string | null }], DayRow>;
  private readonly filesOfDisc: Statement<Record<string, unknown>, FileRow>;
  private readonly found: Statement<Record<string, unknown>, FoundRow>;
  private readonly stagePage: (runId: string, records: readonly ManifestRecord[]) => void;
  private readonly adopt: (runId: string, recordedAt: string) => { days: number; files: number } | null;

  /** A locked or full database is DatabaseUnavailableError (503 with Retry-After), not a bare SQLite error. */
  private readonly availability: DatabaseAvailability;

  constructor(db: Database, options: { availability?: DatabaseAvailability } = {}) {
    this.availability = options.availability ?? new DatabaseAvailability(db, { path: db.name });
    const globs = new Map<string, RegExp>();
    db.function('cedar_glob', { deterministic: true }, (pattern: unknown, path: unknown) => {
      if (typeof pattern !== 'string' || typeof path !== 'string') return 0;
      let regex = globs.get(pattern);
      if (!regex) {
        if (globs.size > 64) globs.clear();
        regex = new RegExp(pattern, 'su');
        globs.set(pattern, regex);
      }
      return regex.test(path) ? 1 : 0;
    });
    this.sessionOfRun = db.prepare(
      'SELECT disc_id, position FROM disc_sessions WHERE run_id = ? ORDER BY disc_id DESC, position DESC LIMIT 1',
    );
    this.dropDays = db.prepare('DELETE FROM manifest_days WHERE disc_id = @disc_id AND position = @position');
    this.stagedDayOf = db.prepare('SELECT id FROM manifest_staged_days WHERE run_id = ? AND day = ?');
    this.insertStagedDay = db.prepare('INSERT INTO manifest_staged_days (run_id, day) VALUES (?, ?) RETURNING id');
    // json_each yields the array in its order: a path staged twice keeps its last record. unhex
    // gives NULL for what is not hex; x'' then fails the length check, as a hash of the wrong
    // length does.
    this.insertStaged = db.prepare(
      `INSERT OR REPLACE INTO manifest_staged (staged_day, path, size, sha256)
       SELECT ?, value ->> 0, value ->> 1, coalesce(unhex(value ->> 2), x'') FROM json_each(?)`,
    );
    this.stagedDays = db.prepare(
      `SELECT d.id, d.day, count(*) AS files, sum(f.size) AS bytes
       FROM manifest_staged_days d JOIN manifest_staged f ON f.staged_day = d.id
       WHERE d.run_id = ? GROUP BY d.day, d.id ORDER BY d.day`,
    );
    this.insertDay = db.prepare(
      `INSERT INTO manifest_days (disc_id, position, day, files, bytes, recorded_at, complete)
       VALUES (@disc_id, @position, @day, @files, @bytes, @recorded_at, 1) RETURNING id`,
    );
    this.adoptFiles = db.prepare(
      `INSERT INTO manifest_files (manifest_day, path, size, sha256)
       SELECT ?, path, size, sha256 FROM manifest_staged WHERE staged_day = ? ORDER BY path`,
    );
    const stagedDaysOfRun = db.prepare<[string], { id: number }>(
      'SELECT id FROM manifest_staged_days WHERE run_id = ?',
    );
    const dropStagedFiles = db.prepare<[number]>('DELETE FROM manifest_staged WHERE staged_day = ?');
    const dropStagedDays = db.prepare<[string]>('DELETE FROM manifest_staged_days WHERE run_id = ?');
    this.dropStaged = db
      .transaction((runId: string) => {
        // A delete per day deletes its key range in one pass; `staged_day IN (SELECT …)` took twice the CPU.
        for (const { id } of stagedDaysOfRun.all(runId)) dropStagedFiles.run(id);
        dropStagedDays.run(runId);
      })
      .immediate.bind(null);
    const discColumns = 'SELECT id, label, device, superseded_at FROM discs';
    this.discById = db.prepare(`${discColumns} WHERE id = ?`);
    this.discByLabel = db.prepare(`${discColumns} WHERE label = ? ORDER BY id DESC LIMIT 1`);
    this.daysOfDisc = db.prepare(
      `SELECT md.day, md.position, s.session_label, s.run_id, s.verified, md.files, md.bytes, md.recorded_at
       FROM manifest_days md JOIN disc_sessions s ON s.disc_id = md.disc_id AND s.position = md.position
       WHERE md.disc_id = @disc_id AND md.complete = 1 AND (@day IS NULL OR md.day = @day)
       ORDER BY md.day, md.id`,
    );
    this.filesOfDisc = db.prepare(
      `SELECT md.id AS md_id, md.day, f.path, f.size, f.sha256
       FROM manifest_days md JOIN manifest_files f ON f.manifest_day = md.id
       WHERE md.disc_id = @disc_id AND md.complete = 1 AND (@day IS NULL OR md.day = @day)
         AND (@position IS NULL OR md.position = @position)
         AND (@c_day IS NULL OR md.day > @c_day OR (md.day = @c_day AND (md.id > @c_id OR (md.id = @c_id AND f.path > @c_path))))
       ORDER BY md.day, md.id, f.path
       LIMIT @limit`,
    );
    this.found = db.prepare(
      `SELECT md.id AS md_id, md.day, f.path, f.size, f.sha256, d.id AS disc_id, d.label, d.device, d.superseded_at,
              md.position, s.session_label, s.run_id, s.verified
       FROM manifest_days md
       JOIN manifest_files f ON f.manifest_day = md.id
       JOIN discs d ON d.id = md.disc_id
       JOIN disc_sessions s ON s.disc_id = md.disc_id AND s.position = md.position
       WHERE md.complete = 1
         AND (@day IS NULL OR md.day = @day) AND (@since IS NULL OR md.day >= @since)
         AND f.path >= @low AND f.path < @high AND cedar_glob(@pattern, f.path)
         AND (@c_day IS NULL OR md.day < @c_day OR (md.day = @c_day AND (md.id < @c_id OR (md.id = @c_id AND f.path > @c_path))))
       ORDER BY md.day DESC, md.id DESC, f.path
       LIMIT @limit`,
    );
    this.stagePage = db
      .transaction((runId: string, records: readonly ManifestRecord[]) => {
        // A page is mostly one day: its records go in as one array per day, in page order.
        const batches = new Map<string, StagedBatch>();
        let batch: StagedBatch | undefined;
        for (const record of records) {
          if (batch?.day !== record.day) {
            batch = batches.get(record.day);
            if (!batch) {
              batch = { day: record.day, graft: `${dayToGraftPoint(record.day)}/`, rows: [] };
              batches.set(record.day, batch);
            }
          }
          batch.rows.push([withinDay(record, batch.graft), record.size, record.sha256]);
        }
        for (const { day, rows } of batches.values()) {
          const stagedDay = this.stagedDayOf.get(runId, day) ?? this.insertStagedDay.get(runId, day)!;
          this.insertStaged.run(stagedDay.id, JSON.stringify(rows));
        }
      })
      .immediate.bind(null);
    this.adopt = db
      .transaction((runId: string, recordedAt: string) => {
        const session = this.sessionOfRun.get(runId);
        if (!session) {
          this.dropStaged(runId);
          return null;
        }
        // A manifest filed by an earlier attempt of this session is replaced, not added to.
        this.dropDays.run(session);
        const days = this.stagedDays.all(runId);
        for (const { id: stagedDay, ...day } of days) {
          const { id } = this.insertDay.get({ ...session, ...day, recorded_at: recordedAt })!;
          this.adoptFiles.run(id, stagedDay);
        }
        this.dropStaged(runId);
        return { days: days.length, files: days.reduce((sum, day) => sum + day.files, 0) };
      })
      .immediate.bind(null);
    // What a run staged dies with the controller that fetched it: a restarted controller has no
    // run left to adopt it, and a late-learned verify fetches its manifest again (lost-operations.ts).
    try {
      db.transaction(() => db.exec('DELETE FROM manifest_staged; DELETE FROM manifest_staged_days')).immediate();
    } catch {
      // Locked by another process for now: the rows are invisible, and the next start drops them.
    }
  }

  async stageManifestPage(runId: string, records: readonly ManifestRecord[]): Promise<void> {
    if (records.length > 0) this.availability.now(() => this.stagePage(runId, records));
  }

  async adoptManifest(runId: string, recordedAt: string): Promise<{ days: number; files: number } | null> {
    return this.availability.now(() => this.adopt(runId, recordedAt));
  }

  async dropStagedManifest(runId: string): Promise<void> {
    this.availability.now(() => this.dropStaged(runId));
  }

  async disc(ref: string): Promise<ManifestDisc | null> {
    const row = this.availability.read(() =>
      /^\d{1,15}$/.test(ref) ? this.discById.get(Number(ref)) : this.discByLabel.get(ref),
    );
    return row ? toDisc(row) : null;
  }

  async manifestDays(discId: number, day?: DayStamp): Promise<ManifestDay[]> {
    const rows = this.availability.read(() => this.daysOfDisc.all({ disc_id: discId, day: day ?? null }));
    return rows.map((row) => ({
      day: row.day,
      session: sessionOf(row),
      files: row.files,
      bytes: row.bytes,
      recordedAt: row.recorded_at,
    }));
  }

  async manifestFiles(
    discId: number,
    options: { day?: DayStamp; session?: number; limit: number; cursor?: string },
  ): Promise<Paged<ManifestFile>> {
    const after = parseCursor(options.cursor);
    const rows = this.availability.read(() =>
      this.filesOfDisc.all({
        disc_id: discId,
        day: options.day ?? null,
        position: options.session ?? null,
        ...after,
        limit: options.limit + 1,
      }),
    );
    return page(rows, options.limit, toFile);
  }

  async discSessionOfRun(runId: string): Promise<{ disc: ManifestDisc; position: number } | null> {
    const session = this.availability.read(() => this.sessionOfRun.get(runId));
    const disc = session ? this.availability.read(() => this.discById.get(session.disc_id)) : undefined;
    return session && disc ? { disc: toDisc(disc), position: session.position } : null;
  }

  async find(query: FindQuery): Promise<Paged<FoundFile>> {
    const after = parseCursor(query.cursor);
    const rows = this.availability.read(() =>
      this.found.all({
        day: query.day ?? null,
        since: query.since ?? null,
        low: query.glob.prefix,
        high: `${query.glob.prefix}${RANGE_END}`,
        pattern: query.glob.regex.source,
        ...after,
        limit: query.limit + 1,
      }),
    );
    return page(rows, query.limit, (row) => ({
      ...toFile(row),
      disc: toDisc({ id: row.disc_id, label: row.label, device: row.device, superseded_at: row.superseded_at }),
      session: sessionOf(row),
    }));
  }
}

/** A record's path within its day: what follows its day's `YYYY/MM/DD/` (`graft`). */
function withinDay(record: ManifestRecord, graft: string): string {
  if (!record.path.startsWith(graft) || record.path.length === graft.length) {
    throw new Error(`manifest record ${record.path} is not under its day ${record.day}`);
  }
  return record.path.slice(graft.length);
}

function toFile(row: FileRow): ManifestFile {
  return {
    day: row.day,
    path: `${dayToGraftPoint(row.day)}/${row.path}`,
    size: row.size,
    sha256: row.sha256.toString('hex'),
  };
}

function toDisc(row: DiscRow): ManifestDisc {
  return {
    id: row.id,
    label: row.label,
    device: row.device,
    ...(row.superseded_at === null ? {} : { supersededAt: row.superseded_at }),
  };
}

function sessionOf(row: Pick<DayRow, 'position' | 'session_label' | 'run_id' | 'verified'>): ManifestDay['session'] {
  return {
    position: row.position,
    label: row.session_label,
    runId: row.run_id,
    ...(row.verified === null ? {} : { verified: row.verified === 1 }),
  };
}

/** One more row than the page was asked for says whether another page follows. */
function page<R extends FileRow, T>(rows: R[], limit: number, map: (row: R) => T): Paged<T> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

function encodeCursor(row: FileRow): string {
  return Buffer.from(JSON.stringify([row.day, row.md_id, row.path])).toString('base64url');
}

function parseCursor(cursor: string | undefined): { c_day: string | null; c_id: number | null; c_path: string | null } {
  if (cursor === undefined) return { c_day: null, c_id: null, c_path: null };
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      typeof value[0] === 'string' &&
      Number.isInteger(value[1]) &&
      typeof value[2] === 'string'
    ) {
      return { c_day: value[0], c_id: value[1] as number, c_path: value[2] };
    }
  } catch {
    // falls through to the error
  }
  throw new InvalidRequestError('the cursor is not one this controller gave: start again without a cursor', {
    field: 'cursor',
  });
}
