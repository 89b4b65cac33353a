import {
  carriesLabel,
  type CatalogDisc,
  type CatalogSession,
  type MediaCatalog,
  type RecordSessionOptions,
} from '../media-catalog.js';

/** The media catalog in memory. For unit tests only. */
export class InMemoryMediaCatalog implements MediaCatalog {
  private readonly discs: CatalogDisc[] = [];

  async recordSession(session: CatalogSession, options: RecordSessionOptions = {}): Promise<void> {
    const current = this.discs.findLast((disc) => disc.device === session.device);
    if (session.newDisc && current && carriesLabel(current, options.overwrote))
      current.supersededAt ??= session.writtenAt;
    if (session.newDisc || !current) {
      this.discs.push({ label: session.discLabel, device: session.device, startedAt: session.writtenAt, sessions: [] });
    }
    (this.discs.findLast((disc) => disc.device === session.device) as CatalogDisc).sessions.push(
      structuredClone(session),
    );
  }

  async list(): Promise<CatalogDisc[]> {
    return structuredClone([...this.discs].reverse());
  }

  async currentDisc(device: string): Promise<CatalogDisc | null> {
    const disc = this.discs.findLast((candidate) => candidate.device === device);
    return disc ? structuredClone(disc) : null;
  }
}
