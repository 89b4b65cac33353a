/**
 * Cedar Backup's DVD path (dvdwriter.py): growisofs runs mkisofs itself and writes
 * straight to the disc, `-Z` for a new disc and `-M` to append, with no temporary image.
 * How much of the disc is used comes from a dry run; the estimate is mkisofs' size of the
 * days plus the reference's margin, since mkisofs alone does not see the appended session.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateCapacity,
  formatBytes,
  mediaDefinition,
  MediaFullError,
  SECTOR_SIZE,
  WriteFailedError,
  type CedarStoreError,
  type DayStamp,
  type MediaDefinition,
} from '@cedar-store/domain';
import type { Progress, ProgressListener } from '@cedar-store/ports';
import { emptyDirectoryGraft, graftArgs, INITIALIZE_GRAFT_POINT } from '../mkisofs/args.js';
import { exportWithMkisofs, printSizeSectors, readMediaLabel, withScratchDirectory } from '../mkisofs/mkisofs-image.js';
import type { DeviceSettings } from '../media/device-settings.js';
import type { DriveBackend, ImageRequest, MediaFacts } from '../media/drive-backend.js';
import type { DriveEnvironment } from '../media/drive-environment.js';
import { lastLines } from '../process/last-lines.js';
import type { ProgramResult } from '../process/program-runner.js';
import type { ResolvedDay } from '../staging/fs-staging-area.js';
import { blankArgs, ESTIMATE_MARGIN_SECTORS, sectorsUsedArgs, writeArgs } from './args.js';
import { parseOverburn, parseProgress, parseSectorsUsed, reportsNoMedium } from './parse.js';

export class GrowisofsBackend implements DriveBackend {
  readonly refreshesMedia = true;
  private readonly definition: MediaDefinition;

  constructor(
    private readonly settings: DeviceSettings,
    private readonly env: DriveEnvironment,
  ) {
    this.definition = mediaDefinition(settings.mediaType);
  }

  /**
   * growisofs grows a DVD+RW volume within one session and its dry run does not count the
   * sessions of write-once media, so a used disc reports 1: only 0 versus more decides anything.
   */
  async readMedia(): Promise<MediaFacts> {
    const { sectorsUsed, output } = await this.readSectorsUsed();
    const capacity = calculateCapacity(this.definition, { sectorsUsed });
    const sessions = sectorsUsed > 0 ? 1 : 0;
    return {
      mediaPresent: !reportsNoMedium(output),
      mediaType: this.settings.mediaType,
      rewritable: this.definition.rewritable,
      label: sessions > 0 ? await readMediaLabel(this.env.runner, this.settings.path) : null,
      sessions,
      sectorsUsed,
      bytesUsed: capacity.bytesUsed,
      bytesAvailable: capacity.bytesAvailable,
    };
  }

  /**
   * The dry run that measures a DVD fails alike on blank and on unreadable media, so an
   * append stays an append (`-M`), as in the reference; only a requested new disc uses `-Z`.
   */
  knownBlank(): boolean {
    return false;
  }

  async mediaStamp(newDisc: boolean): Promise<unknown> {
    return { newDisc };
  }

  async estimate(request: { days: ResolvedDay[]; newDisc: boolean }): Promise<number> {
    const sectors = await printSizeSectors(this.env.runner, { grafts: graftArgs(request.days) });
    return (sectors + ESTIMATE_MARGIN_SECTORS) * SECTOR_SIZE;
  }

  /** `-Z` overwrites a used DVD+RW from the start, so a new disc needs no separate blank. */
  write(request: ImageRequest, onProgress?: ProgressListener): Promise<number> {
    const args = writeArgs({
      device: this.settings.path,
      newDisc: request.newDisc,
      label: request.label,
      grafts: graftArgs(request.days),
      driveSpeed: this.settings.driveSpeed,
    });
    return this.runGrowisofs(args, { phase: 'write', bytesTotal: request.estimatedBytes }, onProgress);
  }

  async writeInitial(label: string): Promise<void> {
    await withScratchDirectory(this.env.workingDir, async (dir) => {
      const emptyDir = join(dir, INITIALIZE_GRAFT_POINT);
      await mkdir(emptyDir);
      const grafts = emptyDirectoryGraft(emptyDir);
      const args = writeArgs({
        device: this.settings.path,
        newDisc: true,
        label,
        grafts,
        driveSpeed: this.settings.driveSpeed,
      });
      await this.runGrowisofs(args, { phase: 'write', bytesTotal: 0 });
    });
  }

  async blank(onProgress?: ProgressListener): Promise<void> {
    const bytesTotal = calculateCapacity(this.definition, { sectorsUsed: 0 }).bytesAvailable;
    const args = blankArgs({ device: this.settings.path, driveSpeed: this.settings.driveSpeed });
    await this.runGrowisofs(args, { phase: 'blank', bytesTotal }, onProgress);
  }

  mountSource(): { source: string; isImageFile: boolean } {
    return { source: this.settings.path, isImageFile: false };
  }

  exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }> {
    return exportWithMkisofs(this.env, request);
  }

  /** growisofs cannot append to a blank disc and fails the dry run; like the reference, that is 0 used. */
  private readSectorsUsed(): Promise<{ sectorsUsed: number; output: string }> {
    return withScratchDirectory(this.env.workingDir, async (emptyDir) => {
      const args = sectorsUsedArgs({ device: this.settings.path, emptyDir, driveSpeed: this.settings.driveSpeed });
      const result = await this.env.runner.run('growisofs', args, { timeout: 'status' });
      const output = `${result.stdout}\n${result.stderr}`;
      return { sectorsUsed: result.exitCode === 0 ? parseSectorsUsed(output) : 0, output };
    });
  }

  /** Runs growisofs with progress; resolves with the bytes it reported writing (the estimate if it reported none). */
  private async runGrowisofs(
    args: string[],
    expected: { phase: Progress['phase']; bytesTotal: number },
    onProgress?: ProgressListener,
  ): Promise<number> {
    let written = { bytesDone: 0, bytesTotal: expected.bytesTotal };
    onProgress?.({ phase: expected.phase, ...written });
    const result = await this.env.runner.run('growisofs', args, {
      timeout: 'write',
      onLine: (line) => {
        const progress = parseProgress(line);
        if (!progress) return;
        written = { bytesDone: progress.bytesDone, bytesTotal: progress.bytesTotal };
        onProgress?.({ phase: expected.phase, ...written });
      },
    });
    if (result.exitCode !== 0) throw this.failure(result);
    onProgress?.({ phase: expected.phase, bytesDone: written.bytesTotal, bytesTotal: written.bytesTotal });
    return written.bytesTotal;
  }

  /** An overburn is MEDIA_FULL with growisofs' own figures; anything else keeps its last lines. */
  private failure(result: ProgramResult): CedarStoreError {
    const output = `${result.stdout}\n${result.stderr}`;
    const overburn = parseOverburn(output);
    if (overburn) {
      const requiredBytes = overburn.blocksToWrite * SECTOR_SIZE;
      const availableBytes = overburn.blocksFree * SECTOR_SIZE;
      return new MediaFullError(
        `media does not have enough capacity to store the image: growisofs found ${overburn.blocksToWrite} blocks ` +
          `(${formatBytes(requiredBytes)}) to be written and ${overburn.blocksFree} blocks (${formatBytes(availableBytes)}) ` +
          'free, and stopped before writing. Run `cedar-store rebuild` to start a new disc with this week so far, ' +
          'or use larger media.',
        {
          device: this.settings.id,
          blocksFree: overburn.blocksFree,
          blocksToWrite: overburn.blocksToWrite,
          requiredBytes,
          availableBytes,
        },
      );
    }
    return new WriteFailedError(
      `growisofs failed on ${this.settings.path} (exit code ${result.exitCode}): ${lastLines(output)}`,
      { device: this.settings.id },
    );
  }
}
