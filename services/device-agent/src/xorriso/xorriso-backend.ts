/**
 * The default backend for real drives: xorriso writes each session in one pass straight from
 * the staging days, with no temporary image. The `virtual` backend composes the same steps on
 * an ISO file (`stdio:`) and differs only where a file is not a drive.
 */
import { dirname } from 'node:path';
import {
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
import { buildExport } from '../media/export-path.js';
import { usageFromSessions } from '../media/media-usage.js';
import { lastLines } from '../process/last-lines.js';
import { noSpaceError, reportsNoSpace } from '../process/no-space.js';
import type { ProgramResult } from '../process/program-runner.js';
import type { ResolvedDay } from '../staging/fs-staging-area.js';
import {
  blankArgs,
  estimateArgs,
  exportArgs,
  initializeArgs,
  speedArgs,
  statusArgs,
  writeArgs,
  xorrisoDevice,
  type GraftedDay,
} from './args.js';
import {
  failureLines,
  parsePrintSize,
  parseToc,
  parseWritingProgress,
  parseWrittenSectors,
  type XorrisoToc,
} from './parse.js';

/** Estimates are only ever measured against the media label's length, not its text. */
const ESTIMATE_LABEL = 'CEDAR BACKUP 01-JAN-2000';

/** Sessions and addresses as the capacity rules read them. */
export type SessionFacts = Parameters<typeof usageFromSessions>[1];

/**
 * `imageFile`: the device is an ISO file (`stdio:`). `md5`: every session gets MD5 checksums
 * (real drives do; md5Args says why virtual images get none).
 */
export type XorrisoOptions = { imageFile: boolean; md5: boolean };

export class XorrisoBackend implements DriveBackend {
  readonly refreshesMedia: boolean;
  private readonly definition: MediaDefinition;

  constructor(
    private readonly settings: DeviceSettings,
    private readonly env: DriveEnvironment,
    private readonly options: XorrisoOptions = { imageFile: false, md5: true },
  ) {
    this.definition = mediaDefinition(settings.mediaType);
    this.refreshesMedia = !options.imageFile;
  }

  get device(): string {
    return xorrisoDevice(this.settings.path, this.options.imageFile);
  }

  async readToc(): Promise<XorrisoToc> {
    const result = await this.env.runner.run('xorriso', statusArgs(this.device), {
      timeout: 'status',
    });
    const toc = parseToc(result.stdout + result.stderr);
    if (result.exitCode === 0) return toc;
    if (reportsNoMedia(result.stdout + result.stderr)) return { ...toc, mediaCurrent: null };
    // Never guess: unreadable media taken for blank would turn an append into a new disc.
    throw new WriteFailedError(
      `xorriso could not read the media in ${this.settings.path}: ${describe(result)}. ` +
        'Check the disc and the drive, then run again.',
      { device: this.settings.id },
    );
  }

  async readMedia(): Promise<MediaFacts> {
    return this.factsOf(await this.readToc());
  }

  /** The media's facts from its table of contents; `sessions` as the capacity rules read them. */
  factsOf(toc: XorrisoToc, sessions: SessionFacts = sessionFacts(toc)): MediaFacts {
    const usage = usageFromSessions(this.definition, sessions);
    // A closed disc takes no more sessions: reporting its free space would promise a write that fails.
    const closed = toc.mediaCurrent !== null && !toc.blank && !toc.appendable;
    if (closed) usage.bytesAvailable = 0;
    return {
      mediaPresent: toc.mediaCurrent !== null,
      mediaType: this.settings.mediaType,
      rewritable: this.definition.rewritable,
      label: toc.volumeId,
      sessions: toc.blank ? 0 : toc.sessions,
      ...(usage.boundaries !== undefined ? { boundaries: usage.boundaries } : {}),
      ...(usage.sectorsUsed !== undefined ? { sectorsUsed: usage.sectorsUsed } : {}),
      bytesUsed: usage.bytesUsed,
      bytesAvailable: usage.bytesAvailable,
      ...(toc.mediaCurrent !== null ? { detectedMedia: toc.mediaCurrent.slice(0, 200) } : {}),
    };
  }

  knownBlank(media: MediaFacts): boolean {
    return media.sessions === 0;
  }

  async mediaStamp(newDisc: boolean): Promise<unknown> {
    return { newDisc };
  }

  /** The image's size in sectors, as xorriso measures it. */
  async printSize(days: readonly ResolvedDay[], newDisc: boolean): Promise<number> {
    const result = await this.env.runner.run(
      'xorriso',
      estimateArgs({ device: this.device, days: grafted(days), label: ESTIMATE_LABEL, newDisc, md5: this.options.md5 }),
      { timeout: 'estimate' },
    );
    const sectors = parsePrintSize(result.stdout + result.stderr);
    if (result.exitCode !== 0 || sectors === null) {
      throw new WriteFailedError(`xorriso could not estimate the image size: ${describe(result)}`);
    }
    return sectors;
  }

  async estimate(request: { days: ResolvedDay[]; newDisc: boolean }): Promise<number> {
    return (await this.printSize(request.days, request.newDisc)) * SECTOR_SIZE;
  }

  write(request: ImageRequest, onProgress?: ProgressListener): Promise<number> {
    return this.writeSession(this.device, request, onProgress);
  }

  /** One xorriso pass on `device`: `-blank as_needed` first when asked (xorriso's one-pass new disc). */
  async writeSession(device: string, request: ImageRequest, onProgress?: ProgressListener): Promise<number> {
    const bytesTotal = request.estimatedBytes;
    const blankFirst = request.blankFirst;
    onProgress?.({ phase: 'write', bytesDone: 0, bytesTotal });
    const result = await this.env.runner.run(
      'xorriso',
      writeArgs({
        device,
        days: grafted(request.days),
        label: request.label,
        newDisc: request.newDisc,
        blankFirst,
        speed: speedArgs(this.settings.driveSpeed, this.definition.family),
        md5: this.options.md5,
      }),
      {
        timeout: 'write',
        onLine: (line) => {
          const progress = parseWritingProgress(line);
          if (progress) {
            const bytesDone = Math.min(progress.sectors * SECTOR_SIZE, bytesTotal);
            onProgress?.({ phase: 'write', bytesDone, bytesTotal });
          }
        },
      },
    );
    if (result.exitCode !== 0) {
      const imageFile = imageFileOf(device);
      if (imageFile !== null && reportsNoSpace(result.stdout + result.stderr)) {
        throw noSpaceError(dirname(imageFile), `xorriso could not write the image ${imageFile}`, describe(result), {
          device: this.settings.id,
        });
      }
      throw new WriteFailedError(
        `xorriso could not write to ${this.settings.path}: ${describe(result)}. Nothing was marked stored: ` +
          'check the drive and the disc (and the free space where an image file is written), then run again.',
        { device: this.settings.id },
      );
    }
    const written = (parseWrittenSectors(result.stdout + result.stderr) ?? 0) * SECTOR_SIZE;
    onProgress?.({ phase: 'write', bytesDone: bytesTotal, bytesTotal });
    return written;
  }

  async blank(onProgress?: ProgressListener): Promise<void> {
    onProgress?.({ phase: 'blank', bytesDone: 0, bytesTotal: 1 });
    const result = await this.env.runner.run(
      'xorriso',
      blankArgs(this.device, speedArgs(this.settings.driveSpeed, this.definition.family)),
      { timeout: 'blank' },
    );
    if (result.exitCode !== 0) {
      throw new WriteFailedError(`xorriso could not blank ${this.settings.path}: ${describe(result)}`);
    }
    onProgress?.({ phase: 'blank', bytesDone: 1, bytesTotal: 1 });
  }

  async writeInitial(label: string): Promise<void> {
    await this.writeInitialOn(this.device, label, this.definition.rewritable);
  }

  /** The initial image on `device`, blanking first when asked. */
  async writeInitialOn(device: string, label: string, blankFirst: boolean): Promise<void> {
    const result = await this.env.runner.run(
      'xorriso',
      initializeArgs({ device, label, blankFirst, speed: speedArgs(this.settings.driveSpeed, this.definition.family) }),
      // Blanking first is what takes long here.
      { timeout: 'blank' },
    );
    if (result.exitCode !== 0) {
      throw new WriteFailedError(`xorriso could not initialize ${this.settings.path}: ${describe(result)}`);
    }
  }

  mountSource(): { source: string; isImageFile: boolean } {
    return { source: this.settings.path, isImageFile: this.options.imageFile };
  }

  async exportImage(request: { days: DayStamp[]; label: string }): Promise<{ path: string; bytes: number }> {
    return exportIsoImage(this.env, request);
  }
}

/** Builds a standalone ISO file of the days under the working directory, touching no drive. */
export async function exportIsoImage(
  env: OpticalDriveEnv,
  request: { days: DayStamp[]; label: string },
): Promise<{ path: string; bytes: number }> {
  const days = await env.staging.existingDays(request.days);
  return buildExport(env.workingDir, request.days, async (imagePath) => {
    const result = await env.runner.run(
      'xorriso',
      exportArgs({ imagePath, days: grafted(days), label: request.label }),
      { timeout: 'write' },
    );
    if (result.exitCode !== 0 && reportsNoSpace(result.stdout + result.stderr)) {
      throw noSpaceError(dirname(imagePath), 'xorriso could not build the ISO image', describe(result));
    }
    if (result.exitCode !== 0) throw new WriteFailedError(`xorriso could not build the ISO image: ${describe(result)}`);
  });
}

type OpticalDriveEnv = Pick<DriveEnvironment, 'staging' | 'workingDir' | 'runner'>;

/** Sessions and addresses of a drive's table of contents, as the capacity rules read them. */
export function sessionFacts(toc: XorrisoToc): SessionFacts {
  return {
    sessions: toc.blank ? 0 : toc.sessions,
    lastSessionStart: toc.sessionStarts.at(-1) ?? null,
    nextWritableAddress: toc.nextWritableAddress,
  };
}

export function grafted(days: readonly ResolvedDay[]): GraftedDay[] {
  return days.map(({ day, path }) => ({ day, path }));
}

/** The file behind a `stdio:` device (an image playing the disc), or null for a drive. */
function imageFileOf(device: string): string | null {
  return device.startsWith('stdio:') ? device.slice('stdio:'.length) : null;
}

/** What xorriso says when the drive holds no disc (rather than a disc it cannot read). */
export function reportsNoMedia(output: string): boolean {
  return /is not present|no media|no medium|no disc/i.test(output);
}

export function describe(result: ProgramResult): string {
  const reasons = failureLines(result.stdout + result.stderr);
  return reasons.length > 0
    ? reasons.slice(-3).join(' | ')
    : `exit code ${result.exitCode}: ${lastLines(result.stderr)}`;
}
