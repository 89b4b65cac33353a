/** Records the catalog tests start from, written out once. */
import type { CatalogSession } from '@cedar-store/ports';

/** The first session of a new disc, `CEDAR BACKUP 23-NOV-2026` in burner-1/dvd0, with `patch` on top. */
export function firstSession(patch: Partial<CatalogSession> = {}): CatalogSession {
  return {
    device: 'burner-1/dvd0',
    discLabel: 'CEDAR BACKUP 23-NOV-2026',
    sessionLabel: 'CEDAR BACKUP 23-NOV-2026',
    newDisc: true,
    days: ['2026-11-23'],
    bytes: 1000,
    runId: 'w1',
    writtenAt: '2026-11-23T21:00:00.000Z',
    ...patch,
  };
}
