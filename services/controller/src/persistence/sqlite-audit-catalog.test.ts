// An audit is the outcome of a run already accepted: while another program holds the database's
// lock it is kept in memory and read back from there, and saved once the lock goes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstSession } from '../testing/catalog-records.js';
import { openLockableDatabase, type LockableDatabase } from '../testing/lockable-database.js';
import { SqliteAuditCatalog } from './sqlite-audit-catalog.js';
import { SqliteMediaCatalog } from './sqlite-media-catalog.js';

let file: LockableDatabase;

beforeEach(() => {
  file = openLockableDatabase('cedar-audits-');
});

afterEach(() => file.close());

function storedAudits(): number {
  return file.stored<{ n: number }>('SELECT COUNT(*) AS n FROM disc_audits')[0]!.n;
}

describe('SqliteAuditCatalog', () => {
  it('keeps an audit the locked database refused, answers with it, and saves it once the lock goes', async () => {
    await new SqliteMediaCatalog(file.db).recordSession(firstSession());
    const availability = file.availability();
    const audits = new SqliteAuditCatalog(file.db, { availability });
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

    file.lock();
    await audits.recordAudit(audit);
    expect(availability.keptWrites).toBe(1);
    expect(await audits.lastAudit(1)).toEqual(audit);
    expect((await audits.lastAudits()).map((disc) => disc.lastAudit)).toEqual([audit]);
    expect((await audits.auditState()).outcomes).toEqual({ passed: 0, failed: 1 });
    file.unlock();

    await expect.poll(() => availability.keptWrites, { timeout: 2000 }).toBe(0);
    expect(storedAudits()).toBe(1);
    expect(await audits.lastAudit(1)).toEqual(audit);
    expect((await audits.lastAudits()).map((disc) => disc.lastAudit)).toEqual([audit]);
    expect((await audits.auditState()).outcomes).toEqual({ passed: 0, failed: 1 });
  });
});
