/**
 * Brings the manifest an agent recorded for a session into the controller's catalog
 * (docs/manifest-and-find.md): page by page, each page staged under the run in one transaction,
 * so a day of a million files is never held whole in a message or in memory; the next page is
 * read while one is staged. Once the catalog has the run's session, one transaction files what
 * was staged under it. Only a verify that passed (or, checkData off, the staging hash) leaves a
 * manifest on the agent to bring.
 */
import { InternalError, type DayStamp } from '@cedar-store/domain';
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

export type Recorded = { days: number; files: number };

/**
 * Imports a manifest recorded once the session is in the catalog (a passed verify's); null when
 * the catalog has no session of the run, found before any page is read.
 */
export async function importManifest(
  catalog: ManifestCatalog,
  agent: AgentManifests,
  manifest: ManifestImport,
): Promise<Recorded | null> {
  if (!(await catalog.discSessionOfRun(manifest.runId))) return null;
  try {
    await stageManifest(catalog, agent, manifest);
  } catch (error) {
    await catalog.dropStagedManifest(manifest.runId).catch(() => undefined);
    throw error;
  }
  return catalog.adoptManifest(manifest.runId, manifest.recordedAt);
}

/**
 * A store's manifest when its disc is not read back: the agent hashes the staging days beside
 * the write, and as soon as the hash ends its pages are fetched and staged, while the write
 * still runs (on a 100 000-file day the hash ends seconds before the write, and the fetch took
 * 1.6–2 s after it). `adopt` files them once the catalog has the session; a run that ends
 * without that calls `abandon`.
 */
export class StagingManifest {
  readonly opId: string;
  private stopped = false;
  private fetching: Promise<void> | undefined;
  private readonly fetched: Promise<{ ok: true } | { ok: false; error: unknown }>;

  constructor(
    private readonly catalog: ManifestCatalog,
    agent: AgentManifests,
    private readonly runId: string,
    days: DayStamp[],
  ) {
    this.opId = `${runId}:manifest`;
    const manifest = { runId, opId: this.opId };
    this.fetched = agent.hash(days, this.opId).then(
      async () => {
        if (this.stopped)
          return { ok: false as const, error: new InternalError('the run ended before its manifest was fetched') };
        this.fetching = stageManifest(catalog, agent, manifest, () => this.stopped);
        await this.fetching;
        return { ok: true as const };
      },
      (error: unknown) => ({ ok: false as const, error }),
    );
    // A failure is reported by adopt, or not at all once the run was abandoned.
    this.fetched.catch(() => undefined);
  }

  /** Waits for the hash and the fetch, then files the manifest under the run's session. */
  async adopt(recordedAt: string): Promise<Recorded | null> {
    const fetched = await this.fetched.catch((error: unknown) => ({ ok: false as const, error }));
    if (!fetched.ok) {
      await this.catalog.dropStagedManifest(this.runId).catch(() => undefined);
      throw fetched.error;
    }
    return this.catalog.adoptManifest(this.runId, recordedAt);
  }

  /**
   * Drops what was staged. A fetch under way stops after its page; a hash still running is not
   * waited for (its file stays on the agent, which drops it with its other old manifests).
   */
  async abandon(): Promise<void> {
    this.stopped = true;
    await this.fetching?.catch(() => undefined);
    await this.catalog.dropStagedManifest(this.runId).catch(() => undefined);
  }
}

/**
 * Stages every page of the manifest the agent recorded under `opId` for the run, replacing what
 * the run staged before. Once `stopped` says so it throws, after the page it waits for: a
 * manifest cut short is never adopted.
 */
async function stageManifest(
  catalog: ManifestCatalog,
  agent: AgentManifests,
  manifest: { runId: string; opId: string },
  stopped: () => boolean = () => false,
): Promise<void> {
  await catalog.dropStagedManifest(manifest.runId);
  // The next page is asked for before this one is staged: the agent reads and sends it while
  // the catalog writes this one. At most two pages are held.
  let cursor = 0;
  let next: Promise<ManifestPage> | null = readPage(agent, manifest.opId, cursor);
  while (next !== null) {
    const page: ManifestPage = await next;
    if (stopped()) throw new InternalError(`the fetch of the manifest of ${manifest.opId} was abandoned`);
    if (page.nextCursor !== null && page.nextCursor <= cursor) {
      throw new InternalError(`the agent's manifest of ${manifest.opId} did not move past byte ${cursor}`);
    }
    next = page.nextCursor === null ? null : readPage(agent, manifest.opId, page.nextCursor);
    try {
      await catalog.stageManifestPage(manifest.runId, page.records);
    } catch (error) {
      // The page read ahead is not wanted; its failure, if any, is not the one to report.
      await next?.catch(() => undefined);
      throw error;
    }
    if (page.nextCursor !== null) cursor = page.nextCursor;
  }
}

/** A page asked for ahead of its use: a failure surfaces when it is awaited, never as unhandled. */
function readPage(agent: AgentManifests, opId: string, cursor: number): Promise<ManifestPage> {
  const page = agent.read(opId, cursor, MANIFEST_PAGE_RECORDS);
  page.catch(() => undefined);
  return page;
}
