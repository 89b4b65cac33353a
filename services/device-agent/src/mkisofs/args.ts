/**
 * mkisofs (genisoimage) and isoinfo argument lists, shared by the cdrecord and growisofs
 * backends: the size estimate, the image itself, and reading the media label back.
 */
import { dayToGraftPoint, type DayStamp } from '@cedar-store/domain';

export type GraftedDay = { day: DayStamp; path: string };
export type Boundaries = readonly [number, number];

/** The one empty directory `initialize` writes (docs/how-store-decides.md#2-media-check-checkmedia). */
export const INITIALIZE_GRAFT_POINT = 'CedarBackup';

/** mkisofs splits `graft=path` at the first unescaped `=`, so `=` and `\` in a path are escaped. */
export function escapeGraftPath(path: string): string {
  return path.replace(/[\\=]/g, (char) => `\\${char}`);
}

/** `YYYY/MM/DD/=<path>` per day, sorted, so each day's contents land under its graft point. */
export function graftArgs(days: readonly GraftedDay[]): string[] {
  return [...days]
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
    .map(({ day, path }) => `${dayToGraftPoint(day)}/=${escapeGraftPath(path)}`);
}

export function emptyDirectoryGraft(emptyDir: string): string[] {
  return [`${INITIALIZE_GRAFT_POINT}/=${escapeGraftPath(emptyDir)}`];
}

/** `-C/-M` make the image continue the disc's tree as a new session. */
function commonArgs(request: { label?: string; boundaries?: Boundaries | null; device?: string }): string[] {
  const args = ['-graft-points', '-r'];
  if (request.label !== undefined) args.push('-V', request.label);
  if (request.boundaries && request.device !== undefined) {
    args.push('-C', `${request.boundaries[0]},${request.boundaries[1]}`, '-M', request.device);
  }
  return args;
}

export function printSizeArgs(request: {
  grafts: readonly string[];
  label?: string;
  boundaries?: Boundaries | null;
  device?: string;
}): string[] {
  return ['-print-size', ...commonArgs(request), ...request.grafts];
}

export function imageArgs(request: {
  imagePath: string;
  grafts: readonly string[];
  label: string;
  boundaries?: Boundaries | null;
  device?: string;
}): string[] {
  return ['-o', request.imagePath, ...commonArgs(request), ...request.grafts];
}

/** `-T` points isoinfo at the last session, whose descriptor carries the newest label. */
export function volumeInfoArgs(device: string, lastSessionStart?: number): string[] {
  return ['-d', '-i', device, ...(lastSessionStart ? ['-T', String(lastSessionStart)] : [])];
}
