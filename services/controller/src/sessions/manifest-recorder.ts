/**
 * Brings the manifest an agent recorded for a session into the controller's catalog
 * (docs/manifest-and-find.md): page by page, each page one transaction, so a day of a
 * million files is never held whole in a message or in memory. Only a verify that passed
 * (or, checkData off, the staging hash) leaves a manifest on the agent to bring.
 */
import { InternalError } from '@cedar-store/domain';
import type { AgentManifests, ManifestCatalog } from '@cedar-store/ports';

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
  let cursor: number | null = 0;
  while (cursor !== null) {
    const page = await agent.read(manifest.opId, cursor, MANIFEST_PAGE_RECORDS);
    if (page.nextCursor !== null && page.nextCursor <= cursor) {
      throw new InternalError(`the agent's manifest of ${manifest.opId} did not move past byte ${cursor}`);
    }
    await catalog.addManifestPage(manifest.runId, page.records);
    cursor = page.nextCursor;
  }
  return catalog.finishManifest(manifest.runId);
}
