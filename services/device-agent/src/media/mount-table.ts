/**
 * Whether a device is mounted, read from the kernel's mount table. Writing to a mounted disc
 * corrupts what the host sees, so every write, blank and verify refuses one (DEVICE_MOUNTED).
 * An image mounted through fuseiso cannot be told from the table (its source reads
 * "fuseiso"); it only ever reads the image, which a later session leaves intact.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';

export type MountEntry = { source: string; target: string; type: string };

/** `/proc/mounts` lines → entries; spaces and tabs in paths arrive octal-escaped (`\040`). */
export function parseMountTable(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, target, type] = line.trim().split(/\s+/);
    if (!source || !target || !type) continue;
    entries.push({ source: unescapeMountField(source), target: unescapeMountField(target), type });
  }
  return entries;
}

function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The mount points at which `devicePath` (or what it links to) is mounted. */
export function mountPointsOf(entries: readonly MountEntry[], devicePaths: readonly string[]): string[] {
  const wanted = new Set(devicePaths);
  return entries.filter((entry) => wanted.has(entry.source)).map((entry) => entry.target);
}

export class MountTable {
  constructor(
    private readonly path = '/proc/mounts',
    /** Where the kernel tells which file each loop device plays (an ISO image mounted with -o loop). */
    private readonly sysBlock = '/sys/block',
  ) {}

  async mountPointsOf(devicePath: string): Promise<string[]> {
    const entries = parseMountTable(await readFile(this.path, 'utf8'));
    // /dev/cdrom is usually a link to /dev/sr0, and the table names the target.
    const resolved = await realpath(devicePath).catch(() => devicePath);
    const names = [devicePath, resolved];
    if (entries.some((entry) => entry.source.startsWith('/dev/loop')))
      names.push(...(await this.loopDevicesPlaying(names)));
    return mountPointsOf(entries, names);
  }

  /** An image mounted with `-o loop` is listed as /dev/loopN: find the loops whose backing file it is. */
  private async loopDevicesPlaying(files: readonly string[]): Promise<string[]> {
    const names = await readdir(this.sysBlock).catch(() => [] as string[]);
    const loops = await Promise.all(
      names
        .filter((name) => /^loop\d+$/.test(name))
        .map(async (name) => {
          const backing = await readFile(join(this.sysBlock, name, 'loop', 'backing_file'), 'utf8').catch(() => '');
          return files.includes(backing.trim()) ? `/dev/${name}` : null;
        }),
    );
    return loops.filter((loop): loop is string => loop !== null);
  }
}
