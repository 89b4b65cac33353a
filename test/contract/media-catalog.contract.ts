import type { CatalogSession, MediaCatalog } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';

export type MediaCatalogSubject = { catalog: MediaCatalog; cleanup(): Promise<void> };
export type MediaCatalogFactory = () => Promise<MediaCatalogSubject>;

function session(patch: Partial<CatalogSession> & Pick<CatalogSession, 'runId'>): CatalogSession {
  return {
    device: 'burner-1/dvd0',
    discLabel: 'CEDAR BACKUP 23-NOV-2026',
    sessionLabel: 'CEDAR BACKUP 23-NOV-2026',
    newDisc: false,
    days: ['2026-11-23'],
    bytes: 1_000,
    writtenAt: '2026-11-23T21:00:00.000Z',
    ...patch,
  };
}

const monday = session({ runId: 'r1', newDisc: true });
const tuesday = session({
  runId: 'r2',
  sessionLabel: 'CEDAR BACKUP 24-NOV-2026',
  days: ['2026-11-24'],
  bytes: 2_000,
  writtenAt: '2026-11-24T21:00:00.000Z',
});
const nextMonday = session({
  runId: 'r3',
  newDisc: true,
  discLabel: 'CEDAR BACKUP 30-NOV-2026',
  sessionLabel: 'CEDAR BACKUP 30-NOV-2026',
  days: ['2026-11-29', '2026-11-30'],
  bytes: 3_000,
  writtenAt: '2026-11-30T21:00:00.000Z',
});

/** What every MediaCatalog adapter must do. */
export function mediaCatalogContract(name: string, factory: MediaCatalogFactory): void {
  describe(`MediaCatalog contract: ${name}`, () => {
    async function withCatalog(test: (catalog: MediaCatalog) => Promise<void>): Promise<void> {
      const subject = await factory();
      try {
        await test(subject.catalog);
      } finally {
        await subject.cleanup();
      }
    }

    it('starts empty', () =>
      withCatalog(async (catalog) => {
        expect(await catalog.list()).toEqual([]);
        expect(await catalog.currentDisc('burner-1/dvd0')).toBeNull();
      }));

    it('starts a disc with a new-disc session and appends the next sessions to it, in order', () =>
      withCatalog(async (catalog) => {
        await catalog.recordSession(monday);
        await catalog.recordSession(tuesday);
        const disc = {
          label: 'CEDAR BACKUP 23-NOV-2026',
          device: 'burner-1/dvd0',
          startedAt: '2026-11-23T21:00:00.000Z',
          sessions: [monday, tuesday],
        };
        expect(await catalog.list()).toEqual([disc]);
        expect(await catalog.currentDisc('burner-1/dvd0')).toEqual(disc);
      }));

    it('lists discs newest first, and the newest one is the current disc', () =>
      withCatalog(async (catalog) => {
        for (const written of [monday, tuesday, nextMonday]) await catalog.recordSession(written);
        const discs = await catalog.list();
        expect(discs.map((disc) => disc.label)).toEqual(['CEDAR BACKUP 30-NOV-2026', 'CEDAR BACKUP 23-NOV-2026']);
        expect(discs.map((disc) => disc.sessions.map((s) => s.runId))).toEqual([['r3'], ['r1', 'r2']]);
        expect(await catalog.currentDisc('burner-1/dvd0')).toEqual(discs[0]);
      }));

    it('appends to the disc of the session device, not to a newer disc in another device', () =>
      withCatalog(async (catalog) => {
        await catalog.recordSession(monday);
        await catalog.recordSession({ ...nextMonday, device: 'burner-2/bd0' });
        await catalog.recordSession(tuesday);
        expect((await catalog.currentDisc('burner-1/dvd0'))?.sessions.map((s) => s.runId)).toEqual(['r1', 'r2']);
        expect((await catalog.currentDisc('burner-2/bd0'))?.sessions.map((s) => s.runId)).toEqual(['r3']);
        expect(await catalog.currentDisc('burner-3/cd0')).toBeNull();
        expect((await catalog.list()).map((disc) => disc.device)).toEqual(['burner-2/bd0', 'burner-1/dvd0']);
      }));

    it('opens a disc record for an append when the device has none (a disc older than the catalog)', () =>
      withCatalog(async (catalog) => {
        await catalog.recordSession(tuesday);
        await catalog.recordSession({ ...tuesday, runId: 'r4', writtenAt: '2026-11-25T21:00:00.000Z' });
        expect(await catalog.list()).toEqual([
          {
            label: tuesday.discLabel,
            device: 'burner-1/dvd0',
            startedAt: tuesday.writtenAt,
            sessions: [tuesday, { ...tuesday, runId: 'r4', writtenAt: '2026-11-25T21:00:00.000Z' }],
          },
        ]);
      }));

    it('keeps a session without days (an initialized disc)', () =>
      withCatalog(async (catalog) => {
        const initialized = session({ runId: 'r0', newDisc: true, days: [], bytes: 0 });
        await catalog.recordSession(initialized);
        expect((await catalog.currentDisc('burner-1/dvd0'))?.sessions).toEqual([initialized]);
      }));

    it('hands out copies: changing what was recorded or read does not change the catalog', () =>
      withCatalog(async (catalog) => {
        const written = structuredClone(monday);
        await catalog.recordSession(written);
        written.days.push('2026-11-24');
        const [disc] = await catalog.list();
        disc?.sessions.pop();
        expect((await catalog.currentDisc('burner-1/dvd0'))?.sessions).toEqual([monday]);
      }));

    it('keeps whether each session read back identical: yes, no, or not read back', () =>
      withCatalog(async (catalog) => {
        await catalog.recordSession({ ...monday, verified: true });
        await catalog.recordSession({ ...tuesday, verified: false });
        await catalog.recordSession(session({ runId: 'r4', days: ['2026-11-25'] }));
        const [disc] = await catalog.list();
        expect(disc!.sessions.map((s) => [s.runId, s.verified])).toEqual([
          ['r1', true],
          ['r2', false],
          ['r4', undefined],
        ]);
        expect(disc!.sessions[2]).not.toHaveProperty('verified');
      }));

    it('marks the current disc superseded when a new disc blanked the media that carried its label', () =>
      withCatalog(async (catalog) => {
        await catalog.recordSession(monday);
        expect((await catalog.list())[0]).not.toHaveProperty('supersededAt');
        // Another medium in the drive (its label is not the current disc's): nothing is superseded.
        await catalog.recordSession(nextMonday, { overwrote: 'CEDAR BACKUP 01-JAN-2026' });
        // Media with sessions appended carries its last session's label.
        await catalog.recordSession({ ...tuesday, runId: 'r4', writtenAt: '2026-11-30T21:30:00.000Z' });
        // The same medium blanked again for a --full store: the disc of the 30th is gone.
        const full = { ...nextMonday, runId: 'r5', writtenAt: '2026-11-30T22:00:00.000Z' };
        await catalog.recordSession(full, { overwrote: 'CEDAR BACKUP 24-NOV-2026' });
        const discs = await catalog.list();
        expect(discs.map((disc) => [disc.sessions[0]!.runId, disc.supersededAt])).toEqual([
          ['r5', undefined],
          ['r3', '2026-11-30T22:00:00.000Z'],
          ['r1', undefined],
        ]);
        expect((await catalog.currentDisc('burner-1/dvd0'))?.sessions[0]?.runId).toBe('r5');
      }));
  });
}
