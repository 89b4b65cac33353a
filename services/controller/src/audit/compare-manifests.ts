/**
 * An audit's verdict (docs/auditing.md): the catalog's manifest of a disc against the hashes the
 * agent read from it, both streams sorted the same way (day, then path by UTF-8 bytes: the
 * catalog's `ORDER BY md.day, f.path` under SQLite's BINARY collation, and the agent's
 * media.audit), merged in one pass. Memory holds one record of each side and the first
 * problems, so a disc of a million files is compared page by page.
 */
import { comparePaths, InternalError, type DayStamp } from '@cedar-store/domain';
import type { AuditProblem, AuditProblemKind, FileFingerprint } from '@cedar-store/ports';

/** A file as the manifest records it or the audit read it: its path on the disc (`YYYY/MM/DD/...`). */
export type AuditRecord = { day: DayStamp; path: string; size: number; sha256: string };

export type ManifestComparison = {
  ok: boolean;
  /** Files found in both with the same size and hash. */
  matching: number;
  counts: Record<AuditProblemKind, number>;
  /** The first `maxProblems` problems, in the order found (unreadable first, then by path). */
  problems: AuditProblem[];
};

export type CompareOptions = {
  /** The files the agent could not read (media.audit's first ones), each with its error. */
  unreadable?: readonly { path: string; error: string }[];
  /** All the agent could not read (media.audit's `unreadableCount`), when more than the list names. */
  unreadableCount?: number;
  /** Problems named in the result; the rest are counted. Default 1000. */
  maxProblems?: number;
};

export const DEFAULT_MAX_PROBLEMS = 1000;

/** Orders two records as both streams must be sorted: day, then path by code point (UTF-8 bytes). */
export function compareRecords(a: Pick<AuditRecord, 'day' | 'path'>, b: Pick<AuditRecord, 'day' | 'path'>): number {
  return a.day < b.day ? -1 : a.day > b.day ? 1 : comparePaths(a.path, b.path);
}

/**
 * The problems between the manifest and the disc, one at a time in path order. A manifest file
 * the agent could not read is `unreadable` (from `unreadablePaths`), not `missing`. Throws
 * INTERNAL if either stream is not strictly sorted: a merge of unsorted streams would report
 * files missing that are there.
 */
export async function* diffManifests(
  manifest: AsyncIterable<AuditRecord>,
  disc: AsyncIterable<AuditRecord>,
  unreadablePaths: ReadonlySet<string> = new Set(),
): AsyncGenerator<Exclude<AuditProblem, { kind: 'unreadable' }> | { kind: 'matching' }> {
  const expected = sortedReader(manifest, 'the catalog manifest');
  const actual = sortedReader(disc, "the disc's hashes");
  let want = await expected.next();
  let have = await actual.next();
  while (want !== undefined || have !== undefined) {
    const order = want === undefined ? 1 : have === undefined ? -1 : compareRecords(want, have);
    if (order < 0) {
      const record = want!;
      if (!unreadablePaths.has(record.path))
        yield { kind: 'missing', day: record.day, path: record.path, expected: fingerprint(record) };
      want = await expected.next();
    } else if (order > 0) {
      const record = have!;
      yield { kind: 'extra', day: record.day, path: record.path, actual: fingerprint(record) };
      have = await actual.next();
    } else {
      if (want!.size !== have!.size || want!.sha256 !== have!.sha256)
        yield {
          kind: 'differing',
          day: want!.day,
          path: want!.path,
          expected: fingerprint(want!),
          actual: fingerprint(have!),
        };
      else yield { kind: 'matching' };
      want = await expected.next();
      have = await actual.next();
    }
  }
}

/** Merges the two streams into counts and the first problems: the audit's verdict. */
export async function compareManifests(
  manifest: AsyncIterable<AuditRecord>,
  disc: AsyncIterable<AuditRecord>,
  options: CompareOptions = {},
): Promise<ManifestComparison> {
  const max = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const unreadable = options.unreadable ?? [];
  const result: ManifestComparison = {
    ok: false,
    matching: 0,
    counts: {
      missing: 0,
      extra: 0,
      differing: 0,
      unreadable: Math.max(options.unreadableCount ?? 0, unreadable.length),
    },
    problems: [],
  };
  for (const file of unreadable.slice(0, max)) result.problems.push({ kind: 'unreadable', ...file });
  for await (const found of diffManifests(manifest, disc, new Set(unreadable.map((file) => file.path)))) {
    if (found.kind === 'matching') {
      result.matching += 1;
      continue;
    }
    result.counts[found.kind] += 1;
    if (result.problems.length < max) result.problems.push(found);
  }
  const { missing, extra, differing, unreadable: unread } = result.counts;
  result.ok = missing + extra + differing + unread === 0;
  return result;
}

function fingerprint(record: AuditRecord): FileFingerprint {
  return { size: record.size, sha256: record.sha256 };
}

/** Reads a stream one record at a time, refusing one that is not strictly increasing. */
function sortedReader(records: AsyncIterable<AuditRecord>, name: string) {
  const iterator = records[Symbol.asyncIterator]();
  let last: AuditRecord | undefined;
  return {
    async next(): Promise<AuditRecord | undefined> {
      const step = await iterator.next();
      if (step.done) return undefined;
      const record = step.value;
      if (last !== undefined && compareRecords(last, record) >= 0)
        throw new InternalError(
          `${name} is not sorted by day and path (${last.path} before ${record.path}), so it cannot be compared; ` +
            'nothing was concluded about the disc',
        );
      last = record;
      return record;
    },
  };
}

/** Pages of records (the catalog's manifestFiles, the agent's manifest.read) as one stream. */
export async function* pagedRecords<C>(
  readPage: (cursor: C | undefined) => Promise<{ records: readonly AuditRecord[]; next: C | null }>,
): AsyncGenerator<AuditRecord> {
  let cursor: C | undefined;
  for (;;) {
    const page = await readPage(cursor);
    yield* page.records;
    if (page.next === null) return;
    cursor = page.next;
  }
}
