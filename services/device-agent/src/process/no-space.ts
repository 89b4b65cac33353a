/**
 * A program that writes a file (an ISO image playing the disc, an exported image, the
 * cdrecord backend's temporary image) can fill the file system under it. The user must hear
 * which directory is full and that nothing was marked stored, not a bare write error that
 * reads like a bad disc.
 */
import { WriteFailedError } from '@cedar-store/domain';

/**
 * What xorriso/libburn and mkisofs/genisoimage print when the file system is full, or when
 * xorriso finds up front that an image file would not fit in the free space left beside it.
 */
export function reportsNoSpace(output: string): boolean {
  return /No space left on device|exceeds free space on media|\bENOSPC\b/i.test(output);
}

/** WRITE_FAILED naming the full directory, the program's own reason, and what to do. */
export function noSpaceError(
  directory: string,
  what: string,
  reason: string,
  details?: Record<string, unknown>,
): WriteFailedError {
  return new WriteFailedError(
    `no space left on ${directory}: ${what} (${reason}). Nothing was marked stored and no partial file was ` +
      `kept: free space on ${directory}, or move it (workingDir or the device's path in agent.yaml) to a larger ` +
      'file system, then run again.',
    { ...details, directory },
  );
}
