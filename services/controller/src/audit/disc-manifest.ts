/**
 * What an audit expects on a disc, as one stream sorted by day then path (compare-manifests.ts):
 * the catalog's manifest of every day of the disc, page by page. A day written in two sessions
 * of one disc has a manifest per session, and the disc shows their union (xorriso maps the day's
 * directory again over the one already there, replacing files of the same name), so the day's
 * manifests are merged with the newer session's record winning.
 */
import type { DayStamp } from '@cedar-store/domain';
import type { ManifestCatalog } from '@cedar-store/ports';
import { compareRecords, type AuditRecord } from './compare-manifests.js';

/** Records per page read from the catalog. */
export const MANIFEST_PAGE = 1000;

/** The disc's manifest, sorted by day then path; one page per session of a day in memory at a time. */
export async function* discManifest(
  manifests: Pick<ManifestCatalog, 'manifestDays' | 'manifestFiles'>,
  discId: number,
  pageSize = MANIFEST_PAGE,
): AsyncGenerator<AuditRecord> {
  const sessionsOfDay = new Map<DayStamp, number[]>();
  for (const day of await manifests.manifestDays(discId)) {
    const sessions = sessionsOfDay.get(day.day) ?? [];
    sessions.push(day.session.position);
    sessionsOfDay.set(day.day, sessions);
  }
  for (const day of [...sessionsOfDay.keys()].sort()) {
    const sessions = [...new Set(sessionsOfDay.get(day))].sort((a, b) => a - b);
    yield* newestWins(sessions.map((session) => sessionFiles(manifests, discId, day, session, pageSize)));
  }
}

async function* sessionFiles(
  manifests: Pick<ManifestCatalog, 'manifestFiles'>,
  discId: number,
  day: DayStamp,
  session: number,
  pageSize: number,
): AsyncGenerator<AuditRecord> {
  let cursor: string | undefined;
  for (;;) {
    const page = await manifests.manifestFiles(discId, {
      day,
      session,
      limit: pageSize,
      ...(cursor === undefined ? {} : { cursor }),
    });
    yield* page.items;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

/**
 * Merges streams each sorted by path, oldest session first, into one: a path in several keeps
 * the record of the last stream holding it.
 */
export async function* newestWins(streams: AsyncIterable<AuditRecord>[]): AsyncGenerator<AuditRecord> {
  if (streams.length === 1) {
    yield* streams[0]!;
    return;
  }
  const iterators = streams.map((stream) => stream[Symbol.asyncIterator]());
  const heads = await Promise.all(
    iterators.map(async (iterator) => (await iterator.next()).value as AuditRecord | undefined),
  );
  for (;;) {
    let least: AuditRecord | undefined;
    for (const head of heads)
      if (head !== undefined && (least === undefined || compareRecords(head, least) < 0)) least = head;
    if (least === undefined) return;
    let chosen = least;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head === undefined || compareRecords(head, least) !== 0) continue;
      chosen = head;
      heads[i] = (await iterators[i]!.next()).value as AuditRecord | undefined;
    }
    yield chosen;
  }
}
