/**
 * What one backend (xorriso, virtual, cdrecord, growisofs) does with its own programs, built
 * from its own args.ts and parse.ts. The drive (drive/optical-drive.ts) composes one and owns
 * everything around it: the device lock, the mount check, the media rules, the fit check,
 * verify and the media refresh.
 */
import type { DayStamp } from '@cedar-store/domain';
import type { MediaStatus, ProgressListener } from '@cedar-store/ports';
import type { ResolvedDay } from '../staging/fs-staging-area.js';

/**
 * An image to build: each staging day at its graft point. `newDisc` builds a fresh first
 * session; `blankFirst` (a new disc was asked for on rewritable media) blanks before writing.
 */
export type ImageRequest = {
  days: ResolvedDay[];
  label: string;
  newDisc: boolean;
  blankFirst: boolean;
  estimatedBytes: number;
};

export type MediaFacts = Omit<MediaStatus, 'mounted'>;

export interface DriveBackend {
  /** The media as the backend's programs report it. */
  readMedia(): Promise<MediaFacts>;
  /**
   * Whether the media is positively blank, so an append can start a fresh first session.
   * Backends whose status cannot tell blank from unreadable media answer false.
   */
  knownBlank(media: MediaFacts): boolean;
  /** Bytes the image will take on this media, margins included. */
  estimate(request: { days: ResolvedDay[]; newDisc: boolean }): Promise<number>;
  /** What the media adds to an estimate's stamp (media/image-stamp.ts): at least the kind of session. */
  mediaStamp(newDisc: boolean): Promise<unknown>;
  /** Writes the image, blanking first when asked; the fit check has passed. Resolves with the bytes written. */
  write(request: ImageRequest, onProgress?: ProgressListener): Promise<number>;
  blank(onProgress?: ProgressListener): Promise<void>;
  /** Writes a new disc holding only the empty `CedarBackup` directory. */
  writeInitial(label: string): Promise<void>;
  /** Where the consistency check mounts from, and whether it is a plain file (loop mount). */
  mountSource(): { source: string; isImageFile: boolean };
  /** Drives refresh the media after writing; an image file has nothing to refresh. */
  readonly refreshesMedia: boolean;
  /** A standalone ISO file of the days under the working directory, touching no drive. */
  exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }>;
}
