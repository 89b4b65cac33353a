// While another program holds the controller database's lock, the manifest tables answer as the
// others do: the API says 503 with Retry-After (DatabaseUnavailableError), never a bare 500, and
// a run's manifest import fails with that clear message instead of SQLite's.
import { parseGlob } from '@cedar-store/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../persistence/database-unavailable.js';
import { SqliteManifestCatalog } from '../persistence/sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from '../persistence/sqlite-media-catalog.js';
import { firstSession } from '../testing/catalog-records.js';
import { openLockableDatabase, type LockableDatabase } from '../testing/lockable-database.js';
import { describeFailure } from './errors.js';

let file: LockableDatabase;
let manifests: SqliteManifestCatalog;

beforeEach(async () => {
  // A rollback journal, where a held lock stops readers too (in WAL mode only writers wait).
  file = openLockableDatabase('cedar-manifest-lock-', { rollbackJournal: true });
  await new SqliteMediaCatalog(file.db).recordSession(firstSession());
  manifests = new SqliteManifestCatalog(file.db, { availability: file.availability() });
});

afterEach(() => file.close());

async function refusal(work: () => Promise<unknown>): Promise<DatabaseUnavailableError> {
  const error = await work().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DatabaseUnavailableError);
  return error as DatabaseUnavailableError;
}

describe('the manifest tables with the database locked', () => {
  it('refuse reads with 503 and Retry-After, and answer again once the lock goes', async () => {
    file.lock();
    for (const read of [
      () => manifests.disc('1'),
      () => manifests.manifestDays(1),
      () => manifests.manifestFiles(1, { limit: 10 }),
      () => manifests.find({ glob: parseGlob('report.txt'), limit: 10 }),
    ]) {
      const failure = describeFailure(await refusal(read));
      expect(failure.status).toBe(503);
      expect(failure.retryAfterSeconds).toBeGreaterThan(0);
      expect(failure.body.error.message).toMatch(/the controller database is unavailable/);
    }
    file.unlock();
    expect(await manifests.disc('1')).toMatchObject({ id: 1, label: 'CEDAR BACKUP 23-NOV-2026' });
  });

  it('refuse a manifest import with the same clear error, recording nothing', async () => {
    const page = [{ day: '2026-11-23', path: '2026/11/23/a.txt', size: 2, sha256: 'a'.repeat(64) }];
    file.lock();
    expect(describeFailure(await refusal(() => manifests.stageManifestPage('w1', page))).status).toBe(503);
    file.unlock();
    await manifests.stageManifestPage('w1', page);
    file.lock();
    await refusal(() => manifests.adoptManifest('w1', '2026-11-23T21:05:00.000Z'));
    file.unlock();
    expect(await manifests.manifestDays(1)).toEqual([]);
    expect(await manifests.adoptManifest('w1', '2026-11-23T21:05:00.000Z')).toEqual({ days: 1, files: 1 });
  });
});
