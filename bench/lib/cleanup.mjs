/**
 * What the bench leaves must be nothing: an agent stopped in the middle of a verify could leave
 * its mount behind, so every mount under the bench's directory is taken down before the
 * directory is removed (`fusermount -u` for fuseiso, `umount` for a kernel mount).
 */
import { readFile } from 'node:fs/promises';
import { timed } from './measure.mjs';

/** /proc/mounts escapes spaces and other characters in octal (`\040`). */
const unescape = (text) => text.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));

export async function unmountLeftovers(base) {
  const table = await readFile('/proc/mounts', 'utf8');
  const mounts = table
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length > 2)
    .map(([, mountPoint, type]) => ({ mountPoint: unescape(mountPoint), type }))
    .filter(({ mountPoint }) => mountPoint.startsWith(`${base}/`));
  for (const { mountPoint, type } of mounts.reverse()) {
    const [command, args] = type.startsWith('fuse')
      ? ['fusermount', ['-u', '-z', mountPoint]]
      : ['umount', ['-l', mountPoint]];
    await timed(command, args).catch(() => {});
  }
}
