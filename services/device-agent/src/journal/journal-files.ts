/**
 * One small JSON file per operation, replaced whole: written to a temporary file, flushed to
 * the disk, renamed over the old one, and the directory flushed too. A crash at any moment
 * leaves either the old entry or the new one, never half of either, and never touches
 * another operation's entry (an append-only log would risk a torn last line and need
 * compacting to stay bounded; here pruning is deleting files).
 */
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const ENTRY_SUFFIX = '.json';
const TEMP_SUFFIX = '.tmp';

export function entryPath(dir: string, opId: string): string {
  return join(dir, `${opId}${ENTRY_SUFFIX}`);
}

/**
 * Synchronous on purpose: an entry is a few hundred bytes written a handful of times per
 * operation, and writing it before the call returns is what lets the journal record a
 * program's process group before anything can kill the agent.
 */
export function writeEntryFile(dir: string, opId: string, entry: unknown): void {
  const target = entryPath(dir, opId);
  const temp = `${target}${TEMP_SUFFIX}`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, target);
  syncDirectory(dir);
}

export function removeEntryFile(dir: string, opId: string): void {
  rmSync(entryPath(dir, opId), { force: true });
}

/** Every entry file's parsed content (null when unreadable), after removing temporary files a crash left. */
export function readEntryFiles(dir: string): Array<{ file: string; content: unknown }> {
  const files = readdirSync(dir);
  for (const file of files.filter((name) => name.endsWith(TEMP_SUFFIX))) rmSync(join(dir, file), { force: true });
  return files
    .filter((name) => name.endsWith(ENTRY_SUFFIX))
    .map((file) => ({ file, content: parseJson(readFileSync(join(dir, file), 'utf8')) }));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A rename is durable only once its directory is flushed. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
