// The expected side of an audit, read from a real SQLite catalog: its ORDER BY (BINARY collation)
// is exactly the order compareManifests checks (comparePaths), names that UTF-16 orders otherwise
// included, and a day written in two sessions of one disc is their union, the newer one winning.
import type { CatalogSession, ManifestRecord } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../persistence/database.js';
import { SqliteManifestCatalog } from '../persistence/sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from '../persistence/sqlite-media-catalog.js';
import { compareManifests, type AuditRecord } from './compare-manifests.js';
import { discManifest } from './disc-manifest.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function rec(path: string, sha256 = A, size = 1): ManifestRecord {
  const [y, m, d] = path.split('/');
  return { day: `${y}-${m}-${d}`, path, size, sha256 };
}

async function catalogWith(sessions: Array<{ days: string[]; records: ManifestRecord[] }>) {
  const db = openDatabase(':memory:');
  const media = new SqliteMediaCatalog(db);
  const manifests = new SqliteManifestCatalog(db);
  for (const [i, { days, records }] of sessions.entries()) {
    const session: CatalogSession = {
      device: 'burner-1/dvd0',
      discLabel: 'CEDAR BACKUP 23-NOV-2026',
      sessionLabel: 'CEDAR BACKUP 23-NOV-2026',
      newDisc: i === 0,
      days,
      bytes: 1000,
      runId: `w${String(i)}`,
      writtenAt: `2026-11-2${String(3 + i)}T21:00:00.000Z`,
      verified: true,
    };
    await media.recordSession(session);
    // Pages of two, in an order SQLite must put right.
    const shuffled = [...records].reverse();
    for (let at = 0; at < shuffled.length; at += 2)
      await manifests.stageManifestPage(session.runId, shuffled.slice(at, at + 2));
    await manifests.adoptManifest(session.runId, session.writtenAt);
  }
  return manifests;
}

async function all(records: AsyncIterable<AuditRecord>): Promise<string[]> {
  const paths: string[] = [];
  for await (const record of records) paths.push(`${record.path} ${record.sha256[0]!}`);
  return paths;
}

async function* stream(records: AuditRecord[]): AsyncGenerator<AuditRecord> {
  yield* records;
}

describe('discManifest', () => {
  it('pages the catalog in the order of UTF-8 bytes, which the comparison and the agent use', async () => {
    const names = ['a/x', 'a-b', 'a.txt', '\u{1F600}.txt', '\uFF21.txt', 'n\u00fc', 'Z'];
    const records = names.map((name) => rec(`2026/11/23/${name}`)).concat(rec('2026/11/24/b'));
    const manifests = await catalogWith([{ days: ['2026-11-23', '2026-11-24'], records }]);

    const read = await all(discManifest(manifests, 1, 3));
    const byBytes = records
      .map((record) => record.path)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .map((path) => `${path} a`);
    expect(read).toEqual(byBytes);
    // The comparison accepts it as sorted: a disc holding the same files passes.
    const disc = records.slice().sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
    expect((await compareManifests(discManifest(manifests, 1, 3), stream(disc))).ok).toBe(true);
  });

  it('takes a day written in two sessions as their union, the newer session winning', async () => {
    const manifests = await catalogWith([
      { days: ['2026-11-23'], records: [rec('2026/11/23/kept'), rec('2026/11/23/both'), rec('2026/11/23/old')] },
      {
        days: ['2026-11-23', '2026-11-24'],
        records: [rec('2026/11/23/both', B), rec('2026/11/23/new', B), rec('2026/11/24/c')],
      },
    ]);
    expect(await all(discManifest(manifests, 1))).toEqual([
      '2026/11/23/both b',
      '2026/11/23/kept a',
      '2026/11/23/new b',
      '2026/11/23/old a',
      '2026/11/24/c a',
    ]);
  });

  it('is empty for a disc without a manifest', async () => {
    const manifests = await catalogWith([]);
    expect(await all(discManifest(manifests, 1))).toEqual([]);
  });
});
