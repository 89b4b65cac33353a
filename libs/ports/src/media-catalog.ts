import type { DayStamp } from '@cedar-store/domain';

/** One session written to a disc. */
export type CatalogSession = {
  device: string;
  /** The label the disc got when it was started (its first session). */
  discLabel: string;
  /** The label this session carries. */
  sessionLabel: string;
  newDisc: boolean;
  days: DayStamp[];
  bytes: number;
  runId: string;
  writtenAt: string;
  /**
   * Whether the session read back identical to staging: true when verify passed, false when
   * it found differences (the session is on the disc but not to be trusted), absent when it
   * was not read back (checkData off, or the read-back could not run).
   */
  verified?: boolean;
};

export type CatalogDisc = {
  label: string;
  device: string;
  startedAt: string;
  sessions: CatalogSession[];
  /**
   * When the rewritable media holding this disc was blanked for a newer disc in the same
   * device: its sessions are no longer on any disc. Absent while the disc holds them.
   */
  supersededAt?: string;
};

/**
 * A disc's newest audit as GET /api/v1/media gives it: when, whether it passed, how many
 * problems it found (missing, extra, differing and unreadable files together) and its run.
 */
export type ListedAudit = { at: string; ok: boolean; problems: number; runId: string };

/**
 * A disc as GET /api/v1/media lists it: with the catalog's number and its newest audit
 * (docs/auditing.md), null when never audited; both absent for a superseded disc.
 */
export type ListedDisc = CatalogDisc & { id?: number; lastAudit?: ListedAudit | null };

export type RecordSessionOptions = {
  /**
   * For a new disc written over rewritable media that held a disc: the label the media
   * carried. The device's current disc, when it has that label, was blanked: it is superseded.
   */
  overwrote?: string;
};

/**
 * Whether media labelled `label` held this disc: the media carries the label of its disc or,
 * once sessions were appended, that of its last session.
 */
export function carriesLabel(disc: Pick<CatalogDisc, 'label' | 'sessions'>, label: string | undefined): boolean {
  if (label === undefined) return false;
  return disc.label === label || disc.sessions.some((session) => session.sessionLabel === label);
}

/** What is on which disc: a user looking for a day finds its disc here. */
export interface MediaCatalog {
  /** A `newDisc` session starts a new disc record; others append to the device's current disc. */
  recordSession(session: CatalogSession, options?: RecordSessionOptions): Promise<void>;
  /** Every disc, newest first. */
  list(): Promise<CatalogDisc[]>;
  /** The disc most recently started in a device, if any. */
  currentDisc(device: string): Promise<CatalogDisc | null>;
}
