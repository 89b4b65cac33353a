/**
 * growisofs output → facts. Recorded real outputs are in ./fixtures; growisofs
 * reports trouble on lines starting with `:-(`.
 */
import { WriteFailedError } from '@cedar-store/domain';
import { SECTORS_PER_SEEK_BLOCK } from './args.js';

/**
 * The dry run's first line holding `seek=N` gives the next writable block: N × 16 sectors are
 * used. No such line (a blank disc, or no disc) means nothing is used.
 */
export function parseSectorsUsed(output: string): number {
  const line = output.split(/\r?\n/).find((candidate) => candidate.includes('seek='));
  if (line === undefined) return 0;
  const match = /seek=(\d+)/.exec(line);
  if (!match) {
    throw new WriteFailedError(`growisofs printed ${JSON.stringify(line.slice(0, 200))}: cannot read how much is used`);
  }
  return Number(match[1]) * SECTORS_PER_SEEK_BLOCK;
}

export type Overburn = { device: string; blocksFree: number; blocksToWrite: number };

/** `:-( /dev/cdrom: 894048 blocks are free, 2033746 to be written!` — the image does not fit. */
export function parseOverburn(output: string): Overburn | null {
  const match = /:-\(\s*(.*?):\s*(\d+) blocks are free, (\d+) to be written!/.exec(output);
  if (!match) return null;
  return { device: match[1] ?? '', blocksFree: Number(match[2]), blocksToWrite: Number(match[3]) };
}

/** ` 1234567/4567890 (27.0%) @3.9x, remaining 5:12` → bytes written so far and in total. */
export function parseProgress(line: string): { bytesDone: number; bytesTotal: number; percent: number } | null {
  const match = /^\s*(\d+)\/(\d+)\s+\(\s*([\d.]+)%\)/.exec(line);
  if (!match) return null;
  return { bytesDone: Number(match[1]), bytesTotal: Number(match[2]), percent: Number(match[3]) };
}

/** growisofs reports an empty tray with the system's "No medium found". */
export function reportsNoMedium(output: string): boolean {
  return /No medium found/i.test(output);
}
