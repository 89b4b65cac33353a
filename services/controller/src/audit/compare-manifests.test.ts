// The audit's verdict from two sorted streams: each kind of problem named with both sides, counts
// past the named ones, an unreadable file never also called missing, and unsorted input refused.
import { describe, expect, it } from 'vitest';
import { compareManifests, compareRecords, pagedRecords, type AuditRecord } from './compare-manifests.js';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function rec(path: string, size = 1, sha256 = HASH_A): AuditRecord {
  const [y, m, d] = path.split('/');
  return { day: `${y}-${m}-${d}`, path, size, sha256 };
}

async function* stream(records: AuditRecord[]): AsyncGenerator<AuditRecord> {
  for (const record of records) {
    await Promise.resolve();
    yield record;
  }
}

describe('compareManifests', () => {
  it('passes a disc whose every file matches the manifest', async () => {
    const files = [rec('2026/11/25/a'), rec('2026/11/25/b/c'), rec('2026/11/26/a')];
    expect(await compareManifests(stream(files), stream(files))).toEqual({
      ok: true,
      matching: 3,
      counts: { missing: 0, extra: 0, differing: 0, unreadable: 0 },
      problems: [],
    });
  });

  it('names files missing, extra and differing in size or hash, with what each side holds', async () => {
    const manifest = [
      rec('2026/11/25/gone'),
      rec('2026/11/25/kept'),
      rec('2026/11/25/resized', 5),
      rec('2026/11/26/changed'),
    ];
    const disc = [
      rec('2026/11/25/kept'),
      rec('2026/11/25/new', 2, HASH_B),
      rec('2026/11/25/resized', 4),
      rec('2026/11/26/changed', 1, HASH_B),
    ];
    const result = await compareManifests(stream(manifest), stream(disc));
    expect(result.ok).toBe(false);
    expect(result.matching).toBe(1);
    expect(result.counts).toEqual({ missing: 1, extra: 1, differing: 2, unreadable: 0 });
    expect(result.problems).toEqual([
      { kind: 'missing', day: '2026-11-25', path: '2026/11/25/gone', expected: { size: 1, sha256: HASH_A } },
      { kind: 'extra', day: '2026-11-25', path: '2026/11/25/new', actual: { size: 2, sha256: HASH_B } },
      {
        kind: 'differing',
        day: '2026-11-25',
        path: '2026/11/25/resized',
        expected: { size: 5, sha256: HASH_A },
        actual: { size: 4, sha256: HASH_A },
      },
      {
        kind: 'differing',
        day: '2026-11-26',
        path: '2026/11/26/changed',
        expected: { size: 1, sha256: HASH_A },
        actual: { size: 1, sha256: HASH_B },
      },
    ]);
  });

  it('reports a whole day missing from the disc and one the manifest does not know', async () => {
    const result = await compareManifests(
      stream([rec('2026/11/24/a'), rec('2026/11/25/a')]),
      stream([rec('2026/11/25/a'), rec('2026/11/27/x')]),
    );
    expect(result.counts).toEqual({ missing: 1, extra: 1, differing: 0, unreadable: 0 });
    expect(result.problems.map((problem) => [problem.kind, problem.path])).toEqual([
      ['missing', '2026/11/24/a'],
      ['extra', '2026/11/27/x'],
    ]);
  });

  it('calls a file the agent could not read unreadable, with its error, not missing', async () => {
    const result = await compareManifests(
      stream([rec('2026/11/25/a'), rec('2026/11/25/b')]),
      stream([rec('2026/11/25/a')]),
      {
        unreadable: [{ path: '2026/11/25/b', error: 'EIO: i/o error, read' }],
        unreadableCount: 3,
      },
    );
    expect(result.ok).toBe(false);
    expect(result.counts).toEqual({ missing: 0, extra: 0, differing: 0, unreadable: 3 });
    expect(result.problems).toEqual([{ kind: 'unreadable', path: '2026/11/25/b', error: 'EIO: i/o error, read' }]);
  });

  it('names the first problems only and counts them all, holding one record of each side', async () => {
    const manifest = Array.from({ length: 5000 }, (_, i) => rec(`2026/11/25/f${String(i).padStart(5, '0')}`));
    const result = await compareManifests(stream(manifest), stream([]), { maxProblems: 10 });
    expect(result.counts.missing).toBe(5000);
    expect(result.problems).toHaveLength(10);
    expect(result.problems[0]).toMatchObject({ path: '2026/11/25/f00000' });
  });

  it('orders paths by UTF-8 bytes as SQLite does, not by UTF-16 code units', async () => {
    // U+FF21 is below U+1F600, but its UTF-16 unit is above the emoji's surrogates.
    const sorted = [
      rec('2026/11/25/a-b'),
      rec('2026/11/25/a/x'),
      rec('2026/11/25/\uFF21'),
      rec('2026/11/25/\u{1F600}'),
    ];
    expect(compareRecords(sorted[2]!, sorted[3]!)).toBeLessThan(0);
    expect((await compareManifests(stream(sorted), stream(sorted))).ok).toBe(true);
  });

  it('refuses a stream out of order rather than report files missing that are there', async () => {
    const unsorted = [rec('2026/11/25/b'), rec('2026/11/25/a')];
    await expect(compareManifests(stream(unsorted), stream([]))).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(
        /the catalog manifest is not sorted by day and path \(2026\/11\/25\/b before 2026\/11\/25\/a\)/,
      ),
    });
    await expect(
      compareManifests(stream([]), stream([rec('2026/11/25/a'), rec('2026/11/25/a')])),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/the disc's hashes is not sorted/),
    });
  });
});

describe('pagedRecords', () => {
  it('reads page after page until the cursor ends', async () => {
    const pages = new Map<string | undefined, { records: AuditRecord[]; next: string | null }>([
      [undefined, { records: [rec('2026/11/25/a')], next: 'p2' }],
      ['p2', { records: [], next: 'p3' }],
      ['p3', { records: [rec('2026/11/25/b'), rec('2026/11/25/c')], next: null }],
    ]);
    const seen: string[] = [];
    for await (const record of pagedRecords<string>(async (cursor) => pages.get(cursor)!)) seen.push(record.path);
    expect(seen).toEqual(['2026/11/25/a', '2026/11/25/b', '2026/11/25/c']);
  });
});
