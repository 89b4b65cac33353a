/**
 * Runs and their events in SQLite, so a run's history and its event stream outlive the
 * controller process. better-sqlite3 is synchronous: each method finishes its statement
 * before it returns, which is what keeps event numbers gapless under overlapping callers.
 */
import { InternalError } from '@cedar-store/domain';
import type { Run, RunEvent, RunEventBody, RunFilter, RunRepository } from '@cedar-store/ports';
import type { Database, Statement } from 'better-sqlite3';
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

  constructor(
    private readonly db: Database,
    options: SqliteRunRepositoryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
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
  }

  async create(run: Run): Promise<void> {
    try {
      this.insertRun.run(runParams(run));
    } catch (error) {
      if (sqliteCode(error)?.startsWith('SQLITE_CONSTRAINT') && this.runExists.get(run.id)) {
        throw new InternalError(`run ${run.id} exists already`);
      }
      throw error;
    }
  }

  async save(run: Run): Promise<void> {
    if (this.updateRun.run(runParams(run)).changes === 0) throw new InternalError(`run ${run.id} does not exist`);
  }

  async get(id: string): Promise<Run | null> {
    const row = this.selectRun.get(id);
    return row ? decodeRun(row) : null;
  }

  async list(filter: RunFilter = {}): Promise<Run[]> {
    const params: ListParams = { limit: sqlLimit(filter.limit) };
    if (filter.status) params.status = filter.status;
    if (filter.device) params.device = filter.device;
    return this.listStatement(params).all(params).map(decodeRun);
  }

  async appendEvent(runId: string, body: RunEventBody): Promise<RunEvent> {
    const insert = eventInsert(runId, body, this.now());
    let seq: number;
    try {
      seq = this.appendInTransaction(insert);
    } catch (error) {
      if (sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new InternalError(`cannot record an event of run ${runId}: the run does not exist`);
      }
      throw error;
    }
    return decodeEvent({ run_id: runId, seq, at: insert.at, body: insert.body });
  }

  async events(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    return this.selectEvents.all(runId, afterSeq).map(decodeEvent);
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
