// The manifest tables: pages staged under their run, filed under disc → session → day once the
// session is in the catalog, shown only then, paged by cursor, and searched by glob newest day first.
import { createHash } from 'node:crypto';
import { parseGlob } from '@cedar-store/domain';
import type { ManifestRecord } from '@cedar-store/ports';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './index.js';
import { SqliteManifestCatalog } from './sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from './sqlite-media-catalog.js';

let db: Database;
let media: SqliteMediaCatalog;
let manifests: SqliteManifestCatalog;

beforeEach(() => {
  db = openDatabase(':memory:');
  media = new SqliteMediaCatalog(db);
  manifests = new SqliteManifestCatalog(db);
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const record = (day: string, path: string, size = 10): ManifestRecord => ({
  day,
  path: `${day.replaceAll('-', '/')}/${path}`,
  size,
  sha256: sha(path),
});

async function session(runId: string, days: string[], options: { newDisc?: boolean; verified?: boolean } = {}) {
  await media.recordSession({
    device: 'burner-1/dvd0',
    discLabel: 'CEDAR BACKUP 25-NOV-2026',
    sessionLabel: `CEDAR ${runId}`,
    newDisc: options.newDisc ?? false,
    days,
    bytes: 100,
    runId,
    writtenAt: '2026-11-25T22:00:00.000Z',
    ...(options.verified === undefined ? {} : { verified: options.verified }),
  });
}

async function importAll(runId: string, pages: ManifestRecord[][]) {
  for (const page of pages) await manifests.stageManifestPage(runId, page);
  return manifests.adoptManifest(runId, '2026-11-25T22:05:00.000Z');
}

const staged = () => db.prepare('SELECT count(*) AS n FROM manifest_staged').get();

describe('SqliteManifestCatalog', () => {
  it('stages pages before the session is in the catalog, and shows them once adopted under it', async () => {
    await manifests.stageManifestPage('run-1', [record('2026-11-25', 'b.txt'), record('2026-11-25', 'a/c.txt', 5)]);
    await session('run-1', ['2026-11-25'], { newDisc: true, verified: true });
    expect(await manifests.manifestDays(1)).toEqual([]);
    expect((await manifests.find({ glob: parseGlob('**'), limit: 10 })).items).toEqual([]);
    expect(await manifests.adoptManifest('run-1', '2026-11-25T22:05:00.000Z')).toEqual({ days: 1, files: 2 });
    expect(staged()).toEqual({ n: 0 });

    expect(await manifests.manifestDays(1)).toEqual([
      {
        day: '2026-11-25',
        session: { position: 1, label: 'CEDAR run-1', runId: 'run-1', verified: true },
        files: 2,
        bytes: 15,
        recordedAt: '2026-11-25T22:05:00.000Z',
      },
    ]);
    expect((await manifests.manifestFiles(1, { limit: 10 })).items).toEqual([
      { day: '2026-11-25', path: '2026/11/25/a/c.txt', size: 5, sha256: sha('a/c.txt') },
      { day: '2026-11-25', path: '2026/11/25/b.txt', size: 10, sha256: sha('b.txt') },
    ]);
  });

  it('stores each path once, relative to its day, and the hash as 32 bytes', async () => {
    await session('run-1', ['2026-11-25'], { newDisc: true });
    await importAll('run-1', [[record('2026-11-25', 'docs/report.txt')]]);
    expect(db.prepare('SELECT path, length(sha256) AS bytes FROM manifest_files').all()).toEqual([
      { path: 'docs/report.txt', bytes: 32 },
    ]);
  });

  it('counts each day of a page whose records go back and forth between days', async () => {
    await session('run-1', ['2026-11-25', '2026-11-26'], { newDisc: true });
    await importAll('run-1', [
      [record('2026-11-25', 'a', 1), record('2026-11-26', 'b', 20), record('2026-11-25', 'c', 300)],
      [record('2026-11-26', 'd', 4000), record('2026-11-25', 'e', 50000)],
    ]);
    expect((await manifests.manifestDays(1)).map(({ day, files, bytes }) => ({ day, files, bytes }))).toEqual([
      { day: '2026-11-25', files: 3, bytes: 50301 },
      { day: '2026-11-26', files: 2, bytes: 4020 },
    ]);
    expect((await manifests.manifestFiles(1, { day: '2026-11-26', limit: 10 })).items.map((file) => file.path)).toEqual(
      ['2026/11/26/b', '2026/11/26/d'],
    );
  });

  it('refuses a record whose path is not under its day, and files nothing of its page', async () => {
    await session('run-1', ['2026-11-25', '2026-11-26'], { newDisc: true });
    const stray = { ...record('2026-11-25', 'x'), day: '2026-11-26' };
    await expect(manifests.stageManifestPage('run-1', [record('2026-11-25', 'ok'), stray])).rejects.toThrow(
      'manifest record 2026/11/25/x is not under its day 2026-11-26',
    );
    expect(staged()).toEqual({ n: 0 });
    expect(await manifests.adoptManifest('run-1', '2026-11-25T22:05:00.000Z')).toEqual({ days: 0, files: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM manifest_files').get()).toEqual({ n: 0 });
  });

  it('refuses a record whose hash is not 32 bytes of hex, and files nothing of its page', async () => {
    const bad = { ...record('2026-11-25', 'bad'), sha256: `g${sha('bad').slice(1)}` };
    await expect(manifests.stageManifestPage('run-1', [record('2026-11-25', 'ok'), bad])).rejects.toThrow(
      'CHECK constraint failed: length(sha256) = 32',
    );
    expect(staged()).toEqual({ n: 0 });
  });

  it('a path staged again keeps its last record, within a page and across pages', async () => {
    await session('run-1', ['2026-11-25'], { newDisc: true });
    const pages = [
      [record('2026-11-25', 'a', 1), record('2026-11-25', 'b', 2), record('2026-11-25', 'a', 3)],
      [record('2026-11-25', 'b', 40)],
    ];
    expect(await importAll('run-1', pages)).toEqual({ days: 1, files: 2 });
    expect((await manifests.manifestFiles(1, { limit: 10 })).items.map(({ path, size }) => ({ path, size }))).toEqual([
      { path: '2026/11/25/a', size: 3 },
      { path: '2026/11/25/b', size: 40 },
    ]);
    expect((await manifests.manifestDays(1))[0]).toMatchObject({ files: 2, bytes: 43 });
  });

  it('a run with no session in the catalog files nothing, and what it staged is dropped', async () => {
    await manifests.stageManifestPage('no-such-run', [record('2026-11-25', 'a.txt')]);
    expect(await manifests.adoptManifest('no-such-run', '2026-11-25T22:05:00.000Z')).toBeNull();
    expect(staged()).toEqual({ n: 0 });
  });

  it('importing again replaces what an earlier attempt filed', async () => {
    await session('run-1', ['2026-11-25'], { newDisc: true });
    await importAll('run-1', [[record('2026-11-25', 'stale.txt')]]);
    expect(await importAll('run-1', [[record('2026-11-25', 'fresh.txt')]])).toEqual({ days: 1, files: 1 });
    expect((await manifests.manifestFiles(1, { limit: 10 })).items.map((file) => file.path)).toEqual([
      '2026/11/25/fresh.txt',
    ]);
  });

  it('drops what a run staged and will not adopt, and leaves other runs alone', async () => {
    await session('run-1', ['2026-11-25'], { newDisc: true });
    await manifests.stageManifestPage('run-1', [record('2026-11-25', 'kept.txt')]);
    await manifests.stageManifestPage('run-2', [record('2026-11-26', 'dropped.txt')]);
    await manifests.dropStagedManifest('run-2');
    expect(staged()).toEqual({ n: 1 });
    expect(await manifests.adoptManifest('run-1', '2026-11-25T22:05:00.000Z')).toEqual({ days: 1, files: 1 });
  });

  it('a restarted controller drops what a run staged before it stopped', async () => {
    await manifests.stageManifestPage('run-1', [record('2026-11-25', 'a.txt')]);
    new SqliteManifestCatalog(db);
    expect(staged()).toEqual({ n: 0 });
  });

  it('pages a disc manifest by cursor, each file once, and refuses a cursor it did not give', async () => {
    await session('run-1', ['2026-11-25', '2026-11-26'], { newDisc: true });
    const files = [
      ...Array.from({ length: 7 }, (_, i) => record('2026-11-25', `f${i}`)),
      ...Array.from({ length: 5 }, (_, i) => record('2026-11-26', `g${i}`)),
    ];
    await importAll('run-1', [files.slice(0, 4), files.slice(4)]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await manifests.manifestFiles(1, { limit: 5, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((file) => file.path));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(files.map((file) => file.path));
    expect((await manifests.manifestFiles(1, { day: '2026-11-26', limit: 10 })).items).toHaveLength(5);
    await expect(manifests.manifestFiles(1, { limit: 5, cursor: 'bm9wZQ' })).rejects.toThrow('cursor');
  });

  it('finds files by glob, newest day first, with their disc, session and state', async () => {
    await session('run-1', ['2026-11-25'], { newDisc: true, verified: true });
    await importAll('run-1', [[record('2026-11-25', 'docs/report.txt'), record('2026-11-25', 'docs/old/report.txt')]]);
    await session('run-2', ['2026-11-26']);
    await importAll('run-2', [[record('2026-11-26', 'docs/report.txt'), record('2026-11-26', 'docs/other.txt')]]);

    const found = await manifests.find({ glob: parseGlob('report.txt'), limit: 10 });
    expect(found.items.map((file) => file.path)).toEqual([
      '2026/11/26/docs/report.txt',
      '2026/11/25/docs/old/report.txt',
      '2026/11/25/docs/report.txt',
    ]);
    expect(found.items[0]).toMatchObject({
      disc: { id: 1, label: 'CEDAR BACKUP 25-NOV-2026', device: 'burner-1/dvd0' },
      session: { position: 2, runId: 'run-2' },
    });
    expect(found.items[0]!.session.verified).toBeUndefined();
    expect(found.items[2]!.session.verified).toBe(true);

    const direct = await manifests.find({ glob: parseGlob('docs/*.txt'), day: '2026-11-25', limit: 10 });
    expect(direct.items.map((file) => file.path)).toEqual(['2026/11/25/docs/report.txt']);
    const since = await manifests.find({ glob: parseGlob('docs/**'), since: '2026-11-26', limit: 10 });
    expect(since.items.map((file) => file.path)).toEqual(['2026/11/26/docs/other.txt', '2026/11/26/docs/report.txt']);

    const first = await manifests.find({ glob: parseGlob('**/*.txt'), limit: 2 });
    const rest = await manifests.find({ glob: parseGlob('**/*.txt'), limit: 10, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((file) => file.path)).toEqual([
      '2026/11/26/docs/other.txt',
      '2026/11/26/docs/report.txt',
      '2026/11/25/docs/old/report.txt',
      '2026/11/25/docs/report.txt',
    ]);
    expect(rest.nextCursor).toBeNull();
  });

  it('names a disc by its number or its label, and knows when it was superseded', async () => {
    await session('run-1', ['2026-11-25'], { newDisc: true });
    expect(await manifests.disc('1')).toEqual({ id: 1, label: 'CEDAR BACKUP 25-NOV-2026', device: 'burner-1/dvd0' });
    expect((await manifests.disc('CEDAR BACKUP 25-NOV-2026'))?.id).toBe(1);
    expect(await manifests.disc('2')).toBeNull();
    db.prepare("UPDATE discs SET superseded_at = '2026-12-01T22:00:00.000Z'").run();
    expect((await manifests.disc('1'))?.supersededAt).toBe('2026-12-01T22:00:00.000Z');
  });
});
