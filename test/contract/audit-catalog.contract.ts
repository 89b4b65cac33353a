import type { AuditCatalog, AuditProblem, CatalogSession, DiscAuditRecord, MediaCatalog } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';

/** The audits, and the media catalog whose discs they are of (discs are numbered 1, 2, … as started). */
export type AuditCatalogSubject = { audits: AuditCatalog; media: MediaCatalog; cleanup(): Promise<void> };
export type AuditCatalogFactory = () => Promise<AuditCatalogSubject>;

function session(patch: Partial<CatalogSession> & Pick<CatalogSession, 'runId'>): CatalogSession {
  return {
    device: 'burner-1/dvd0',
    discLabel: 'CEDAR BACKUP 23-NOV-2026',
    sessionLabel: 'CEDAR BACKUP 23-NOV-2026',
    newDisc: true,
    days: ['2026-11-23'],
    bytes: 1_000,
    writtenAt: '2026-11-23T21:00:00.000Z',
    ...patch,
  };
}

function audit(patch: Partial<DiscAuditRecord> & Pick<DiscAuditRecord, 'runId'>): DiscAuditRecord {
  return {
    discId: 1,
    auditedAt: '2027-05-01T10:00:00.000Z',
    ok: true,
    files: 3,
    counts: { missing: 0, extra: 0, differing: 0, unreadable: 0 },
    md5: 'absent',
    problems: [],
    ...patch,
  };
}

const problem = (i: number): AuditProblem => ({
  kind: 'differing',
  day: '2026-11-23',
  path: `2026/11/23/file-${String(i)}`,
  expected: { size: 1, sha256: 'a'.repeat(64) },
  actual: { size: 1, sha256: 'b'.repeat(64) },
});

/** What every AuditCatalog adapter must do. */
export function auditCatalogContract(name: string, factory: AuditCatalogFactory): void {
  describe(`AuditCatalog contract: ${name}`, () => {
    async function withCatalog(test: (subject: AuditCatalogSubject) => Promise<void>): Promise<void> {
      const subject = await factory();
      try {
        await test(subject);
      } finally {
        await subject.cleanup();
      }
    }

    it('knows no audit of a disc never audited, and lists the disc as never audited', () =>
      withCatalog(async ({ audits, media }) => {
        await media.recordSession(session({ runId: 'w1', verified: true }));
        expect(await audits.lastAudit(1)).toBeNull();
        expect(await audits.auditState()).toEqual({
          discs: [
            {
              discId: 1,
              label: 'CEDAR BACKUP 23-NOV-2026',
              startedAt: '2026-11-23T21:00:00.000Z',
              lastAuditAt: null,
              lastVerifiedAt: '2026-11-23T21:00:00.000Z',
            },
          ],
          outcomes: { passed: 0, failed: 0 },
        });
      }));

    it('answers the newest audit of a disc, whole, and counts passed and failed audits', () =>
      withCatalog(async ({ audits, media }) => {
        await media.recordSession(session({ runId: 'w1' }));
        await media.recordSession(
          session({ runId: 'w2', device: 'burner-1/bd0', discLabel: 'CEDAR BACKUP 24-NOV-2026', verified: false }),
        );
        const failed = audit({
          runId: 'a2',
          auditedAt: '2027-06-01T10:00:00.000Z',
          ok: false,
          counts: { missing: 1, extra: 0, differing: 1, unreadable: 1 },
          md5: 'mismatch',
          problems: [
            { kind: 'unreadable', path: '2026/11/23/c', error: 'EIO: i/o error, read' },
            { kind: 'missing', day: '2026-11-23', path: '2026/11/23/a', expected: { size: 4, sha256: 'c'.repeat(64) } },
            problem(1),
          ],
        });
        await audits.recordAudit(audit({ runId: 'a1' }));
        await audits.recordAudit(failed);
        await audits.recordAudit(audit({ runId: 'a3', discId: 2, auditedAt: '2027-04-01T10:00:00.000Z' }));

        expect(await audits.lastAudit(1)).toEqual(failed);
        expect(await audits.lastAudit(2)).toMatchObject({ runId: 'a3', ok: true });
        expect(await audits.auditState()).toEqual({
          discs: [
            {
              discId: 1,
              label: 'CEDAR BACKUP 23-NOV-2026',
              startedAt: '2026-11-23T21:00:00.000Z',
              lastAuditAt: '2027-06-01T10:00:00.000Z',
              lastVerifiedAt: null,
            },
            {
              discId: 2,
              label: 'CEDAR BACKUP 24-NOV-2026',
              startedAt: '2026-11-23T21:00:00.000Z',
              lastAuditAt: '2027-04-01T10:00:00.000Z',
              lastVerifiedAt: null,
            },
          ],
          outcomes: { passed: 2, failed: 1 },
        });
      }));

    it('lists every disc with its newest audit, one superseded since too, and leaves it out of the audit state', () =>
      withCatalog(async ({ audits, media }) => {
        await media.recordSession(session({ runId: 'w1' }));
        const failed = audit({
          runId: 'a1',
          auditedAt: '2026-11-27T10:00:00.000Z',
          ok: false,
          counts: { missing: 0, extra: 0, differing: 1, unreadable: 0 },
          problems: [problem(1)],
        });
        await audits.recordAudit(audit({ runId: 'a0', auditedAt: '2026-11-26T10:00:00.000Z' }));
        await audits.recordAudit(failed);
        // The next week's new disc is written over the same rewritable media.
        const next = 'CEDAR BACKUP 30-NOV-2026';
        await media.recordSession(
          session({
            runId: 'w2',
            discLabel: next,
            sessionLabel: next,
            days: ['2026-11-30'],
            writtenAt: '2026-11-30T21:00:00.000Z',
          }),
          { overwrote: 'CEDAR BACKUP 23-NOV-2026' },
        );
        expect((await media.list()).map((disc) => disc.supersededAt)).toEqual([undefined, '2026-11-30T21:00:00.000Z']);

        expect(await audits.lastAudits()).toEqual([
          { discId: 1, label: 'CEDAR BACKUP 23-NOV-2026', startedAt: '2026-11-23T21:00:00.000Z', lastAudit: failed },
          { discId: 2, label: next, startedAt: '2026-11-30T21:00:00.000Z', lastAudit: null },
        ]);
        expect((await audits.auditState()).discs.map((disc) => disc.discId)).toEqual([2]);
      }));

    it('keeps the first problems by name and all the counts', () =>
      withCatalog(async ({ audits, media }) => {
        await media.recordSession(session({ runId: 'w1' }));
        const many = Array.from({ length: 150 }, (_, i) => problem(i));
        await audits.recordAudit(
          audit({
            runId: 'a1',
            ok: false,
            counts: { missing: 0, extra: 0, differing: 5000, unreadable: 0 },
            problems: many,
          }),
        );
        const kept = await audits.lastAudit(1);
        expect(kept?.counts.differing).toBe(5000);
        expect(kept?.problems).toEqual(many.slice(0, 100));
      }));

    it('replaces the record of a run recorded twice', () =>
      withCatalog(async ({ audits, media }) => {
        await media.recordSession(session({ runId: 'w1' }));
        await audits.recordAudit(audit({ runId: 'a1', ok: false }));
        await audits.recordAudit(audit({ runId: 'a1', ok: true }));
        expect(await audits.lastAudit(1)).toMatchObject({ runId: 'a1', ok: true });
        expect((await audits.auditState()).outcomes).toEqual({ passed: 1, failed: 0 });
      }));

    it('finds the disc media carries by its label or a later session’s, the newest first', () =>
      withCatalog(async ({ audits, media }) => {
        expect(await audits.discCarrying('CEDAR BACKUP 23-NOV-2026')).toBeNull();
        await media.recordSession(session({ runId: 'w1' }));
        await media.recordSession(
          session({
            runId: 'w2',
            newDisc: false,
            sessionLabel: 'CEDAR BACKUP 24-NOV-2026',
            writtenAt: '2026-11-24T21:00:00.000Z',
          }),
        );
        await media.recordSession(
          session({
            runId: 'w3',
            device: 'burner-1/bd0',
            discLabel: 'CEDAR BACKUP 30-NOV-2026',
            sessionLabel: 'CEDAR BACKUP 30-NOV-2026',
          }),
        );
        expect(await audits.discCarrying('CEDAR BACKUP 24-NOV-2026')).toEqual({
          discId: 1,
          label: 'CEDAR BACKUP 23-NOV-2026',
          sessions: 2,
        });
        expect(await audits.discCarrying('CEDAR BACKUP 23-NOV-2026')).toMatchObject({ discId: 1 });
        expect(await audits.discCarrying('CEDAR BACKUP 30-NOV-2026')).toMatchObject({ discId: 2, sessions: 1 });
        // The same label on a newer disc (rewritable media started again) is that newer disc.
        await media.recordSession(session({ runId: 'w4', writtenAt: '2026-12-01T21:00:00.000Z' }), {
          overwrote: 'CEDAR BACKUP 24-NOV-2026',
        });
        expect(await audits.discCarrying('CEDAR BACKUP 23-NOV-2026')).toMatchObject({ discId: 3, sessions: 1 });
      }));

    it('leaves out a disc whose media was blanked for a newer one', () =>
      withCatalog(async ({ audits, media }) => {
        await media.recordSession(session({ runId: 'w1' }));
        await media.recordSession(
          session({ runId: 'w2', discLabel: 'CEDAR BACKUP 30-NOV-2026', writtenAt: '2026-11-30T21:00:00.000Z' }),
          { overwrote: 'CEDAR BACKUP 23-NOV-2026' },
        );
        expect((await audits.auditState()).discs.map((disc) => disc.discId)).toEqual([2]);
      }));
  });
}
