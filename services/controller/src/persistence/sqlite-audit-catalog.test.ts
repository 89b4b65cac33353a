// An audit is the outcome of a run already accepted: while another program holds the database's
// lock it is kept in memory and read back from there, and saved once the lock goes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseAvailability } from './database-availability.js';
import { openDatabase } from './database.js';
import { SqliteAuditCatalog } from './sqlite-audit-catalog.js';
import { SqliteMediaCatalog } from './sqlite-media-catalog.js';

let dir: string;
let path: string;
let db: Database;
let holder: Database;
let availability: DatabaseAvailability;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cedar-audits-'));
  path = join(dir, 'controller.db');
  db = openDatabase(path, { busyTimeoutMs: 50 });
  availability = new DatabaseAvailability(db, { path, retryMs: 20, minFreeBytes: 0 });
  holder = new BetterSqlite3(path);
});

afterEach(() => {
  availability.close();
  holder.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function storedAudits(): number {
  const reader = new BetterSqlite3(path, { readonly: true });
  try {
    return (reader.prepare('SELECT COUNT(*) AS n FROM disc_audits').get() as { n: number }).n;
  } finally {
    reader.close();
  }
}

describe('SqliteAuditCatalog', () => {
  it('keeps an audit the locked database refused, answers with it, and saves it once the lock goes', async () => {
    await new SqliteMediaCatalog(db).recordSession({
      device: 'burner-1/dvd0',
      discLabel: 'CEDAR BACKUP 23-NOV-2026',
      sessionLabel: 'CEDAR BACKUP 23-NOV-2026',
      newDisc: true,
      days: ['2026-11-23'],
      bytes: 1000,
      runId: 'w1',
      writtenAt: '2026-11-23T21:00:00.000Z',
    });
    const audits = new SqliteAuditCatalog(db, { availability });
    const audit = {
      discId: 1,
      runId: 'a1',
      auditedAt: '2027-05-01T10:00:00.000Z',
      ok: false,
      files: 2,
      counts: { missing: 0, extra: 1, differing: 0, unreadable: 0 },
      md5: 'absent' as const,
      problems: [
        {
          kind: 'extra' as const,
          day: '2026-11-23',
          path: '2026/11/23/x',
          actual: { size: 1, sha256: 'a'.repeat(64) },
        },
      ],
    };

    holder.exec('BEGIN EXCLUSIVE');
    await audits.recordAudit(audit);
    expect(availability.keptWrites).toBe(1);
    expect(await audits.lastAudit(1)).toEqual(audit);
    expect((await audits.lastAudits()).map((disc) => disc.lastAudit)).toEqual([audit]);
    expect((await audits.auditState()).outcomes).toEqual({ passed: 0, failed: 1 });
    holder.exec('ROLLBACK');

    await expect.poll(() => availability.keptWrites, { timeout: 2000 }).toBe(0);
    expect(storedAudits()).toBe(1);
    expect(await audits.lastAudit(1)).toEqual(audit);
    expect((await audits.lastAudits()).map((disc) => disc.lastAudit)).toEqual([audit]);
    expect((await audits.auditState()).outcomes).toEqual({ passed: 0, failed: 1 });
  });
});
