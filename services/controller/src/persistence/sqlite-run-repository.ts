/**
 * Runs and their events in SQLite, so a run's history and its event stream outlive the
 * controller process. better-sqlite3 is synchronous: each method finishes its statement
 * before it returns, which is what keeps event numbers gapless under overlapping callers.
 * While the database refuses writes (locked, disk full), a new run is refused but the saves
 * and events of accepted runs are kept in memory (DatabaseAvailability) and read from there.
 */
import { InternalError } from '@cedar-store/domain';
import {
  UNFINISHED_STATUSES,
  type Run,
  type RunEvent,
  type RunEventBody,
  type RunFilter,
  type RunRepository,
} from '@cedar-store/ports';
import type { Database, Statement } from 'better-sqlite3';
import { DatabaseAvailability } from './database-availability.js';
import {
  decodeEvent,
  decodeRun,
  eventInsert,
  prepareInsertEvent,
  RUN_COLUMNS,
  runParams,
  sqliteCode,
  type EventInsert,
  type EventRow,
  type RunRow,
} from './run-rows.js';

export type SqliteRunRepositoryOptions = {
  /** Stamps events; the in-memory repository uses the wall clock too. */
  now?: () => Date;
  /** Shared by every store on the same database, so kept writes are retried in one order. */
  availability?: DatabaseAvailability;
};

type ListParams = { status?: string; device?: string; limit: number };

export class SqliteRunRepository implements RunRepository {
  private readonly now: () => Date;
  private readonly insertRun: Statement<[RunRow]>;
  private readonly updateRun: Statement<[RunRow]>;
  private readonly selectRun: Statement<[string], RunRow>;
  private readonly selectEvents: Statement<[string, number], EventRow>;
  private readonly insertEvent: Statement<[EventInsert], { seq: number }>;
  private readonly runExists: Statement<[string], { found: number }>;
  /** One statement per filter shape, so each can use its index (see `listStatement`). */
  private readonly listStatements = new Map<string, Statement<[ListParams], RunRow>>();
  private readonly appendInTransaction: (insert: EventInsert) => number;
  private readonly insertEventAt: Statement<[EventInsert & { seq: number }]>;
  private readonly lastSeq: Statement<[string], { seq: number }>;
  private readonly availability: DatabaseAvailability;
  /** Runs saved while the database refused, newest state, until the database has them. */
  private readonly keptRuns = new Map<string, Run>();
  /** Events recorded while the database refused, numbered here, until the database has them. */
  private readonly keptEvents: Array<EventInsert & { seq: number }> = [];

  constructor(
    private readonly db: Database,
    options: SqliteRunRepositoryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.availability = options.availability ?? new DatabaseAvailability(db, { path: db.name });
    this.insertRun = db.prepare(
      `INSERT INTO runs (${RUN_COLUMNS}) VALUES (@id, @action, @device, @status, @requested_at, @body)`,
    );
    this.updateRun = db.prepare(
      `UPDATE runs SET action = @action, device = @device, status = @status, requested_at = @requested_at,
         body = @body WHERE id = @id`,
    );
    this.selectRun = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`);
    this.selectEvents = db.prepare(
      'SELECT run_id, seq, at, body FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq',
    );
    this.insertEvent = prepareInsertEvent(db);
    this.runExists = db.prepare('SELECT 1 AS found FROM runs WHERE id = ?');
    // IMMEDIATE takes the write lock before reading MAX(seq): another connection cannot
    // commit the same seq in between, and busy_timeout makes it wait instead of failing.
    this.appendInTransaction = db.transaction(
      (insert: EventInsert) => (this.insertEvent.get(insert) as { seq: number }).seq,
    ).immediate;
    this.insertEventAt = db.prepare('INSERT INTO run_events (run_id, seq, at, body) VALUES (@runId, @seq, @at, @body)');
    this.lastSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM run_events WHERE run_id = ?');
  }

  async create(run: Run): Promise<void> {
    try {
      this.availability.now(() => this.insertRun.run(runParams(run)));
    } catch (error) {
      if (sqliteCode(error)?.startsWith('SQLITE_CONSTRAINT') && this.runExists.get(run.id)) {
        throw new InternalError(`run ${run.id} exists already`);
      }
      throw error;
    }
  }

  async save(run: Run): Promise<void> {
    const params = runParams(run);
    const write = (): void => {
      if (this.updateRun.run(params).changes === 0) throw new InternalError(`run ${run.id} does not exist`);
    };
    if (this.availability.tryNow(write)) return;
    const kept = structuredClone(run);
    this.availability.keep({
      key: `run:${run.id}`,
      apply: write,
      saved: () => {
        if (this.keptRuns.get(run.id) === kept) this.keptRuns.delete(run.id);
      },
    });
    this.keptRuns.set(run.id, kept);
  }

  async get(id: string): Promise<Run | null> {
    const kept = this.keptRuns.get(id);
    if (kept) return structuredClone(kept);
    const row = this.selectRun.get(id);
    return row ? decodeRun(row) : null;
  }

  async list(filter: RunFilter = {}): Promise<Run[]> {
    const params: ListParams = { limit: sqlLimit(filter.limit) };
    if (filter.device) params.device = filter.device;
    if (this.keptRuns.size > 0) return this.listWithKept(params, filter);
    if (filter.status) params.status = filter.status;
    return this.listStatement(params).all(params).map(decodeRun);
  }

  async appendEvent(runId: string, body: RunEventBody): Promise<RunEvent> {
    const insert = eventInsert(runId, body, this.now());
    let seq: number | undefined;
    try {
      this.availability.tryNow(() => {
        seq = this.appendInTransaction(insert);
      });
    } catch (error) {
      if (sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new InternalError(`cannot record an event of run ${runId}: the run does not exist`);
      }
      throw error;
    }
    if (seq === undefined) seq = this.keepEvent(insert);
    return decodeEvent({ run_id: runId, seq, at: insert.at, body: insert.body });
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    const stored = this.selectEvents.all(runId, afterSeq).map(decodeEvent);
    const kept = this.keptEvents
      .filter((event) => event.runId === runId && event.seq > afterSeq)
      .map((event) => decodeEvent({ run_id: runId, seq: event.seq, at: event.at, body: event.body }));
    return kept.length === 0 ? stored : [...stored, ...kept].sort((a, b) => a.seq - b.seq);
  }

  /**
   * At start, before the database availability matters (nothing was kept yet): one immediate
   * transaction, so a second controller on the same file cannot finish the same runs twice.
   */
  async finishAbandoned(at: Date, finish: (run: Run, events: RunEvent[]) => Run): Promise<Run[]> {
    const statuses = [...UNFINISHED_STATUSES];
    const unfinished = this.db.prepare<string[], RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY seq`,
    );
    const finishAll = this.db.transaction((): Run[] =>
      unfinished.all(...statuses).map((row) => {
        const run = decodeRun(row);
        const done = finish(run, this.selectEvents.all(run.id, 0).map(decodeEvent));
        this.updateRun.run(runParams(done));
        const closing: RunEventBody = {
          type: 'finished',
          status: done.status,
          ...(done.error ? { error: done.error } : {}),
        };
        this.insertEvent.run(eventInsert(run.id, closing, at));
        return done;
      }),
    );
    return finishAll.immediate();
  }

  /** Numbers an event the database refused after the last one stored or kept, and keeps it. */
  private keepEvent(insert: EventInsert): number {
    const keptSeqs = this.keptEvents.filter((event) => event.runId === insert.runId).map((event) => event.seq);
    const seq = Math.max(this.lastSeq.get(insert.runId)?.seq ?? 0, ...keptSeqs) + 1;
    const event = { ...insert, seq };
    this.availability.keep({
      key: `event:${insert.runId}:${seq}`,
      apply: () => this.insertEventAt.run(event),
      saved: () => {
        const index = this.keptEvents.indexOf(event);
        if (index >= 0) this.keptEvents.splice(index, 1);
      },
    });
    this.keptEvents.push(event);
    return seq;
  }

  /** Rare (the database refused writes): the stored runs with the kept ones over them, filtered here. */
  private listWithKept(params: ListParams, filter: RunFilter): Run[] {
    const all = this.listStatement({ ...params, limit: -1 })
      .all({ ...params, limit: -1 })
      .map((row) => this.keptRuns.get(row.id) ?? decodeRun(row))
      .filter((run) => !filter.status || run.status === filter.status)
      .map((run) => structuredClone(run));
    return params.limit < 0 ? all : all.slice(0, params.limit);
  }

  private listStatement(params: ListParams): Statement<[ListParams], RunRow> {
    const conditions = [
      ...(params.status === undefined ? [] : ['status = @status']),
      ...(params.device === undefined ? [] : ['device = @device']),
    ];
    const key = conditions.join(' AND ');
    let statement = this.listStatements.get(key);
    if (!statement) {
      statement = this.db.prepare(
        `SELECT ${RUN_COLUMNS} FROM runs ${key ? `WHERE ${key}` : ''} ORDER BY seq DESC LIMIT @limit`,
      );
      this.listStatements.set(key, statement);
    }
    return statement;
  }
}

/** SQLite reads a negative LIMIT as "no limit". */
function sqlLimit(limit: number | undefined): number {
  return limit === undefined ? -1 : Math.max(0, Math.floor(limit));
}
