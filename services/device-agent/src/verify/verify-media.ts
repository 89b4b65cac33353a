/**
 * Which way the media is read back for the consistency check (`mountMethod`, docs/verify.md):
 * - `mount`: the kernel's iso9660, read-only (loop for an image file);
 * - `fuseiso`: a FUSE mount, where the kernel has no iso9660;
 * - `direct`: no mount — xorriso lists the disc and the agent reads its sectors (direct-verify.ts);
 * - `auto`: the kernel mount when it works, else `direct`, else (no xorriso installed) fuseiso.
 * `direct` comes before fuseiso because it reads each byte once without a FUSE daemon in
 * between and needs neither /dev/fuse nor root (docs/decisions/0004-direct-verify-before-fuseiso.md).
 */
import { ToolMissingError } from '@cedar-store/domain';
import type { VerifySetting } from '../media/device-settings.js';
import type { ProgramRunner } from '../process/program-runner.js';
import { compareDays, type CompareOptions, type ComparisonResult, type DayToCompare } from './compare-day.js';
import { compareDaysDirect, type DirectOptions, type MediaSource } from './direct-verify.js';
import type { MountMethod } from './mount-args.js';
import { withMountedMedia, type MountSetting } from './mount-media.js';

export type { VerifySetting };
export type VerifyMethod = MountMethod | 'direct';

export type VerifyRequest = MediaSource & {
  workingDir: string;
  method: VerifySetting;
  /** Milliseconds between unmount attempts. */
  unmountRetryMs?: number;
};

export async function verifyMedia(
  runner: ProgramRunner,
  request: VerifyRequest,
  days: readonly DayToCompare[],
  options: DirectOptions = {},
): Promise<ComparisonResult & { method: VerifyMethod }> {
  const direct = async () => ({
    ...(await compareDaysDirect(runner, request, days, options)),
    method: 'direct' as const,
  });
  const mounted = (method: MountSetting) =>
    withMountedMedia(
      runner,
      { source: request.source, isImageFile: request.isImageFile, workingDir: request.workingDir, method },
      async ({ mountPoint, method: used }) => ({
        ...(await compareDays(days, mountPoint, { ...options, workingDir: request.workingDir })),
        method: used,
      }),
      request.unmountRetryMs,
    );

  if (request.method === 'direct') return direct();
  if (request.method !== 'auto') return mounted(request.method);

  const kernel = await tryKernelMount(runner, request, days, options);
  if (kernel) return kernel;
  try {
    return await direct();
  } catch (error) {
    // Hosts of the cdrecord and growisofs backends may have no xorriso: fuseiso then.
    if (error instanceof ToolMissingError) return mounted('fuseiso');
    throw error;
  }
}

/** The comparison on a kernel mount, or null when the kernel could not mount the media (no iso9660, not root). */
async function tryKernelMount(
  runner: ProgramRunner,
  request: VerifyRequest,
  days: readonly DayToCompare[],
  options: CompareOptions,
): Promise<(ComparisonResult & { method: VerifyMethod }) | null> {
  let mounted = false;
  try {
    return await withMountedMedia(
      runner,
      { source: request.source, isImageFile: request.isImageFile, workingDir: request.workingDir, method: 'mount' },
      async ({ mountPoint }) => {
        mounted = true;
        return {
          ...(await compareDays(days, mountPoint, { ...options, workingDir: request.workingDir })),
          method: 'mount' as const,
        };
      },
      request.unmountRetryMs,
    );
  } catch (error) {
    // Once mounted, whatever failed (the comparison, the unmount) is the verify's own outcome.
    if (mounted) throw error;
    return null;
  }
}
