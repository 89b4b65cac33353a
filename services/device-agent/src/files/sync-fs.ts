/**
 * What the agent's per-file work shares: the synchronous system calls it makes, errors made
 * plain to cross between threads, and how it names and orders a directory's entries. The work
 * itself — a day's tree walked (day-walker.ts), a day's facts summed (day-facts.ts), staging
 * files compared with the disc and hashed (file-comparer.ts) — runs in worker threads
 * (file-workers.ts), never on the agent's event loop:
 * docs/decisions/0001-per-file-work-in-worker-threads.md says why.
 *
 * A worker loads this module and those three: none of them imports more than node:fs,
 * node:path and node:crypto (not even the domain), so a worker starts in milliseconds.
 */
import * as nodeFs from 'node:fs';

/** The system calls used, so tests can make one fail as a bad disk would (EIO). */
export type SyncFileSystem = Pick<
  typeof nodeFs,
  'openSync' | 'readSync' | 'closeSync' | 'readdirSync' | 'lstatSync' | 'readlinkSync'
>;

export const NODE_FILE_SYSTEM: SyncFileSystem = nodeFs;

/** A system error made plain, so it crosses from a worker thread with its code. */
export type PlainError = { code?: string; message: string };

export function plainError(error: unknown): PlainError {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * The path of `dir`'s entry `name`: what path.join gives for a normalized `dir` and a name
 * without `/`, without normalizing the whole path again for each of a day's entries.
 */
export function childPath(dir: string, name: string): string {
  if (dir === '.' || dir === './') return name;
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** Names by Unicode code point, as their UTF-8 bytes sort (the domain's comparePaths, for names without `/`). */
export function byCodePoint(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i += 1;
  }
  return a.length - b.length;
}
