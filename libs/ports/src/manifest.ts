import type { DayStamp, FileGlob } from '@cedar-store/domain';
import type { ManifestPage, ManifestRecord } from './wire/methods.js';

/** An agent's manifests: the pages of what a passed verify recorded, and the staging hash of a store without read-back. */
export interface AgentManifests {
  read(opId: string, cursor: number, maxRecords: number): Promise<ManifestPage>;
  hash(days: DayStamp[], opId: string): Promise<{ files: number; bytes: number }>;
}

/** A disc as the manifest and find name it: the catalog's number, its label and state. */
export type ManifestDisc = {
  id: number;
  label: string;
  device: string;
  /** When the rewritable media holding it was blanked for a newer disc: its files are gone. */
  supersededAt?: string;
};

/** A day of a disc that has a manifest. */
export type ManifestDay = {
  day: DayStamp;
  /** The session (1 = the disc's first) that wrote the day, its label and verify verdict. */
  session: { position: number; label: string; runId: string; verified?: boolean };
  files: number;
  bytes: number;
  recordedAt: string;
};

/** A file of a manifest: its path on the disc (`YYYY/MM/DD/...`), size and SHA-256 (hex). */
export type ManifestFile = { day: DayStamp; path: string; size: number; sha256: string };

/** A file `find` found: where it is, and what the catalog knows of that disc. */
export type FoundFile = ManifestFile & {
  disc: ManifestDisc;
  session: ManifestDay['session'];
};

export type Paged<T> = { items: T[]; nextCursor: string | null };

export type FindQuery = {
  glob: FileGlob;
  day?: DayStamp;
  since?: DayStamp;
  limit: number;
  cursor?: string;
};

/** The manifests in the controller's catalog, under disc → session → day. */
export interface ManifestCatalog {
  /**
   * Keeps a page of the manifest of what the run `runId` writes (each page in one transaction),
   * before the catalog has the run's session: nothing staged is shown until adoptManifest.
   */
  stageManifestPage(runId: string, records: readonly ManifestRecord[]): Promise<void>;
  /**
   * Files what the run staged under the session it wrote, replacing any manifest an earlier
   * attempt filed there, complete: only then do manifest and find show it. Null, the staged
   * records dropped, when the catalog has no session of that run.
   */
  adoptManifest(runId: string, recordedAt: string): Promise<{ days: number; files: number } | null>;
  /** Drops what the run staged and will not adopt (its write failed, its fetch broke off). */
  dropStagedManifest(runId: string): Promise<void>;
  /** A disc by its number, or by its label (the newest disc carrying it). */
  disc(ref: string): Promise<ManifestDisc | null>;
  /** The disc's days that have a manifest (one `day` only, when given). */
  manifestDays(discId: number, day?: DayStamp): Promise<ManifestDay[]>;
  /**
   * The files of the disc's manifest (of one day, and one session, when given), by day then path
   * (comparePaths' order within a day's session).
   */
  manifestFiles(
    discId: number,
    options: { day?: DayStamp; session?: number; limit: number; cursor?: string },
  ): Promise<Paged<ManifestFile>>;
  /** The disc, and the session on it, that the run `runId` wrote; null when the catalog has none. */
  discSessionOfRun(runId: string): Promise<{ disc: ManifestDisc; position: number } | null>;
  /** Files matching the glob, newest day first. */
  find(query: FindQuery): Promise<Paged<FoundFile>>;
}
