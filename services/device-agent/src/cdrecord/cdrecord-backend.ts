/**
 * Cedar Backup's CD path (cdwriter.py): mkisofs builds a temporary image in the
 * working directory, cdrecord writes it as one data track, and the image is deleted
 * afterwards whatever happened. How much of the disc is used comes from its multisession
 * boundaries (`cdrecord -msinfo`), read only when the drive reads multisession discs
 * (`cdrecord -prcap`): on any other drive the disc is taken as empty, as the reference does.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateCapacity,
  mediaDefinition,
  SECTOR_SIZE,
  WriteFailedError,
  type DayStamp,
  type MediaDefinition,
} from '@cedar-store/domain';
import type { ProgressListener } from '@cedar-store/ports';
import type { DeviceSettings } from '../media/device-settings.js';
import type { DriveBackend, ImageRequest, MediaFacts } from '../media/drive-backend.js';
import type { DriveEnvironment } from '../media/drive-environment.js';
import { lastLines } from '../process/last-lines.js';
import { noSpaceError, reportsNoSpace } from '../process/no-space.js';
import type { ResolvedDay } from '../staging/fs-staging-area.js';
import { blankArgs, cdrecordDevice, msinfoArgs, prcapArgs, writeArgs } from './args.js';
import { emptyDirectoryGraft, graftArgs, imageArgs, INITIALIZE_GRAFT_POINT, type Boundaries } from '../mkisofs/args.js';
import { exportWithMkisofs, printSizeSectors, readMediaLabel, withScratchDirectory } from '../mkisofs/mkisofs-image.js';
import {
  parseBoundaries,
  parseTrackProgress,
  reportsNoDisc,
  sessionsFromBoundaries,
  supportsMultisession,
} from './parse.js';

type CdImage = { grafts: string[]; label: string; blankFirst: boolean; boundaries: Boundaries | null };

/** What the drive says of the disc: its boundaries, what it printed, whether it reads multisession discs. */
type DiscReading = { boundaries: Boundaries | null; output: string; multisession: boolean };

/** Why a disc is taken as empty on a drive without multisession support; shown on the run. */
export function treatedAsEmptyReason(device: string): string {
  return (
    `the drive ${device} does not read multisession discs (cdrecord -prcap lists no "Does read multi-session"), ` +
    'so its -msinfo is ignored and the disc is taken as empty: the whole capacity counts as available, the image ' +
    'is a fresh first session and cdrecord writes it without -multi, as the reference does'
  );
}

export class CdrecordBackend implements DriveBackend {
  readonly refreshesMedia = true;
  private readonly definition: MediaDefinition;

  constructor(
    private readonly settings: DeviceSettings,
    private readonly env: DriveEnvironment,
  ) {
    this.definition = mediaDefinition(settings.mediaType);
  }

  private get device(): string {
    return cdrecordDevice(this.settings);
  }

  async readMedia(): Promise<MediaFacts> {
    const { boundaries, output, multisession } = await this.readDisc();
    const sessions = sessionsFromBoundaries(boundaries);
    const capacity = calculateCapacity(this.definition, { boundaries });
    // Without boundaries to go by, the label is read where isoinfo finds it (the first session).
    const readLabel = sessions > 0 || !multisession;
    const label = readLabel ? await readMediaLabel(this.env.runner, this.settings.path, boundaries?.[0]) : null;
    return {
      mediaPresent: !reportsNoDisc(output),
      mediaType: this.settings.mediaType,
      rewritable: this.definition.rewritable,
      label,
      sessions,
      boundaries: boundaries && sessions > 0 ? [boundaries[0], boundaries[1]] : null,
      bytesUsed: capacity.bytesUsed,
      bytesAvailable: capacity.bytesAvailable,
      ...(multisession ? {} : { treatedAsEmpty: treatedAsEmptyReason(this.settings.path) }),
    };
  }

  /**
   * `-msinfo` fails alike on a blank disc and on one it cannot read, so the reference's rule
   * holds: the image continues the disc only when boundaries are known, and nothing else is
   * inferred from their absence.
   */
  knownBlank(): boolean {
    return false;
  }

  async mediaStamp(newDisc: boolean): Promise<unknown> {
    return { newDisc };
  }

  async estimate(request: { days: ResolvedDay[]; newDisc: boolean }): Promise<number> {
    const boundaries = request.newDisc ? null : (await this.readDisc()).boundaries;
    const sectors = await printSizeSectors(this.env.runner, {
      grafts: graftArgs(request.days),
      ...this.continuing(boundaries),
    });
    return sectors * SECTOR_SIZE;
  }

  async write(request: ImageRequest, onProgress?: ProgressListener): Promise<number> {
    const disc = request.newDisc
      ? { boundaries: null, multisession: await this.readsMultisession() }
      : await this.readDisc();
    const image = {
      grafts: graftArgs(request.days),
      label: request.label,
      blankFirst: request.blankFirst,
      boundaries: disc.boundaries,
    };
    return this.burn(image, disc.multisession, onProgress);
  }

  async writeInitial(label: string): Promise<void> {
    await withScratchDirectory(this.env.workingDir, async (dir) => {
      const emptyDir = join(dir, INITIALIZE_GRAFT_POINT);
      await mkdir(emptyDir);
      const image = { grafts: emptyDirectoryGraft(emptyDir), label, blankFirst: true, boundaries: null };
      await this.burn(image, await this.readsMultisession());
    });
  }

  async blank(onProgress?: ProgressListener): Promise<void> {
    onProgress?.({ phase: 'blank', bytesDone: 0, bytesTotal: 1 });
    const result = await this.env.runner.run(
      'cdrecord',
      blankArgs({ device: this.device, driveSpeed: this.settings.driveSpeed }),
      { timeout: 'blank' },
    );
    if (result.exitCode !== 0) {
      throw new WriteFailedError(
        `cdrecord could not blank ${this.settings.path} (exit code ${result.exitCode}): ${lastLines(result.stderr)}`,
        { device: this.settings.id },
      );
    }
    onProgress?.({ phase: 'blank', bytesDone: 1, bytesTotal: 1 });
  }

  mountSource(): { source: string; isImageFile: boolean } {
    return { source: this.settings.path, isImageFile: false };
  }

  exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }> {
    return exportWithMkisofs(this.env, request);
  }

  /**
   * cdrecord fails `-msinfo` on a blank disc; like the reference, that counts as blank. On a
   * drive that does not read multisession discs the reference never asks for boundaries
   * (`_getBoundaries` returns None first thing), so -msinfo only tells whether a disc is in.
   */
  private async readDisc(): Promise<DiscReading> {
    const result = await this.env.runner.run('cdrecord', msinfoArgs(this.device), {
      timeout: 'status',
    });
    const output = result.stdout + result.stderr;
    // An empty tray is reported as such, whatever the drive can do.
    if (reportsNoDisc(output)) return { boundaries: null, output, multisession: true };
    const multisession = await this.readsMultisession();
    const boundaries = multisession && result.exitCode === 0 ? parseBoundaries(result.stdout) : null;
    return { boundaries, output, multisession };
  }

  /** `-C/-M` only when the disc holds a session to continue. */
  private continuing(boundaries: Boundaries | null): { boundaries?: Boundaries; device?: string } {
    return boundaries && boundaries[1] > 0 ? { boundaries, device: this.settings.path } : {};
  }

  private async readsMultisession(): Promise<boolean> {
    const result = await this.env.runner.run('cdrecord', prcapArgs(this.device), {
      timeout: 'status',
    });
    if (result.exitCode !== 0) {
      throw new WriteFailedError(
        `cdrecord could not read the capabilities of ${this.settings.path}: ${lastLines(result.stderr)}`,
        { device: this.settings.id },
      );
    }
    return supportsMultisession(result.stdout + result.stderr);
  }

  /**
   * The image is built before anything is blanked, so a failing mkisofs leaves the disc as it
   * was. A new rewritable disc is always blanked, as in the reference: `-msinfo` cannot tell
   * a blank disc from a closed one, and writing onto a closed disc fails.
   */
  private async burn(image: CdImage, multisession: boolean, onProgress?: ProgressListener): Promise<number> {
    return withScratchDirectory(this.env.workingDir, async (dir) => {
      const imagePath = join(dir, 'image.iso');
      const built = await this.env.runner.run(
        'mkisofs',
        imageArgs({ imagePath, grafts: image.grafts, label: image.label, ...this.continuing(image.boundaries) }),
        { timeout: 'write' },
      );
      // genisoimage may exit 0 after "No space left on device": its image would be cut short.
      if (reportsNoSpace(built.stderr)) {
        throw noSpaceError(
          this.env.workingDir,
          'mkisofs could not build the temporary image',
          lastLines(built.stderr),
          {
            device: this.settings.id,
          },
        );
      }
      if (built.exitCode !== 0) {
        throw new WriteFailedError(`mkisofs could not build the image: ${lastLines(built.stderr)}`, {
          device: this.settings.id,
        });
      }
      const bytesTotal = (await stat(imagePath)).size;
      if (image.blankFirst) await this.blank(onProgress);
      await this.writeTrack(imagePath, multisession, bytesTotal, onProgress);
      return bytesTotal;
    });
  }

  private async writeTrack(
    imagePath: string,
    multisession: boolean,
    bytesTotal: number,
    onProgress?: ProgressListener,
  ): Promise<void> {
    onProgress?.({ phase: 'write', bytesDone: 0, bytesTotal });
    const args = writeArgs({ device: this.device, driveSpeed: this.settings.driveSpeed, multisession, imagePath });
    const result = await this.env.runner.run('cdrecord', args, {
      timeout: 'write',
      onLine: (line) => {
        const progress = parseTrackProgress(line);
        if (progress) {
          const bytesDone = Math.min(progress.megabytesDone * 2 ** 20, bytesTotal);
          onProgress?.({ phase: 'write', bytesDone, bytesTotal });
        }
      },
    });
    if (result.exitCode !== 0) {
      throw new WriteFailedError(
        `cdrecord could not write to ${this.settings.path} (exit code ${result.exitCode}): ${lastLines(result.stderr)}`,
        { device: this.settings.id },
      );
    }
    onProgress?.({ phase: 'write', bytesDone: bytesTotal, bytesTotal });
  }
}
