/**
 * Writes `cback.store` into a staging day: whole or not at all (a temporary file renamed into
 * place), owned by the backup user, and never through a symlink — a link planted where the
 * indicator goes would otherwise let whoever can write to staging make the agent (often
 * root) empty and take over any file on the host.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRequestError, STORE_INDICATOR } from '@cedar-store/domain';
import type { Owner } from './owner.js';

export async function writeStoreIndicator(dayDirectory: string, owner: Owner | null): Promise<void> {
  const target = join(dayDirectory, STORE_INDICATOR);
  const existing = await lstat(target).catch(() => null);
  if (existing && !existing.isFile()) {
    throw new InvalidRequestError(
      `${target} exists and is not a regular file (a symlink or directory): refused. Remove it and run again.`,
    );
  }
  const temporary = join(dayDirectory, `.${STORE_INDICATOR}.${randomUUID()}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(temporary, flags, 0o644);
  try {
    await handle.chmod(0o644);
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // rename replaces a link put there since the check; it never writes through one.
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(dayDirectory, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
