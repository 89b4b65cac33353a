/**
 * Brings the manifest an agent recorded for a session into the controller's catalog
 * (docs/manifest-and-find.md): page by page, each page one transaction, so a day of a
 * million files is never held whole in a message or in memory; the next page is read while
 * one is filed. Only a verify that passed (or, checkData off, the staging hash) leaves a
 * manifest on the agent to bring.
 */
import { InternalError } from '@cedar-store/domain';
import type { AgentManifests, ManifestCatalog, ManifestPage } from '@cedar-store/ports';

/** Records asked for per manifest.read; the agent's frame limit may make its pages smaller. */
const MANIFEST_PAGE_RECORDS = 2000;

export type ManifestImport = {
  /** The run that wrote the session: the catalog finds the session by it. */
  runId: string;
  /** The agent operation the manifest was recorded under. */
  opId: string;
  recordedAt: string;
};

/** The days and files recorded; null when the catalog has no session of the run (it could not be filed). */
export async function importManifest(
  catalog: ManifestCatalog,
  agent: AgentManifests,
  manifest: ManifestImport,
): Promise<{ days: number; files: number } | null> {
  if (!(await catalog.startManifest(manifest.runId, manifest.recordedAt))) return null;
  // The next page is asked for before this one is filed: the agent reads and sends it while
  // the catalog writes this one. At most two pages are held.
  let cursor = 0;
  let next: Promise<ManifestPage> | null = readPage(agent, manifest.opId, cursor);
  while (next !== null) {
    const page: ManifestPage = await next;
    if (page.nextCursor !== null && page.nextCursor <= cursor) {
      throw new InternalError(`the agent's manifest of ${manifest.opId} did not move past byte ${cursor}`);
    }
    next = page.nextCursor === null ? null : readPage(agent, manifest.opId, page.nextCursor);
    try {
      await catalog.addManifestPage(manifest.runId, page.records);
    } catch (error) {
      // The page read ahead is not wanted; its failure, if any, is not the one to report.
      await next?.catch(() => undefined);
      throw error;
    }
    if (page.nextCursor !== null) cursor = page.nextCursor;
  }
  return catalog.finishManifest(manifest.runId);
}

/** A page asked for ahead of its use: a failure surfaces when it is awaited, never as unhandled. */
function readPage(agent: AgentManifests, opId: string, cursor: number): Promise<ManifestPage> {
  const page = agent.read(opId, cursor, MANIFEST_PAGE_RECORDS);
  page.catch(() => undefined);
  return page;
}
