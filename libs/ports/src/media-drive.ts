import type { DayStamp } from '@cedar-store/domain';
import type {
  AuditResult,
  ImageEstimate,
  MediaStatus,
  Progress,
  RestoreResult,
  VerifyReport,
  WriteResult,
} from './wire/methods.js';

export type ProgressListener = (progress: Progress) => void;

/** An audit reads the whole disc in the drive; the agent's drive takes more, the port nothing. */
export type AuditRequest = Record<string, never>;

/** A day to restore from the disc in the drive into `<restoreRoot>/<target>` on the agent (docs/restoring.md). */
export type RestoreRequest = {
  day: DayStamp;
  /** The disc the catalog says holds the day: its label, the session that wrote it, its number. */
  disc: { label: string; session: number; id?: number };
  target: string;
  force?: boolean;
  /** Globs of the files within the day to restore; every file without. */
  paths?: readonly string[] | undefined;
};

/**
 * Names one write, blank, initialize or verify so the agent journals it under that id and the
 * controller can ask for its outcome after losing track of it. Adapters without a journal ignore it.
 */
export type OperationOptions = {
  opId: string;
  /** Called when the connection dropped during the operation and the caller waits to learn its outcome. */
  onConnectionLost?: (message: string) => void;
};

/**
 * One burner (or the ISO file playing one). Every method refuses a mounted device and a
 * second writing operation on a busy one.
 */
export interface MediaDrive {
  status(): Promise<MediaStatus>;
  /**
   * Bytes the image for these days will take: a fresh first session when `newDisc`,
   * otherwise a session continuing the disc's file tree. With `upperBound` (a bound that
   * already proved the image fits), that bound, stamped, without measuring the image.
   */
  estimate(request: { days: DayStamp[]; newDisc: boolean; upperBound?: number }): Promise<ImageEstimate>;
  /**
   * Writes the days at their graft points, labelled `label`. With `newDisc` the image is a
   * fresh first session and rewritable media are blanked first; otherwise a session is
   * appended. Refuses with MEDIA_FULL, changing nothing, when the image does not fit: the
   * fit check uses `estimate` (what `estimate()` answered) unless the days changed since.
   */
  write(
    request: { days: DayStamp[]; label: string; newDisc: boolean; estimate?: ImageEstimate },
    onProgress?: ProgressListener,
    operation?: OperationOptions,
  ): Promise<WriteResult>;
  blank(onProgress?: ProgressListener, operation?: OperationOptions): Promise<void>;
  /** A new disc holding one empty `CedarBackup` directory, labelled `label`; rewritable media only. */
  initialize(label: string, operation?: OperationOptions): Promise<void>;
  /**
   * Reads the media back and compares each day with its graft point. With `manifest`, an agent
   * also records the files of a passed verify with their SHA-256 under the operation id
   * (docs/manifest-and-find.md); on the agent, `onFileHashed` hears each file found the same
   * with the SHA-256 of the bytes compared. Adapters without manifests ignore both.
   */
  verify(
    request: {
      days: DayStamp[];
      manifest?: boolean;
      onFileHashed?: (pathOnDisc: string, size: number, sha256: string) => void;
    },
    onProgress?: ProgressListener,
    operation?: OperationOptions,
  ): Promise<VerifyReport>;
  /**
   * Checks that the disc in the drive is `request.disc` (WRONG_DISC otherwise, nothing written)
   * and restores the day into the target. An agent records each restored file's SHA-256 under
   * `operation.opId` for manifest.read, so the caller can check them against the manifest.
   */
  restore(request: RestoreRequest, onProgress?: ProgressListener, operation?: OperationOptions): Promise<RestoreResult>;
  /**
   * Reads and hashes every file of the disc in the drive, changing nothing (docs/auditing.md).
   * An agent journals the audit under `operation.opId` and records each file's day, path, size and
   * SHA-256 under it, sorted by day then path, for manifest.read (AgentManifests.read).
   */
  audit(request?: AuditRequest, onProgress?: ProgressListener, operation?: OperationOptions): Promise<AuditResult>;
  /** Builds a standalone ISO file of the days on the agent, without touching the media. */
  exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }>;
}
