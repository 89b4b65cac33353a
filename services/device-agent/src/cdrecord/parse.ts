/**
 * cdrecord output → facts. Recorded real outputs are in ./fixtures. cdrecord
 * prints its chatter on stderr, so `-msinfo` boundaries are read from stdout alone.
 */
import { WriteFailedError } from '@cedar-store/domain';
import type { Boundaries } from '../mkisofs/args.js';

/** `-prcap` lists the drive's capabilities; only a drive that reads multisession discs gets `-multi`. */
export function supportsMultisession(prcapOutput: string): boolean {
  return /^\s*Does read multi-session/m.test(prcapOutput);
}

/**
 * `-msinfo` prints `lower,upper` on its first line: the start of the last session and the
 * next writable address. No output at all means unknown, which the capacity rules treat as
 * blank; a first line that is empty or not `lower,upper` is an error, as in the reference
 * (it reads the first line only and fails on anything else), never a blank disc.
 */
export function parseBoundaries(stdout: string): Boundaries | null {
  if (stdout === '') return null;
  const line = stdout.split(/\r?\n/)[0] ?? '';
  const match = /^\s*(-?\d+)\s*,\s*(-?\d+)\s*$/.exec(line);
  const lower = Number(match?.[1]);
  const upper = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(lower) || !Number.isSafeInteger(upper)) {
    const read = line.trim() === '' ? 'an empty first line' : JSON.stringify(line.slice(0, 80));
    throw new WriteFailedError(
      `cdrecord -msinfo exited 0 but printed ${read}, not the boundaries "lower,upper": cannot tell how much ` +
        'of the disc is used, so nothing was written. Check the disc and the drive (run cdrecord -msinfo by hand).',
      { output: stdout.slice(0, 200) },
    );
  }
  if (lower < 0 || upper < 0) {
    throw new WriteFailedError(
      `cdrecord -msinfo reported negative boundaries (${lower},${upper}): the disc cannot be read`,
    );
  }
  return [lower, upper];
}

/**
 * `-msinfo` names only the last session, so the count is a lower bound that never over-counts:
 * 0 when blank, 1 when the last session starts the disc, otherwise at least 2. Only 0 versus
 * more decides anything (new disc, write-once refusal); the rest is for display.
 */
export function sessionsFromBoundaries(boundaries: Boundaries | null): number {
  if (boundaries === null || boundaries[1] === 0) return 0;
  return boundaries[0] === 0 ? 1 : 2;
}

/** cdrecord reports an empty tray as "No disk / Wrong disk!". */
export function reportsNoDisc(output: string): boolean {
  return /No disk|No medium/i.test(output);
}

/** `Track 01:   12 of  345 MB written (fifo 100%) …` → megabytes (2^20 bytes) done and in total. */
export function parseTrackProgress(line: string): { megabytesDone: number; megabytesTotal: number } | null {
  const match = /Track\s+\d+:\s+(\d+)\s+of\s+(\d+)\s+MB written/.exec(line);
  return match ? { megabytesDone: Number(match[1]), megabytesTotal: Number(match[2]) } : null;
}
