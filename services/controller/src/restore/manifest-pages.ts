/** The two lists a restore check merges, each read a page at a time (never whole). */
import { dayToGraftPoint, InternalError, type DayStamp } from '@cedar-store/domain';
import type { AgentManifests, ManifestCatalog, ManifestFile } from '@cedar-store/ports';

/** Records asked for per page, on either side. */
export const PAGE_RECORDS = 2000;

/** What the agent recorded under `opId`: the restored files with their hashes, in path order. */
export async function* restoredFiles(agent: AgentManifests, opId: string): AsyncGenerator<ManifestFile> {
  let cursor: number | null = 0;
  while (cursor !== null) {
    const page = await agent.read(opId, cursor, PAGE_RECORDS);
    if (page.nextCursor !== null && page.nextCursor <= cursor) {
      throw new InternalError(`the agent's records of ${opId} did not move past byte ${cursor}`);
    }
    yield* page.records;
    cursor = page.nextCursor;
  }
}

/** The catalog's manifest of `day` in session `session` of disc `discId`, in path order. */
export async function* manifestOfDay(
  catalog: ManifestCatalog,
  discId: number,
  day: DayStamp,
  session: number,
): AsyncGenerator<ManifestFile> {
  let cursor: string | undefined;
  do {
    const page = await catalog.manifestFiles(discId, {
      day,
      session,
      limit: PAGE_RECORDS,
      ...(cursor ? { cursor } : {}),
    });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** A file's path within its day: what `--path` globs match. */
export function withinDay(file: ManifestFile): string {
  return file.path.slice(dayToGraftPoint(file.day).length + 1);
}
