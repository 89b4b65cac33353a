/**
 * How runs and run events are laid out in their tables, shared by the repository and the
 * crash recovery so that both write exactly the same rows.
 */
import { RUN_ACTIONS, RUN_STATUSES } from '@cedar-store/ports';
import type { Run, RunEvent, RunEventBody } from '@cedar-store/ports';
import type { Database, Statement } from 'better-sqlite3';

export type RunRow = {
  id: string;
  action: string;
  device: string;
  status: string;
  requested_at: string;
  body: string;
};

export type EventRow = { run_id: string; seq: number; at: string; body: string };

export const RUN_COLUMNS = 'id, action, device, status, requested_at, body';

export function runParams(run: Run): RunRow {
  return {
    id: run.id,
    action: run.action,
    device: run.device,
    status: run.status,
    requested_at: run.requestedAt,
    body: JSON.stringify(run),
  };
}

/**
 * Next seq and insert in one statement under the write lock: a seq can never be handed out
 * twice or skipped, whether callers overlap in this process or another opens the file.
 */
export function prepareInsertEvent(db: Database): Statement<[EventInsert], { seq: number }> {
  return db.prepare<[EventInsert], { seq: number }>(
    `INSERT INTO run_events (run_id, seq, at, body)
     SELECT @runId, COALESCE(MAX(seq), 0) + 1, @at, @body FROM run_events WHERE run_id = @runId
     RETURNING seq`,
  );
}

export type EventInsert = { runId: string; at: string; body: string };

export function eventInsert(runId: string, body: RunEventBody, at: Date): EventInsert {
  return { runId, at: at.toISOString(), body: JSON.stringify(body) };
}

/**
 * The JSON is what this code wrote from a typed run in the same statement as the columns,
 * so it is trusted as it is rather than re-validated on every list. A body that cannot be
 * read at all (hand edits, disk damage) still yields a run from the columns, so one bad row
 * never hides the others.
 */
export function decodeRun(row: RunRow): Run {
  const body = parseObject(row.body);
  if (body && body.id === row.id) return body as Run;
  return {
    id: row.id,
    action: oneOf(RUN_ACTIONS, row.action, 'store'),
    device: row.device,
    status: oneOf(RUN_STATUSES, row.status, 'interrupted'),
    requestedAt: row.requested_at,
    options: {},
    warnings: [],
    error: {
      code: 'INTERNAL',
      message:
        'the stored record of this run is unreadable; only its id, action, device, status and request time ' +
        'were recovered. Check the disc with cedar-store verify if this run wrote to it.',
    },
  };
}

export function decodeEvent(row: EventRow): RunEvent {
  const body = parseObject(row.body) ?? {
    type: 'warning',
    code: 'EVENT_UNREADABLE',
    message: 'the stored record of this event is unreadable',
  };
  return { ...body, runId: row.run_id, seq: row.seq, at: row.at } as RunEvent;
}

export function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function oneOf<T extends string>(allowed: readonly T[], value: string, fallback: T): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** SQLite's extended result code, when the error is one. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
