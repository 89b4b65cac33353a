/**
 * Writes the imported files all or nothing: a half-imported pair (a new agent.yaml beside an
 * old controller.yaml) would start services that disagree. Each file is written to a
 * temporary name in the target directory first, then put in place: with `link` (which
 * refuses an existing name, so nothing is overwritten even by a race) or, with `force`, with
 * `rename` after the old file was set aside so it can be put back if the second step fails.
 */
import { randomBytes } from 'node:crypto';
import { access, copyFile, link, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError } from './migration-error.js';

export type ConfigFile = { name: string; text: string };

/** Refused for an existing file without `force`; exit status 2 like every configuration mistake. */
export class FileExistsError extends MigrationError {
  constructor(readonly paths: string[]) {
    super(
      `${paths.join(' and ')} already ${paths.length > 1 ? 'exist' : 'exists'}: nothing was written. Move ` +
        `${paths.length > 1 ? 'them' : 'it'} away, choose another --out-dir, or add --force to replace both files`,
    );
  }
}

export async function writeConfigFiles(dir: string, files: ConfigFile[], force: boolean): Promise<string[]> {
  const targets = files.map((file) => join(dir, file.name));
  if (!force) {
    const existing = (await Promise.all(targets.map(async (path) => ((await exists(path)) ? path : null)))).filter(
      (path): path is string => path !== null,
    );
    if (existing.length > 0) throw new FileExistsError(existing);
  }
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw cannotWrite(dir, error);
  });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temps = targets.map((path, index) => join(dir, `.${files[index]!.name}.import-${suffix}`));
  const placed: Array<{ target: string; aside: string | null }> = [];
  try {
    // Configuration holds no secrets (tokens live in their own 0600 files): readable like /etc files.
    await Promise.all(temps.map((temp, index) => writeFile(temp, files[index]!.text, { mode: 0o644, flag: 'wx' })));
    for (const [index, target] of targets.entries()) {
      placed.push({ target, aside: await putInPlace(temps[index]!, target, force, suffix) });
    }
  } catch (error) {
    await rollBack(placed);
    throw error instanceof MigrationError ? error : cannotWrite(dir, error);
  } finally {
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
  }
  await Promise.all(placed.map(({ aside }) => (aside ? unlink(aside).catch(() => undefined) : undefined)));
  return targets;
}

/** Errors of a file system without hard links (vfat, some network file systems). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** Returns where the replaced file was set aside, if one was. */
async function putInPlace(temp: string, target: string, force: boolean, suffix: string): Promise<string | null> {
  if (!force) {
    await link(temp, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new FileExistsError([target]);
      if (!NO_HARD_LINKS.has(error.code ?? '')) throw error;
      // No links here: check, then rename (a file created in between would be replaced).
      if (await exists(target)) throw new FileExistsError([target]);
      await rename(temp, target);
    });
    return null;
  }
  let aside: string | null = `${target}.old-${suffix}`;
  await link(target, aside).catch(async (error: NodeJS.ErrnoException) => {
    if (!NO_HARD_LINKS.has(error.code ?? '')) {
      if (error.code !== 'ENOENT') throw error;
      aside = null;
      return;
    }
    // No links here: a copy of the old file serves to put it back.
    await copyFile(target, aside!).catch((copyError: NodeJS.ErrnoException) => {
      if (copyError.code !== 'ENOENT') throw copyError;
      aside = null;
    });
  });
  await rename(temp, target);
  return aside;
}

/** Undoes the files already placed: restores what was replaced, removes what was new. */
async function rollBack(placed: Array<{ target: string; aside: string | null }>): Promise<void> {
  for (const { target, aside } of placed.reverse()) {
    if (aside) await rename(aside, target).catch(() => undefined);
    else await unlink(target).catch(() => undefined);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function cannotWrite(dir: string, error: unknown): MigrationError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new MigrationError(
    `could not write the configuration files in ${dir} (${reason}): nothing was written. Check that the directory ` +
      'is writable, or choose another with --out-dir',
  );
}
