/**
 * One `cedar-store local` per directory: two stacks on one --dir would write the same ISO
 * file and staging days at once. The lock is a file created exclusively (O_EXCL) holding its
 * owner's pid; a lock whose pid no longer runs was left by a stack that was killed, and is
 * taken over.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from '../server/controller-service.js';

export type DirLock = { path: string; release(): Promise<void> };

export async function lockLocalDir(dir: string): Promise<DirLock> {
  const path = join(dir, 'local.lock');
  for (let attempt = 0; ; attempt += 1) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      return {
        path,
        async release() {
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
      throw new StartupError(
        `${dir} is in use by another cedar-store local (pid ${owner}): stop that one first, ` +
          'or give this one its own --dir',
      );
    }
    // Its owner is gone (killed, or the host restarted): the lock is stale.
    await unlink(path).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
