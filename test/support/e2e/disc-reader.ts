/**
 * Reads a disc image back with tools that share no code with cedar-store: xorriso for the
 * table of contents, the volume descriptor and the file list, and a fuseiso mount whose files
 * plain node:fs compares byte for byte with the staging directories. What the product claims
 * it wrote is judged only by what these tools find.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { isoPaths, isoSessions, type IsoSession } from '../iso-inspector.js';

export { isoPaths as discPaths, isoSessions as discSessions, type IsoSession };

async function xorriso(args: string[]): Promise<string> {
  const result = await execa('xorriso', args, { reject: false, env: { LC_ALL: 'C' } });
  if (result.exitCode !== 0) throw new Error(`xorriso ${args.join(' ')} failed: ${result.stderr}`);
  return `${result.stdout}\n${result.stderr}`;
}

/** The volume label of the newest session, from `-pvd_info`. */
export async function discVolumeId(image: string): Promise<string> {
  const info = await xorriso(['-indev', `stdio:${image}`, '-pvd_info']);
  const match = /^Volume Id\s*:\s*(.*)$/m.exec(info);
  if (!match) throw new Error(`xorriso -pvd_info printed no volume id for ${image}:\n${info}`);
  return match[1]!.trim();
}

/** The next writable address `-toc` reports (`Media nwa : 64s`), in sectors. */
export async function discNextWritableAddress(image: string): Promise<number> {
  const toc = await xorriso(['-indev', `stdio:${image}`, '-toc']);
  const match = /^Media nwa\s*:\s*(\d+)s/m.exec(toc);
  if (!match) throw new Error(`xorriso -toc printed no next writable address for ${image}:\n${toc}`);
  return Number(match[1]);
}

/** The days on the disc: every `YYYY/MM/DD` directory `-find` lists, as `YYYY-MM-DD`. */
export async function discDays(image: string): Promise<string[]> {
  return (await isoPaths(image))
    .filter((path) => /^\d{4}\/\d{2}\/\d{2}\/$/.test(path))
    .map((path) => path.slice(0, 10).replace(/\//g, '-'));
}

/** Relative path → sha256 of every file under `root` (directories are implied by the paths). */
export type TreeDigest = Record<string, string>;

export async function digestTree(root: string): Promise<TreeDigest> {
  const digest: TreeDigest = {};
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), relative);
      else
        digest[relative] = createHash('sha256')
          .update(await readFile(join(dir, entry.name)))
          .digest('hex');
    }
  };
  await walk(root, '');
  return digest;
}

/** Mounts the image read-only with fuseiso, runs `read` on the mount point, and always unmounts. */
export async function withMountedDisc<T>(image: string, read: (mountPoint: string) => Promise<T>): Promise<T> {
  const mountPoint = await mkdtemp(join(tmpdir(), 'cedar-e2e-mount-'));
  try {
    await execa('fuseiso', ['-n', image, mountPoint]);
    try {
      return await read(mountPoint);
    } finally {
      await unmount(mountPoint);
    }
  } finally {
    await rm(mountPoint, { recursive: true, force: true });
  }
}

/** fusermount refuses while a reader still closes its files: a few tries, waiting for the mount to let go. */
async function unmount(mountPoint: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await execa('fusermount', ['-u', mountPoint], { reject: false });
    if (result.exitCode === 0) return;
    if (attempt >= 20) throw new Error(`fusermount -u ${mountPoint} failed: ${result.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every file on the disc with its sha256, read through a fuseiso mount. */
export function digestDisc(image: string): Promise<TreeDigest> {
  return withMountedDisc(image, digestTree);
}

/**
 * Each staging day's files as the disc must hold them under `YYYY/MM/DD/`: every file of the
 * daily directory but the store indicator, which is written after the disc (docs/how-store-decides.md).
 */
export async function expectedDiscFiles(stagingRoot: string, days: readonly string[]): Promise<TreeDigest> {
  const expected: TreeDigest = {};
  for (const day of days) {
    const graft = day.replace(/-/g, '/');
    for (const [path, sha] of Object.entries(await digestTree(join(stagingRoot, graft)))) {
      if (path !== 'cback.store') expected[`${graft}/${path}`] = sha;
    }
  }
  return expected;
}

/** sha256 of a whole file (an image before and after a refused write). */
export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}
