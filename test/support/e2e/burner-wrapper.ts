/**
 * A directory to put first on an agent's PATH (E2eStackOptions.agentPathPrefix) holding the
 * test-only `xorriso` of xorriso-wrapper.mjs: the real xorriso runs every time, and the test
 * can hold writes at their start or damage the next written image, through files beside it.
 * Only the agent process sees it; the test's own read-back uses the real xorriso.
 */
import { copyFile, chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WRAPPER = fileURLToPath(new URL('./xorriso-wrapper.mjs', import.meta.url));

export type BurnerWrapper = Awaited<ReturnType<typeof createBurnerWrapper>>;

export async function createBurnerWrapper() {
  const dir = await mkdtemp(join(tmpdir(), 'cedar-e2e-bin-'));
  await copyFile(WRAPPER, join(dir, 'xorriso'));
  await chmod(join(dir, 'xorriso'), 0o755);
  return {
    dir,
    /** The next successful write flips a byte in the middle of `pathOnDisc` (e.g. `2026/11/26/a.txt`). */
    corruptNextWrite: (pathOnDisc: string) => writeFile(join(dir, 'corrupt-next-write'), pathOnDisc),
    /** Writes wait at their start until released. */
    holdWrites: () => writeFile(join(dir, 'hold-writes'), ''),
    releaseWrites: () => rm(join(dir, 'hold-writes'), { force: true }),
    /** How many writes are waiting right now. */
    async heldWrites(): Promise<number> {
      return (await readdir(dir)).filter((name) => name.startsWith('held-')).length;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
