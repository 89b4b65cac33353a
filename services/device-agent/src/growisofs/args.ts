/**
 * growisofs argument lists, Cedar Backup's DVD path (dvdwriter.py): growisofs runs mkisofs
 * itself and writes straight to the disc, so there is no temporary image. `-Z` starts a new
 * disc, `-M` appends a session continuing the disc's tree. `-use-the-force-luke=tty` stops
 * growisofs from asking on a terminal before overwriting a disc that holds a file system.
 */
import { checkDriveSpeed } from '../media/drive-speed.js';
import { escapeGraftPath } from '../mkisofs/args.js';

/** The reference's margin on mkisofs' estimate, which measures the days alone, not the session's overhead. */
export const ESTIMATE_MARGIN_SECTORS = 2500;

/** growisofs counts the disc in 32 KiB blocks in `seek=`: 16 sectors each. */
export const SECTORS_PER_SEEK_BLOCK = 16;

const FORCE_TTY = '-use-the-force-luke=tty';

function speedArgs(driveSpeed: number | undefined): string[] {
  const speed = checkDriveSpeed(driveSpeed);
  return speed === undefined ? [] : [`-speed=${speed}`];
}

export function writeArgs(request: {
  device: string;
  newDisc: boolean;
  grafts: readonly string[];
  label?: string;
  driveSpeed?: number;
  dryRun?: boolean;
}): string[] {
  return [
    FORCE_TTY,
    ...(request.dryRun ? ['-dry-run'] : []),
    ...speedArgs(request.driveSpeed),
    request.newDisc ? '-Z' : '-M',
    request.device,
    ...(request.label !== undefined ? ['-V', request.label] : []),
    '-r',
    '-graft-points',
    ...request.grafts,
  ];
}

/**
 * The dry run that reveals how much of the disc is used: appending an empty directory makes
 * growisofs print the mkisofs command it would run, with the next writable block as `seek=`.
 */
export function sectorsUsedArgs(request: { device: string; emptyDir: string; driveSpeed?: number }): string[] {
  return writeArgs({
    device: request.device,
    newDisc: false,
    grafts: [escapeGraftPath(request.emptyDir)],
    driveSpeed: request.driveSpeed,
    dryRun: true,
  });
}

/**
 * growisofs has no blank: a DVD+RW is simply overwritten by `-Z`. Its manual names
 * `-Z <device>=/dev/zero` as the way to nullify the media, which is what blanking asks for.
 */
export function blankArgs(request: { device: string; driveSpeed?: number }): string[] {
  return [FORCE_TTY, ...speedArgs(request.driveSpeed), '-Z', `${request.device}=/dev/zero`];
}
