/**
 * One drive, whatever its backend: one operation at a time per device, a mounted device
 * refused, days resolved safely under the staging root, the media rules and the fit check
 * before anything is blanked or written, the media refresh afterwards, and the consistency
 * check on the mounted media. The backend (media/drive-backend.ts) supplies only the steps
 * its own programs take.
 */
import {
  assertCanStartNewDisc,
  assertMediaPresent,
  assertRewritable,
  assertTakesSession,
  checkImageFits,
  DeviceMountedError,
  mediaDefinition,
  VerifyFailedError,
  wrongDiscProblem,
  WrongDiscError,
  type DayStamp,
  type MediaDefinition,
} from '@cedar-store/domain';
import {
  LIMITS,
  type AuditResult,
  type ImageEstimate,
  type MediaDrive,
  type MediaStatus,
  type ProgressListener,
  type RestoreResult,
  type VerifyReport,
  type WriteResult,
} from '@cedar-store/ports';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceSettings } from '../media/device-settings.js';
import { DeviceGuard } from '../media/device-guard.js';
import type { DriveBackend, MediaFacts } from '../media/drive-backend.js';
import type { DriveEnvironment } from '../media/drive-environment.js';
import { imageStamp } from '../media/image-stamp.js';
import { refreshMedia } from '../media/refresh-media.js';
import type { ResolvedDay } from '../staging/fs-staging-area.js';
import type { FileHashedListener } from '../verify/compare-day.js';
import { verifyMedia } from '../verify/verify-media.js';
import { restoreDay, type DayRestoreRequest, type RestoredFile } from '../restore/restore-files.js';
import { auditDisc, type AuditedFile } from '../audit/audit-disc.js';

export type DriveRestoreRequest = Omit<DayRestoreRequest, 'discLabel'> & {
  /** The disc the catalog says holds the day: checked before anything is written. */
  disc: { label: string; session: number; id?: number | undefined };
  /**
   * Runs the restore once the disc was found right, handing it where each restored file goes
   * (the manifest store's writer): a wrong disc leaves no trace there either.
   */
  recording?: <T>(work: (onFileRestored: (file: RestoredFile) => void) => Promise<T>) => Promise<T>;
};

export type DriveAuditRequest = {
  /**
   * Runs the audit, handing it where each file's record goes, in the catalog's order (the
   * manifest store's writer); awaited per file, so a slow disk holds the audit back, not memory.
   */
  recording?: <T>(work: (onFile: (file: AuditedFile) => Promise<void>) => Promise<T>) => Promise<T>;
};

export class OpticalDrive implements MediaDrive {
  private readonly definition: MediaDefinition;
  readonly guard: DeviceGuard;

  constructor(
    readonly settings: DeviceSettings,
    private readonly env: DriveEnvironment,
    private readonly backend: DriveBackend,
  ) {
    this.definition = mediaDefinition(settings.mediaType);
    this.guard = env.guards?.forDevice(settings.id) ?? new DeviceGuard(settings.id);
  }

  async status(): Promise<MediaStatus> {
    const [facts, mounted] = await Promise.all([this.backend.readMedia(), this.isMounted()]);
    return { ...facts, mounted };
  }

  async estimate(request: { days: DayStamp[]; newDisc: boolean; upperBound?: number }): Promise<ImageEstimate> {
    const days = await this.env.staging.existingDays(request.days);
    // Stamped before measuring, so a change while xorriso or mkisofs measures is seen by the write.
    const stamp = await imageStamp(days, await this.backend.mediaStamp(request.newDisc));
    // A bound that proved the image fits stands for the measurement (the domain's boundProvesFit).
    if (request.upperBound !== undefined) return { bytes: request.upperBound, stamp };
    return { bytes: await this.backend.estimate({ days, newDisc: request.newDisc }), stamp };
  }

  write(
    request: { days: DayStamp[]; label: string; newDisc: boolean; estimate?: ImageEstimate },
    onProgress?: ProgressListener,
  ): Promise<WriteResult> {
    return this.guard.exclusive('write', async () => {
      await this.refuseMounted();
      const days = await this.env.staging.existingDays(request.days);
      const media = await this.readPresentMedia();
      // An append to media known to be blank is a fresh first session; nothing is blanked
      // unless a new disc was asked for.
      const newDisc = request.newDisc || this.backend.knownBlank(media);
      if (request.newDisc) assertCanStartNewDisc({ device: this.settings.id, ...media });
      assertTakesSession({ device: this.settings.path, newDisc, bytesAvailable: media.bytesAvailable });
      const requiredBytes = await this.requiredBytes(days, newDisc, request.estimate);
      checkImageFits(this.definition, { requiredBytes, newDisc, bytesAvailable: media.bytesAvailable });

      const bytesWritten = await this.backend.write(
        {
          days,
          label: request.label,
          newDisc,
          blankFirst: request.newDisc && this.definition.rewritable,
          estimatedBytes: requiredBytes,
        },
        onProgress,
      );
      await this.afterWriting();
      const after = await this.backend.readMedia();
      return { bytesWritten, sessions: after.sessions };
    });
  }

  blank(onProgress?: ProgressListener): Promise<void> {
    return this.guard.exclusive('blank', async () => {
      assertRewritable(this.definition, 'blanked');
      await this.refuseMounted();
      await this.readPresentMedia();
      await this.backend.blank(onProgress);
      await this.afterWriting();
    });
  }

  initialize(label: string): Promise<void> {
    return this.guard.exclusive('initialize', async () => {
      assertRewritable(this.definition, 'initialized');
      await this.refuseMounted();
      await this.readPresentMedia();
      await this.backend.writeInitial(label);
      await this.afterWriting();
    });
  }

  verify(
    request: { days: DayStamp[]; onFileHashed?: FileHashedListener },
    onProgress?: ProgressListener,
  ): Promise<VerifyReport> {
    return this.guard.exclusive('verify', async () => {
      await this.refuseMounted();
      const days = await this.env.staging.existingDays(request.days);
      const { source, isImageFile } = this.backend.mountSource();
      const media = { source, isImageFile, workingDir: this.env.workingDir, method: this.settings.mountMethod };
      // The check names the first mismatches and tells here how many there were when there were more.
      let counted = 0;
      const { method, ...result } = await verifyMedia(
        this.env.runner,
        { ...media, unmountRetryMs: this.env.unmountRetryMs },
        days.map((day) => ({ day: day.day, stagingPath: day.path })),
        {
          // The staging area's pool: verifies and staging inspections share the agent's threads.
          workers: this.env.staging.workers,
          onBytes: (bytesDone, bytesTotal) => onProgress?.({ phase: 'verify', bytesDone, bytesTotal }),
          onFileHashed: request.onFileHashed,
          onMismatchCount: (count) => (counted = count),
        },
      );
      const mismatches = result.mismatches.slice(0, LIMITS.maxMismatchesReported);
      const mismatchCount = Math.max(counted, result.mismatches.length);
      const report: VerifyReport = {
        ok: mismatchCount === 0,
        method,
        ...result,
        mismatches,
        // Only when the list is not all of them: an older controller refuses the field it does not know.
        ...(mismatchCount > mismatches.length ? { mismatchCount } : {}),
      };
      this.env.logger?.info(
        { device: this.settings.id, days: request.days, ...report, mismatches: report.mismatches.length },
        report.ok ? 'verify: no problems found' : 'verify: the media differs from the staging days',
      );
      return report;
    });
  }

  /**
   * Restores a day from the disc in the drive (restore/restore-files.ts), after checking that the
   * disc carries the label the catalog names and the session the day was written in: another disc
   * is WRONG_DISC, with nothing written.
   */
  restore(request: DriveRestoreRequest, onProgress?: ProgressListener): Promise<RestoreResult> {
    return this.guard.exclusive('restore', async () => {
      await this.refuseMounted();
      const media = await this.readPresentMedia();
      const { id, ...expected } = request.disc;
      const wrong = wrongDiscProblem(request.day, id === undefined ? expected : { ...expected, discId: id }, media);
      if (wrong) throw new WrongDiscError(wrong, { device: this.settings.id, label: media.label });
      const { disc, recording, ...day } = request;
      const work = (onFileRestored?: (file: RestoredFile) => void) =>
        restoreDay(
          this.env.runner,
          this.backend.mountSource(),
          { ...day, discLabel: disc.label },
          {
            onBytes: (bytesDone, bytesTotal) => onProgress?.({ phase: 'restore', bytesDone, bytesTotal }),
            ...(onFileRestored ? { onFileRestored } : {}),
          },
        );
      const result = await (recording ? recording(work) : work());
      this.env.logger?.info(
        { device: this.settings.id, day: request.day, ...result, refused: result.refusedCount },
        'restore: the day was read back into its target',
      );
      return result;
    });
  }

  /**
   * Reads and hashes every file of the disc in the drive (audit/audit-disc.ts): no staging needed.
   * Answers the disc's label and sessions with what was read, the files that could not be, and
   * xorriso's own MD5 check where the disc has MD5s.
   */
  audit(request: DriveAuditRequest = {}, onProgress?: ProgressListener): Promise<AuditResult> {
    return this.guard.exclusive('audit', async () => {
      await this.refuseMounted();
      const media = await this.readPresentMedia();
      if (media.sessions === 0)
        throw new VerifyFailedError(
          `the disc in ${this.settings.path} (${this.settings.id}) is blank: there is nothing to audit; insert a written disc`,
          { device: this.settings.id },
        );
      // One operation per device at a time: its scratch directory is its own, and a crash's leftovers go first.
      const scratchDir = join(this.env.workingDir, 'audit-scratch', this.settings.id);
      await rm(scratchDir, { recursive: true, force: true });
      const work = (onFile: (file: AuditedFile) => void | Promise<void>) =>
        auditDisc(this.env.runner, this.backend.mountSource(), {
          scratchDir,
          onFile,
          onBytes: (bytesDone, bytesTotal) => onProgress?.({ phase: 'audit', bytesDone, bytesTotal }),
        });
      const audit = await (request.recording ? request.recording(work) : work(() => undefined));
      const result: AuditResult = { label: media.label, sessions: media.sessions, ...audit };
      this.env.logger?.info(
        { device: this.settings.id, ...result, unreadable: result.unreadableCount, md5: result.md5.verdict },
        'audit: every file of the disc was read',
      );
      return result;
    });
  }

  exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }> {
    return this.backend.exportImage(request);
  }

  /**
   * The image's size for the fit check: the controller's estimate while nothing it was measured
   * on changed (same stamp), else measured again here.
   */
  private async requiredBytes(
    days: ResolvedDay[],
    newDisc: boolean,
    estimate: ImageEstimate | undefined,
  ): Promise<number> {
    if (estimate?.stamp !== undefined) {
      const stamp = await imageStamp(days, await this.backend.mediaStamp(newDisc));
      if (stamp === estimate.stamp) return estimate.bytes;
      this.env.logger?.info(
        { device: this.settings.id },
        'write: the days or the media changed since the estimate; measuring the image again',
      );
    }
    return this.backend.estimate({ days, newDisc });
  }

  /** The media's facts, refusing an empty drive before anything is attempted. */
  private async readPresentMedia(): Promise<MediaFacts> {
    const media = await this.backend.readMedia();
    assertMediaPresent({ device: `${this.settings.path} (${this.settings.id})`, mediaPresent: media.mediaPresent });
    return media;
  }

  private async isMounted(): Promise<boolean> {
    return (await this.env.mountTable.mountPointsOf(this.settings.path)).length > 0;
  }

  private async refuseMounted(): Promise<void> {
    const mountPoints = await this.env.mountTable.mountPointsOf(this.settings.path);
    if (mountPoints.length > 0) {
      throw new DeviceMountedError(
        `${this.settings.path} is mounted at ${mountPoints.join(', ')}: unmount it (umount ${mountPoints[0]}) and run again`,
        { device: this.settings.id, mountPoints },
      );
    }
  }

  private async afterWriting(): Promise<void> {
    if (!this.backend.refreshesMedia) return;
    await refreshMedia(this.env.runner, this.settings.path, this.settings, this.env.wait);
  }
}
