// GET /api/v1/media over the SQLite catalogs the controller runs with: each disc's number and
// last audit, a superseded disc's too when it was audited before its media was blanked.
import type { CatalogSession, DiscAuditRecord } from '@cedar-store/ports';
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, SqliteAuditCatalog, SqliteMediaCatalog, type Database } from '../persistence/index.js';
import { firstSession } from '../testing/catalog-records.js';
import { mediaRoutes } from './media-routes.js';

let db: Database | undefined;

afterEach(() => {
  db?.close();
  db = undefined;
});

/** A new disc's first session: its label, device and time. */
function newDisc(device: string, label: string, writtenAt: string): CatalogSession {
  const days = [writtenAt.slice(0, 10)];
  return firstSession({ device, discLabel: label, sessionLabel: label, days, runId: `w-${label}`, writtenAt });
}

function audit(discId: number, patch: Partial<DiscAuditRecord>): DiscAuditRecord {
  return {
    discId,
    runId: `a-${discId}`,
    auditedAt: '2026-11-28T10:00:00.000Z',
    ok: true,
    files: 3,
    counts: { missing: 0, extra: 0, differing: 0, unreadable: 0 },
    md5: 'absent',
    problems: [],
    ...patch,
  };
}

describe('GET /api/v1/media', () => {
  it("gives each disc its number and last audit, a superseded disc's too when it has one", async () => {
    db = openDatabase(':memory:');
    const media = new SqliteMediaCatalog(db);
    const audits = new SqliteAuditCatalog(db);
    // dvd0: disc 1 is audited (failed), then blanked for disc 3, never audited.
    await media.recordSession(newDisc('burner-1/dvd0', 'CEDAR BACKUP 23-NOV-2026', '2026-11-23T21:00:00.000Z'));
    // bd0: disc 2, never audited, is blanked for disc 4, audited (passed).
    await media.recordSession(newDisc('burner-1/bd0', 'CEDAR BACKUP 24-NOV-2026', '2026-11-24T21:00:00.000Z'));
    await audits.recordAudit(
      audit(1, { ok: false, counts: { missing: 1, extra: 0, differing: 2, unreadable: 0 }, md5: 'absent' }),
    );
    await media.recordSession(newDisc('burner-1/dvd0', 'CEDAR BACKUP 30-NOV-2026', '2026-11-30T21:00:00.000Z'), {
      overwrote: 'CEDAR BACKUP 23-NOV-2026',
    });
    await media.recordSession(newDisc('burner-1/bd0', 'CEDAR BACKUP 01-DEC-2026', '2026-12-01T21:00:00.000Z'), {
      overwrote: 'CEDAR BACKUP 24-NOV-2026',
    });
    await audits.recordAudit(audit(4, { auditedAt: '2026-12-02T10:00:00.000Z' }));

    const res = await request(express().use(mediaRoutes(media, audits))).get('/api/v1/media');

    expect(res.status).toBe(200);
    const listed = (res.body as { discs: Array<Record<string, unknown>> }).discs.map(
      ({ label, id, supersededAt, lastAudit }) => ({ label, id, superseded: supersededAt !== undefined, lastAudit }),
    );
    expect(listed).toEqual([
      {
        label: 'CEDAR BACKUP 01-DEC-2026',
        id: 4,
        superseded: false,
        lastAudit: { at: '2026-12-02T10:00:00.000Z', ok: true, problems: 0, runId: 'a-4' },
      },
      { label: 'CEDAR BACKUP 30-NOV-2026', id: 3, superseded: false, lastAudit: null },
      { label: 'CEDAR BACKUP 24-NOV-2026', id: 2, superseded: true, lastAudit: undefined },
      {
        label: 'CEDAR BACKUP 23-NOV-2026',
        id: 1,
        superseded: true,
        lastAudit: { at: '2026-11-28T10:00:00.000Z', ok: false, problems: 3, runId: 'a-1' },
      },
    ]);
  });
});
