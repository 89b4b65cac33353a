/**
 * Whether a device is mounted, read from the kernel's mount table. Writing to a mounted disc
 * corrupts what the host sees, so every write, blank and verify refuses one (DEVICE_MOUNTED).
 */
import { readFile, realpath } from 'node:fs/promises';

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
  constructor(private readonly path = '/proc/mounts') {}

  async mountPointsOf(devicePath: string): Promise<string[]> {
    const text = await readFile(this.path, 'utf8');
    // /dev/cdrom is usually a link to /dev/sr0, and the table names the target.
    const resolved = await realpath(devicePath).catch(() => devicePath);
    return mountPointsOf(parseMountTable(text), [devicePath, resolved]);
  }
}
