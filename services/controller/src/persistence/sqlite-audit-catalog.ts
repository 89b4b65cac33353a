/**
 * The audits of each disc in SQLite (docs/auditing.md): one row per audit run with its verdict,
 * counts and first problems as JSON. An audit belongs to a run already accepted, so a database
 * that refuses the write (locked, full) keeps it in memory through DatabaseAvailability until it
 * is back, and reads answer with it meanwhile.
 */
import {
  MAX_RECORDED_AUDIT_PROBLEMS,
  type AuditCatalog,
  type AuditProblem,
  type DiscAuditRecord,
  type DiscAuditState,
  type DiscLastAudit,
} from '@cedar-store/ports';
import type { Database, Statement } from 'better-sqlite3';
import { DatabaseAvailability } from './database-availability.js';

type AuditRow = {
  disc_id: number;
  run_id: string;
  audited_at: string;
  ok: number;
  files: number;
  missing: number;
  extra: number;
  differing: number;
  unreadable: number;
  md5: DiscAuditRecord['md5'];
  problems: string;
};

type DiscRow = { id: number; label: string; started_at: string };

type StateRow = {
  id: number;
  label: string;
  started_at: string;
  last_audit: string | null;
  last_verified: string | null;
};

/** The problems' JSON stays under this many characters: paths are up to 4 KiB each. */
const MAX_PROBLEMS_JSON = 64 * 1024;

const COLUMNS = 'disc_id, run_id, audited_at, ok, files, missing, extra, differing, unreadable, md5, problems';

export class SqliteAuditCatalog implements AuditCatalog {
  private readonly insert: Statement<[AuditRow]>;
  private readonly newest: Statement<[number], AuditRow>;
  private readonly states: Statement<[], StateRow>;
  /** The audit's columns are null for a disc never audited. */
  private readonly lastOfEach: Statement<[], DiscRow & Partial<AuditRow>>;
  private readonly carrying: Statement<[{ label: string }], { id: number; label: string; sessions: number }>;
  private readonly outcomes: Statement<[], { passed: number | null; failed: number | null }>;
  private readonly availability: DatabaseAvailability;
  /** Audits the database refused, until it has them. */
  private readonly kept: DiscAuditRecord[] = [];

  constructor(db: Database, options: { availability?: DatabaseAvailability } = {}) {
    this.availability = options.availability ?? new DatabaseAvailability(db, { path: db.name });
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO disc_audits (${COLUMNS})
       VALUES (@disc_id, @run_id, @audited_at, @ok, @files, @missing, @extra, @differing, @unreadable, @md5, @problems)`,
    );
    this.newest = db.prepare(
      `SELECT ${COLUMNS} FROM disc_audits WHERE disc_id = ? ORDER BY audited_at DESC, id DESC LIMIT 1`,
    );
    this.states = db.prepare(
      `SELECT d.id, d.label, d.started_at,
              (SELECT MAX(a.audited_at) FROM disc_audits a WHERE a.disc_id = d.id) AS last_audit,
              (SELECT MAX(s.written_at) FROM disc_sessions s WHERE s.disc_id = d.id AND s.verified = 1) AS last_verified
       FROM discs d WHERE d.superseded_at IS NULL ORDER BY d.id`,
    );
    // Each disc, superseded or not, beside its newest audit (no columns when there is none).
    this.lastOfEach = db.prepare(
      `SELECT d.id, d.label, d.started_at, ${COLUMNS.split(', ')
        .map((column) => `a.${column}`)
        .join(', ')}
       FROM discs d
       LEFT JOIN disc_audits a
         ON a.id = (SELECT b.id FROM disc_audits b WHERE b.disc_id = d.id ORDER BY b.audited_at DESC, b.id DESC LIMIT 1)
       ORDER BY d.id`,
    );
    this.carrying = db.prepare(
      `SELECT d.id, d.label, (SELECT COUNT(*) FROM disc_sessions s WHERE s.disc_id = d.id) AS sessions
       FROM discs d
       WHERE d.label = @label OR EXISTS (SELECT 1 FROM disc_sessions s WHERE s.disc_id = d.id AND s.session_label = @label)
       ORDER BY d.id DESC LIMIT 1`,
    );
    this.outcomes = db.prepare('SELECT SUM(ok) AS passed, SUM(1 - ok) AS failed FROM disc_audits');
  }

  async recordAudit(audit: DiscAuditRecord): Promise<void> {
    const row = toRow(audit);
    if (this.availability.tryNow(() => this.insert.run(row))) return;
    const kept = fromRow(row);
    this.availability.keep({
      key: `audit:${audit.runId}`,
      apply: () => this.insert.run(row),
      saved: () => {
        const index = this.kept.indexOf(kept);
        if (index >= 0) this.kept.splice(index, 1);
      },
    });
    this.kept.push(kept);
  }

  async discCarrying(label: string): Promise<{ discId: number; label: string; sessions: number } | null> {
    const row = this.availability.read(() => this.carrying.get({ label }));
    return row ? { discId: row.id, label: row.label, sessions: row.sessions } : null;
  }

  async lastAudit(discId: number): Promise<DiscAuditRecord | null> {
    const row = this.availability.read(() => this.newest.get(discId));
    return this.newestOf(discId, row ? fromRow(row) : null);
  }

  async lastAudits(): Promise<DiscLastAudit[]> {
    return this.availability
      .read(() => this.lastOfEach.all())
      .map((row) => ({
        discId: row.id,
        label: row.label,
        startedAt: row.started_at,
        lastAudit: this.newestOf(row.id, row.run_id ? fromRow(row as AuditRow) : null),
      }));
  }

  /** The newer of the database's newest audit of the disc and those it refused meanwhile. */
  private newestOf(discId: number, saved: DiscAuditRecord | null): DiscAuditRecord | null {
    return this.kept
      .filter((audit) => audit.discId === discId)
      .reduce<DiscAuditRecord | null>(
        (newest, audit) => (newest && newest.auditedAt > audit.auditedAt ? newest : audit),
        saved,
      );
  }

  async auditState(): Promise<{ discs: DiscAuditState[]; outcomes: { passed: number; failed: number } }> {
    const counts = this.availability.read(() => this.outcomes.get()) ?? { passed: 0, failed: 0 };
    const discs = this.availability
      .read(() => this.states.all())
      .map((row) => {
        const kept = this.kept.filter((audit) => audit.discId === row.id).map((audit) => audit.auditedAt);
        const lastAuditAt =
          [row.last_audit, ...kept]
            .filter((at): at is string => at !== null)
            .sort()
            .at(-1) ?? null;
        return {
          discId: row.id,
          label: row.label,
          startedAt: row.started_at,
          lastAuditAt,
          lastVerifiedAt: row.last_verified,
        };
      });
    const keptPassed = this.kept.filter((audit) => audit.ok).length;
    return {
      discs,
      outcomes: {
        passed: (counts.passed ?? 0) + keptPassed,
        failed: (counts.failed ?? 0) + this.kept.length - keptPassed,
      },
    };
  }
}

function toRow(audit: DiscAuditRecord): AuditRow {
  return {
    disc_id: audit.discId,
    run_id: audit.runId,
    audited_at: audit.auditedAt,
    ok: audit.ok ? 1 : 0,
    files: audit.files,
    ...audit.counts,
    md5: audit.md5,
    problems: cappedProblems(audit.problems),
  };
}

function fromRow(row: AuditRow): DiscAuditRecord {
  return {
    discId: row.disc_id,
    runId: row.run_id,
    auditedAt: row.audited_at,
    ok: row.ok === 1,
    files: row.files,
    counts: { missing: row.missing, extra: row.extra, differing: row.differing, unreadable: row.unreadable },
    md5: row.md5,
    problems: JSON.parse(row.problems) as AuditProblem[],
  };
}

/** The first problems as JSON, as many as fit MAX_RECORDED_AUDIT_PROBLEMS and MAX_PROBLEMS_JSON. */
function cappedProblems(problems: readonly AuditProblem[]): string {
  const kept: AuditProblem[] = [];
  let length = 2;
  for (const problem of problems.slice(0, MAX_RECORDED_AUDIT_PROBLEMS)) {
    const text = JSON.stringify(problem);
    if (length + text.length + 1 > MAX_PROBLEMS_JSON) break;
    kept.push(problem);
    length += text.length + 1;
  }
  return JSON.stringify(kept);
}
