// While another program holds the controller database's lock, the manifest tables answer as the
// others do: the API says 503 with Retry-After (DatabaseUnavailableError), never a bare 500, and
// a run's manifest import fails with that clear message instead of SQLite's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGlob } from '@cedar-store/domain';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseAvailability } from '../persistence/database-availability.js';
import { DatabaseUnavailableError } from '../persistence/database-unavailable.js';
import { migrate } from '../persistence/migrations.js';
import { SqliteManifestCatalog } from '../persistence/sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from '../persistence/sqlite-media-catalog.js';
import { describeFailure } from './errors.js';

let dir: string;
let db: Database;
let holder: Database;
let manifests: SqliteManifestCatalog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cedar-manifest-lock-'));
  const path = join(dir, 'controller.db');
  // A rollback journal, where a held lock stops readers too (in WAL mode only writers wait).
  db = new BetterSqlite3(path);
  db.pragma('busy_timeout = 50');
  migrate(db);
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
  manifests = new SqliteManifestCatalog(db, { availability: new DatabaseAvailability(db, { path, minFreeBytes: 0 }) });
  holder = new BetterSqlite3(path);
});

afterEach(() => {
  holder.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

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
    holder.exec('BEGIN EXCLUSIVE');
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
    holder.exec('ROLLBACK');
    expect(await manifests.disc('1')).toMatchObject({ id: 1, label: 'CEDAR BACKUP 23-NOV-2026' });
  });

  it('refuse a manifest import with the same clear error, recording nothing', async () => {
    holder.exec('BEGIN EXCLUSIVE');
    await refusal(() => manifests.startManifest('w1', '2026-11-23T21:05:00.000Z'));
    holder.exec('ROLLBACK');

    expect(await manifests.startManifest('w1', '2026-11-23T21:05:00.000Z')).toBe(true);
    holder.exec('BEGIN EXCLUSIVE');
    const page = [{ day: '2026-11-23', path: '2026/11/23/a.txt', size: 2, sha256: 'a'.repeat(64) }];
    expect(describeFailure(await refusal(() => manifests.addManifestPage('w1', page))).status).toBe(503);
    holder.exec('ROLLBACK');
    await manifests.addManifestPage('w1', page);
    expect(await manifests.finishManifest('w1')).toEqual({ days: 1, files: 1 });
  });
});
