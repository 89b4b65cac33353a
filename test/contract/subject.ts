import type { MediaType } from '@cedar-store/domain';
import type { MediaDrive, StagingArea } from '@cedar-store/ports';

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
   * False when the status tells only blank from used (growisofs: its dry run does not count a
   * DVD's sessions, so a used disc reports 1). Counted by default.
   */
  countsSessions?: boolean;
  cleanup(): Promise<void>;
};

export type SubjectFactory = (mediaType: MediaType) => Promise<ContractSubject>;
