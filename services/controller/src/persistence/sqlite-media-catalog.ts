/**
 * The media catalog in SQLite: a disc record per disc started in a device, with its
 * sessions in the order they were written, so a user looking for a day finds its disc
 * after any number of controller restarts. A session the database refuses (locked, disk full)
 * is kept in memory, shown in the catalog, and saved once the database takes writes again.
 */
import type { DayStamp } from '@cedar-store/domain';
import {
  carriesLabel,
  type CatalogDisc,
  type CatalogSession,
  type MediaCatalog,
  type RecordSessionOptions,
} from '@cedar-store/ports';
import type { Database, Statement } from 'better-sqlite3';
import { DatabaseAvailability } from './database-availability.js';

type DiscRow = { id: number; label: string; device: string; started_at: string; superseded_at: string | null };

const DISC_COLUMNS = 'id, label, device, started_at, superseded_at';

type SessionRow = {
  disc_id: number;
  position: number;
  session_label: string;
  new_disc: number;
  days: string;
  bytes: number;
  run_id: string;
  written_at: string;
  verified: number | null;
};

const SESSION_COLUMNS = 'disc_id, position, session_label, new_disc, days, bytes, run_id, written_at, verified';

export class SqliteMediaCatalog implements MediaCatalog {
  private readonly currentDiscRow: Statement<[string], DiscRow>;
  private readonly insertDisc: Statement<[Omit<DiscRow, 'id' | 'superseded_at'>], { id: number }>;
  private readonly supersede: Statement<[{ id: number; at: string }]>;
  private readonly insertSession: Statement<[Omit<SessionRow, 'position'>]>;
  private readonly allDiscs: Statement<[], DiscRow>;
  private readonly allSessions: Statement<[], SessionRow>;
  private readonly sessionsOfDisc: Statement<[number], SessionRow>;
  private readonly record: (session: CatalogSession, options: RecordSessionOptions) => void;
  private readonly availability: DatabaseAvailability;
  /** Sessions the database refused, in the order written, until it has them. */
  private readonly keptSessions: Array<{ session: CatalogSession; options: RecordSessionOptions }> = [];
  private keptCount = 0;

  constructor(db: Database, options: { availability?: DatabaseAvailability } = {}) {
    this.availability = options.availability ?? new DatabaseAvailability(db, { path: db.name });
    this.currentDiscRow = db.prepare(`SELECT ${DISC_COLUMNS} FROM discs WHERE device = ? ORDER BY id DESC LIMIT 1`);
    this.insertDisc = db.prepare(
      'INSERT INTO discs (label, device, started_at) VALUES (@label, @device, @started_at) RETURNING id',
    );
    this.insertSession = db.prepare(
      `INSERT INTO disc_sessions (${SESSION_COLUMNS})
       SELECT @disc_id, COALESCE(MAX(position), 0) + 1, @session_label, @new_disc, @days, @bytes, @run_id, @written_at,
              @verified
       FROM disc_sessions WHERE disc_id = @disc_id`,
    );
    this.supersede = db.prepare('UPDATE discs SET superseded_at = @at WHERE id = @id AND superseded_at IS NULL');
    this.allDiscs = db.prepare(`SELECT ${DISC_COLUMNS} FROM discs ORDER BY id DESC`);
    this.allSessions = db.prepare(`SELECT ${SESSION_COLUMNS} FROM disc_sessions ORDER BY disc_id, position`);
    this.sessionsOfDisc = db.prepare(
      `SELECT ${SESSION_COLUMNS} FROM disc_sessions WHERE disc_id = ? ORDER BY position`,
    );
    // Finding the current disc and appending to it is one decision: under the write lock,
    // no other writer can start a new disc in between.
    this.record = db.transaction((session: CatalogSession, options: RecordSessionOptions) => {
      if (session.newDisc && options.overwrote !== undefined) {
        const previous = this.currentDiscRow.get(session.device);
        if (previous && carriesLabel(toDisc(previous, this.sessionsOfDisc.all(previous.id)), options.overwrote)) {
          this.supersede.run({ id: previous.id, at: session.writtenAt });
        }
      }
      const current = session.newDisc ? undefined : this.currentDiscRow.get(session.device);
      // Like the in-memory catalog: an append with no disc on record (a catalog started
      // after the disc was) opens a record under the label the session names.
      const discId =
        current?.id ??
        (
          this.insertDisc.get({ label: session.discLabel, device: session.device, started_at: session.writtenAt }) as {
            id: number;
          }
        ).id;
      this.insertSession.run({
        disc_id: discId,
        session_label: session.sessionLabel,
        new_disc: session.newDisc ? 1 : 0,
        days: JSON.stringify(session.days),
        bytes: session.bytes,
        run_id: session.runId,
        written_at: session.writtenAt,
        verified: session.verified === undefined ? null : session.verified ? 1 : 0,
      });
    }).immediate;
  }

  async recordSession(session: CatalogSession, options: RecordSessionOptions = {}): Promise<void> {
    if (this.availability.tryNow(() => this.record(session, options))) return;
    const kept = { session: structuredClone(session), options: { ...options } };
    this.availability.keep({
      key: `session:${++this.keptCount}`,
      apply: () => this.record(kept.session, kept.options),
      saved: () => {
        const index = this.keptSessions.indexOf(kept);
        if (index >= 0) this.keptSessions.splice(index, 1);
      },
    });
    this.keptSessions.push(kept);
  }

  async list(): Promise<CatalogDisc[]> {
    const stored = this.storedDiscs();
    return this.keptSessions.length === 0 ? stored : withKeptSessions(stored, this.keptSessions);
  }

  async currentDisc(device: string): Promise<CatalogDisc | null> {
    if (this.keptSessions.length > 0) return (await this.list()).find((disc) => disc.device === device) ?? null;
    const disc = this.currentDiscRow.get(device);
    return disc ? toDisc(disc, this.sessionsOfDisc.all(disc.id)) : null;
  }

  private storedDiscs(): CatalogDisc[] {
    const sessions = new Map<number, SessionRow[]>();
    for (const row of this.allSessions.all()) {
      const forDisc = sessions.get(row.disc_id) ?? [];
      forDisc.push(row);
      sessions.set(row.disc_id, forDisc);
    }
    return this.allDiscs.all().map((disc) => toDisc(disc, sessions.get(disc.id) ?? []));
  }
}

/** The stored discs (newest first) with the kept sessions recorded on them the way `record` would. */
function withKeptSessions(
  discs: CatalogDisc[],
  kept: ReadonlyArray<{ session: CatalogSession; options: RecordSessionOptions }>,
): CatalogDisc[] {
  for (const { session, options } of kept) {
    const previous = discs.find((disc) => disc.device === session.device);
    if (session.newDisc && previous && carriesLabel(previous, options.overwrote)) {
      previous.supersededAt ??= session.writtenAt;
    }
    const current = session.newDisc ? undefined : previous;
    if (current) {
      current.sessions.push({ ...structuredClone(session), discLabel: current.label });
    } else {
      discs.unshift({
        label: session.discLabel,
        device: session.device,
        startedAt: session.writtenAt,
        sessions: [structuredClone(session)],
      });
    }
  }
  return discs;
}

function toDisc(disc: DiscRow, sessions: SessionRow[]): CatalogDisc {
  return {
    label: disc.label,
    device: disc.device,
    startedAt: disc.started_at,
    ...(disc.superseded_at === null ? {} : { supersededAt: disc.superseded_at }),
    sessions: sessions.map((row) => ({
      device: disc.device,
      discLabel: disc.label,
      sessionLabel: row.session_label,
      newDisc: row.new_disc === 1,
      days: parseDays(row.days),
      bytes: row.bytes,
      runId: row.run_id,
      writtenAt: row.written_at,
      ...(row.verified === null ? {} : { verified: row.verified === 1 }),
    })),
  };
}

/** An unreadable day list shows as no days rather than hiding the disc it belongs to. */
function parseDays(text: string): DayStamp[] {
  try {
    const days: unknown = JSON.parse(text);
    return Array.isArray(days) ? days.filter((day): day is DayStamp => typeof day === 'string') : [];
  } catch {
    return [];
  }
}
