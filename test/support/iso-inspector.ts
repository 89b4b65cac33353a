/**
 * Reads an ISO image with xorriso directly — independently of the agent's code — so tests
 * check what really went onto the "disc": its paths, its sessions, and where a file's bytes
 * lie (to damage them on purpose).
 */
import { open } from 'node:fs/promises';
import { execa } from 'execa';

async function xorriso(args: string[]): Promise<string> {
  const result = await execa('xorriso', args, { reject: false, env: { LC_ALL: 'C' } });
  if (result.exitCode !== 0) throw new Error(`xorriso ${args.join(' ')} failed: ${result.stderr}`);
  return `${result.stdout}\n${result.stderr}`;
}

/** `'/a/b'` lines of `-find` → paths without the leading `/`. */
function foundPaths(output: string): string[] {
  return [...output.matchAll(/^'\/(.+)'$/gm)].map((match) => match[1]!.replace(/'\\''/g, "'"));
}

/**
 * Where xorriso loads the tree from: the image's newest session by default, or the session
 * starting at `sessionStart` (a disc file written by other programs, whose table of contents
 * a drive would read).
 */
export type SessionChoice = { sessionStart?: number };

function indev(image: string, choice: SessionChoice): string[] {
  const load = choice.sessionStart === undefined ? [] : ['-load', 'sbsector', String(choice.sessionStart)];
  return [...load, '-indev', `stdio:${image}`];
}

/** Every path on the image; directories end with `/`. */
export async function isoPaths(image: string, choice: SessionChoice = {}): Promise<string[]> {
  const [dirs, others] = await Promise.all([
    xorriso([...indev(image, choice), '-find', '/', '-type', 'd']),
    xorriso([...indev(image, choice), '-find', '/', '-not', '-type', 'd']),
  ]);
  return [...foundPaths(dirs).map((path) => `${path}/`), ...foundPaths(others)].sort();
}

export type IsoSession = { index: number; start: number; sectors: number; volumeId: string };

/** The sessions `xorriso -toc` lists. */
export async function isoSessions(image: string): Promise<IsoSession[]> {
  const toc = await xorriso(['-indev', `stdio:${image}`, '-toc']);
  return [...toc.matchAll(/^ISO session\s*:\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)s\s*,\s*(.*)$/gm)].map((m) => ({
    index: Number(m[1]),
    start: Number(m[2]),
    sectors: Number(m[3]),
    volumeId: m[4]!.trim(),
  }));
}

/** Flips one byte in the middle of a file's data on the image. */
export async function flipByteOf(image: string, path: string, choice: SessionChoice = {}): Promise<void> {
  const report = await xorriso([...indev(image, choice), '-find', `/${path}`, '-exec', 'report_lba']);
  const match = /File data lba:\s*\d+\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/.exec(report);
  if (!match) throw new Error(`no data extent for ${path} on ${image}:\n${report}`);
  const [startLba, , size] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const offset = startLba * 2048 + Math.floor(size / 2);
  const handle = await open(image, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, offset);
  } finally {
    await handle.close();
  }
}
