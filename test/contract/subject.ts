import type { MediaType } from '@cedar-store/domain';
import type { MediaDrive, ProgressListener, RestoreRequest, RestoreResult, StagingArea } from '@cedar-store/ports';

/** A file to stage: text, or a size (a sparse file on real disks, no memory in the in-memory one). */
export type StagedFile = string | { size: number };

/**
 * What an adapter pair must provide to run the contract suite: the two ports, and the
 * few hooks a test needs to arrange the world around them.
 */
export type ContractSubject = {
  mediaType: MediaType;
  staging: StagingArea;
  drive: MediaDrive;
  stageDay(day: string, files: Record<string, StagedFile>, indicators?: { staged?: boolean }): Promise<void>;
  /** Makes `day` a symlink to a staged directory outside the staging root; returns where it points. */
  linkDayOutside(day: string): Promise<string>;
  /** Every path on the media, read independently of the adapter; directories end with `/`. */
  mediaPaths(): Promise<string[]>;
  /** Damages a file on the media after it was written (`YYYY/MM/DD/path`). */
  corruptOnMedia(path: string): Promise<void>;
  /**
   * Restores as the adapter's caller does, when that is not `drive.restore(request)` as the
   * port's request stands: the agent's drives take the agent's restore root and `force` as
   * the media.restore handler fills them in (see optical-backends.contract.test.ts).
   */
  restore?: (request: RestoreRequest, onProgress?: ProgressListener) => Promise<RestoreResult>;
  /** The files a restore left in `target`, by their path under it, with their text; none when there is no target. */
  restoredFiles(target: string): Promise<Record<string, string>>;
  /**
   * False when the status tells only blank from used (growisofs: its dry run does not count a
   * DVD's sessions, so a used disc reports 1). Counted by default.
   */
  countsSessions?: boolean;
  cleanup(): Promise<void>;
};

export type SubjectFactory = (mediaType: MediaType) => Promise<ContractSubject>;
