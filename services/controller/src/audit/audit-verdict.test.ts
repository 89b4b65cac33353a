// The verdict the catalog keeps, from a real SQLite manifest and the agent's answer paged as
// manifest.read pages it: a disc read back as recorded passes, and a changed file, an unreadable
// one or xorriso's MD5 mismatch each fail it.
import type { AuditResult, ManifestPage, ManifestRecord } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../persistence/database.js';
import { SqliteManifestCatalog } from '../persistence/sqlite-manifest-catalog.js';
import { SqliteMediaCatalog } from '../persistence/sqlite-media-catalog.js';
import { firstSession } from '../testing/catalog-records.js';
import { auditVerdict } from './audit-verdict.js';

const A = 'a'.repeat(64);
const RECORDS: ManifestRecord[] = ['a.txt', 'docs/b.txt', 'docs/c.txt'].map((name, i) => ({
  day: '2026-11-23',
  path: `2026/11/23/${name}`,
  size: i + 1,
  sha256: A,
}));

async function catalog(): Promise<SqliteManifestCatalog> {
  const db = openDatabase(':memory:');
  await new SqliteMediaCatalog(db).recordSession(firstSession({ bytes: 6, verified: true }));
  const manifests = new SqliteManifestCatalog(db);
  await manifests.stageManifestPage('w1', RECORDS);
  await manifests.adoptManifest('w1', '2026-11-23T21:00:00.000Z');
  return manifests;
}

/** The agent's records two to a page, the cursor an index as good as manifest.read's byte offset. */
function pages(records: ManifestRecord[]): (cursor: number) => Promise<ManifestPage> {
  return async (cursor) => ({
    records: records.slice(cursor, cursor + 2),
    nextCursor: cursor + 2 < records.length ? cursor + 2 : null,
  });
}

function read(patch: Partial<AuditResult> = {}): AuditResult {
  return {
    label: 'CEDAR BACKUP 23-NOV-2026',
    sessions: 1,
    files: 3,
    bytes: 6,
    unreadable: [],
    unreadableCount: 0,
    skipped: 0,
    md5: { verdict: 'absent', words: 'Not a single file with MD5 checksum was found.' },
    ...patch,
  };
}

const base = { discId: 1, runId: 'a1', auditedAt: '2027-05-01T10:00:00.000Z' };

describe('auditVerdict', () => {
  it('passes a disc whose every file reads back as its manifest, MD5s absent', async () => {
    const { record } = await auditVerdict({
      ...base,
      manifests: await catalog(),
      read: read(),
      readPage: pages(RECORDS),
    });
    expect(record).toEqual({
      ...base,
      ok: true,
      files: 3,
      counts: { missing: 0, extra: 0, differing: 0, unreadable: 0 },
      md5: 'absent',
      problems: [],
    });
  });

  it('fails a disc with a changed file and an unreadable one, naming both', async () => {
    const changed = { ...RECORDS[0]!, sha256: 'b'.repeat(64) };
    const { record, comparison } = await auditVerdict({
      ...base,
      manifests: await catalog(),
      read: read({
        files: 2,
        unreadable: [{ path: '2026/11/23/docs/c.txt', error: 'EIO: i/o error, read' }],
        unreadableCount: 1,
      }),
      readPage: pages([changed, RECORDS[1]!]),
    });
    expect(record.ok).toBe(false);
    expect(record.counts).toEqual({ missing: 0, extra: 0, differing: 1, unreadable: 1 });
    expect(record.problems.map((problem) => [problem.kind, problem.path])).toEqual([
      ['unreadable', '2026/11/23/docs/c.txt'],
      ['differing', '2026/11/23/a.txt'],
    ]);
    expect(comparison.matching).toBe(1);
  });

  it('fails a disc whose files match but xorriso’s MD5 check found a mismatch', async () => {
    const { record } = await auditVerdict({
      ...base,
      manifests: await catalog(),
      read: read({ md5: { verdict: 'mismatch', words: "MD5 MISMATCH: '/2026/11/23/a.txt'" } }),
      readPage: pages(RECORDS),
    });
    expect(record).toMatchObject({ ok: false, md5: 'mismatch', problems: [] });
  });
});
