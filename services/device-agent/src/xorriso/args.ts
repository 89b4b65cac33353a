/**
 * xorriso argument lists (docs/design.md#device-agent): one pass, no temporary image. A new disc is written
 * with `-outdev` (and `-blank as_needed` on used rewritable media), an appended session with
 * `-dev`, which loads the disc's tree so the new session continues it. Every write carries
 * the media label (`-volid`) and, on real drives, MD5 checksums (`-md5 on`; see md5Args).
 * `-rollback_end` ends every estimate: without it xorriso commits pending changes when it exits.
 */
import { dayToGraftPoint, STORE_INDICATOR, type DayStamp, type MediaFamily } from '@cedar-store/domain';

export type GraftedDay = { day: DayStamp; path: string };

/** `stdio:` makes xorriso treat a path as a file playing a disc rather than a drive. */
export function xorrisoDevice(path: string, isImageFile: boolean): string {
  return isImageFile ? `stdio:${path}` : path;
}

export const INITIALIZE_DIRECTORY = '/CedarBackup';

/**
 * MD5 checksums of the session and of every file, for `-check_md5` years later: on for real
 * drives, off for image files, whose verify reads every byte back anyway
 * (docs/decisions/0002-no-md5-in-virtual-images.md). `off` is said explicitly: a startup file
 * (/etc/xorriso/xorriso.conf) cannot turn it on behind the estimate's back.
 */
export function md5Args(on: boolean): string[] {
  return ['-md5', on ? 'on' : 'off'];
}

/** Stop at the first failure: a half-applied command list must never reach `-commit`. */
const ABORT_ON_FAILURE = ['-abort_on', 'FAILURE'];

/**
 * Every session ends with `-commit`, and xorriso watches a write from a progress loop that
 * sees the end only when it next wakes: by default at the next whole second of the clock, so
 * a write done at 2.05 s returned at 3.0 s, half a second lost on average and a whole one at
 * worst. `-pacifier interval=0.1` wakes it every tenth of a second (the least it takes), which
 * also makes its progress lines ten times as frequent; the agent sends progress on at its own
 * pace anyway. See docs/decisions/0011-xorriso-wakes-every-tenth-of-a-second.md.
 */
const COMMIT = ['-pacifier', 'interval=0.1', '-commit'];

/**
 * A day's store indicator is never put on the disc (docs/how-store-decides.md): a rebuild or a second
 * `--full` of a day already stored must write the same disc as the first store did.
 */
export function mapArgs(days: readonly GraftedDay[]): string[] {
  return [...days]
    .sort((a, b) => (a.day < b.day ? -1 : 1))
    .flatMap(({ day, path }) => [
      '-not_paths',
      `${path}/${STORE_INDICATOR}`,
      '--',
      '-map',
      path,
      `/${dayToGraftPoint(day)}`,
    ]);
}

/** xorriso speeds carry the media family's unit: `4d` is 4× DVD speed. */
export function speedArgs(driveSpeed: number | undefined, family: MediaFamily): string[] {
  if (driveSpeed === undefined) return [];
  const unit = family === 'cd' ? 'c' : family === 'dvd' ? 'd' : 'b';
  return ['-speed', `${driveSpeed}${unit}`];
}

export function statusArgs(device: string): string[] {
  return [...ABORT_ON_FAILURE, '-indev', device, '-toc', '-pvd_info'];
}

/**
 * The size of the image: a fresh first session when `newDisc` (measured against a null
 * device, so the disc is not touched), otherwise a session continuing the disc's tree.
 */
export function estimateArgs(request: {
  device: string;
  days: readonly GraftedDay[];
  label: string;
  newDisc: boolean;
  /** The write's MD5 setting: the checksums take room in the image. Default on. */
  md5?: boolean;
}): string[] {
  const target = request.newDisc ? ['-outdev', 'stdio:/dev/null'] : ['-dev', request.device];
  return [
    ...ABORT_ON_FAILURE,
    ...md5Args(request.md5 ?? true),
    ...target,
    '-volid',
    request.label,
    ...mapArgs(request.days),
    '-print_size',
    '-rollback_end',
  ];
}

/**
 * An image file is flushed to its disk once, when the session is complete (`-stdio_sync end`),
 * rather than xorriso's default of every 16 MiB. Durability is the same once the write has
 * succeeded: the final fsync comes before xorriso exits, so before the store indicator. Drives
 * take no such setting. See docs/decisions/0005-image-files-flushed-once-per-session.md.
 */
export function stdioSyncArgs(device: string): string[] {
  return device.startsWith('stdio:') ? ['-stdio_sync', 'end'] : [];
}

export function writeArgs(request: {
  device: string;
  days: readonly GraftedDay[];
  label: string;
  newDisc: boolean;
  /** Blank used rewritable media first (xorriso's one-pass `-blank as_needed`). */
  blankFirst: boolean;
  speed: string[];
  /** MD5 checksums in the session (md5Args). Default on. */
  md5?: boolean;
}): string[] {
  const target = request.newDisc
    ? ['-outdev', request.device, ...(request.blankFirst ? ['-blank', 'as_needed'] : [])]
    : ['-dev', request.device];
  return [
    ...ABORT_ON_FAILURE,
    ...md5Args(request.md5 ?? true),
    ...stdioSyncArgs(request.device),
    ...target,
    ...request.speed,
    '-volid',
    request.label,
    ...mapArgs(request.days),
    ...COMMIT,
  ];
}

export function blankArgs(device: string, speed: string[] = []): string[] {
  return [...ABORT_ON_FAILURE, '-outdev', device, ...speed, '-blank', 'as_needed'];
}

export function initializeArgs(request: {
  device: string;
  label: string;
  blankFirst: boolean;
  speed: string[];
}): string[] {
  return [
    ...ABORT_ON_FAILURE,
    '-md5',
    'on',
    '-outdev',
    request.device,
    ...(request.blankFirst ? ['-blank', 'as_needed'] : []),
    ...request.speed,
    '-volid',
    request.label,
    // -mkdir takes a list of paths: `--` ends it, or -commit would become a directory.
    '-mkdir',
    INITIALIZE_DIRECTORY,
    '--',
    ...COMMIT,
  ];
}

/** A standalone ISO file of the days, built without any drive. */
export function exportArgs(request: { imagePath: string; days: readonly GraftedDay[]; label: string }): string[] {
  return [
    ...ABORT_ON_FAILURE,
    '-md5',
    'on',
    '-outdev',
    `stdio:${request.imagePath}`,
    '-volid',
    request.label,
    ...mapArgs(request.days),
    ...COMMIT,
  ];
}
