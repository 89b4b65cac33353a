/**
 * Mounts the media read-only at a fresh mount point inside the working directory for the
 * consistency check, and always takes it down again. `auto` tries the kernel's iso9660 first
 * and falls back to fuseiso, which works where the kernel has no iso9660 (as in containers).
 */
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CedarStoreError,
  DeviceMountedError,
  ToolMissingError,
  VerifyFailedError,
  errorMessage,
} from '@cedar-store/domain';
import type { ProgramRunner } from '../process/program-runner.js';
import type { Tool } from '../process/tools.js';
import { lastLines } from '../process/last-lines.js';
import { fuseisoArgs, mountArgs, unmountCommand, type MountMethod } from './mount-args.js';

export type MountSetting = 'auto' | MountMethod;

export type MountRequest = { source: string; isImageFile: boolean; workingDir: string; method: MountSetting };

export const UNMOUNT_ATTEMPTS = 5;
export const UNMOUNT_RETRY_MS = 1000;

export type MountedMedia = { mountPoint: string; method: MountMethod };

/** Mounts, runs `work` on the mounted tree, and unmounts and removes the mount point whatever happens. */
export async function withMountedMedia<T>(
  runner: ProgramRunner,
  request: MountRequest,
  work: (mounted: MountedMedia) => Promise<T>,
  retryMs = UNMOUNT_RETRY_MS,
): Promise<T> {
  const mountPoint = await mkdtemp(join(request.workingDir, 'verify-'));
  let method: MountMethod;
  try {
    method = await mountSomehow(runner, request, mountPoint);
  } catch (error) {
    await rm(mountPoint, { recursive: false, force: true }).catch(() => rmdir(mountPoint).catch(() => {}));
    throw error;
  }
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: await work({ mountPoint, method }) };
  } catch (error) {
    outcome = { error };
  }
  try {
    await unmount(runner, method, mountPoint, retryMs);
  } catch (unmountError) {
    // The comparison's failure is what the user came for; the stuck mount point rides along.
    if ('error' in outcome) throw withUnmountFailure(outcome.error, unmountError);
    throw unmountError;
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** `error`, its message (what the user and the log see) and details also telling of `unmountError`. */
function withUnmountFailure(error: unknown, unmountError: unknown): Error {
  const note = errorMessage(unmountError);
  if (!(error instanceof Error)) return new Error(`${String(error)}; also ${note}`);
  error.message = `${error.message}; also ${note}`;
  if (error instanceof CedarStoreError) Object.assign(error, { details: { ...error.details, unmountFailure: note } });
  return error;
}

async function mountSomehow(runner: ProgramRunner, request: MountRequest, mountPoint: string): Promise<MountMethod> {
  const failures: string[] = [];
  if (request.method !== 'fuseiso') {
    const result = await runner
      .run('mount', mountArgs(request.source, mountPoint, request.isImageFile), {
        timeout: 'mount',
      })
      .catch((error: unknown) => {
        if (request.method === 'auto' && error instanceof ToolMissingError) return null;
        throw error;
      });
    if (result?.exitCode === 0) return 'mount';
    failures.push(`mount: ${result ? lastLines(result.stderr) : 'not installed'}`);
    if (request.method === 'mount') throw cannotMount(request.source, failures);
  }
  const result = await runner.run('fuseiso', fuseisoArgs(request.source, mountPoint), {
    timeout: 'mount',
  });
  if (result.exitCode === 0) return 'fuseiso';
  failures.push(`fuseiso: ${lastLines(result.stderr + result.stdout)}`);
  throw cannotMount(request.source, failures);
}

function cannotMount(source: string, failures: string[]): VerifyFailedError {
  return new VerifyFailedError(
    `could not mount ${source} read-only to verify it (${failures.join('; ')}). Check that the disc is readable ` +
      'and that mountMethod suits this host (fuseiso needs /dev/fuse).',
    { source },
  );
}

async function unmount(runner: ProgramRunner, method: MountMethod, mountPoint: string, retryMs: number): Promise<void> {
  const { tool, args } = unmountCommand(method, mountPoint);
  let lastError = '';
  for (let attempt = 1; attempt <= UNMOUNT_ATTEMPTS; attempt++) {
    const failure = await unmountOnce(runner, tool, args);
    if (failure === null) {
      await rmdir(mountPoint);
      return;
    }
    lastError = failure;
    if (attempt < UNMOUNT_ATTEMPTS) await sleep(retryMs);
  }
  // DEVICE_MOUNTED: the media is left mounted, and unmounting it is what the user must do.
  throw new DeviceMountedError(
    `could not unmount ${mountPoint} after ${UNMOUNT_ATTEMPTS} attempts (${lastError}); ` +
      `unmount it by hand (${[tool, ...args].join(' ')}) before the next write`,
    { mountPoint },
  );
}

/** Null when the unmount worked, else why not; a run that throws (it timed out) is a failed attempt too. */
async function unmountOnce(runner: ProgramRunner, tool: Tool, args: string[]): Promise<string | null> {
  try {
    const result = await runner.run(tool, args, { timeout: 'mount' });
    return result.exitCode === 0 ? null : lastLines(result.stderr);
  } catch (error) {
    return errorMessage(error);
  }
}
