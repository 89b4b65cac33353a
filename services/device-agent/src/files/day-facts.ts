/**
 * A staging day summed, as synchronous system calls in a file worker (staging.inspect): its
 * data bytes and the shape of its tree the image bound reads, in one walk or in parts that two
 * threads share, and its directories' times. Like every module a worker loads, it imports only
 * node built-ins (node:fs, node:path, node:crypto) and its neighbours here: sync-fs.ts says why.
 */
import type { Dirent } from 'node:fs';
import { normalize } from 'node:path';
import { byCodePoint, childPath, NODE_FILE_SYSTEM, type SyncFileSystem } from './sync-fs.js';

/**
 * Total bytes of the regular files under a day (symlinks not followed), its own indicators
 * left out: `cback.*` at the top of the day (the domain's isIndicatorName, not imported so a
 * worker loads nothing but node:fs).
 */
export function dataBytes(root: string, fs: SyncFileSystem = NODE_FILE_SYSTEM): number {
  return dayFacts(root, fs).bytes;
}

/**
 * A day's tree as the domain's image bound reads it (imageSizeUpperBound), counted in the same
 * walk as its bytes: every entry, its name's UTF-8 bytes (and a link's target's), each file's
 * data in whole sectors. Indicators are counted here: they are on the disc.
 */
export type DayShape = { files: number; directories: number; nameBytes: number; dataSectors: number };

const SECTOR_BYTES = 2048;

/**
 * Which share of a day's walk a call does, so two threads can sum one day: part `index` of
 * `of` descends into every `of`-th directory at the top of the day (by their order among the
 * root's directories sorted by code point, so every part agrees), and part 0 alone counts the
 * root's own entries. The parts' facts add up to the whole day's, exactly.
 */
export type DayPart = { index: number; of: number };

export const WHOLE_DAY: DayPart = { index: 0, of: 1 };

export function dayFacts(
  root: string,
  fs: SyncFileSystem = NODE_FILE_SYSTEM,
  part: DayPart = WHOLE_DAY,
): { bytes: number; shape: DayShape } {
  const { index, of } = part;
  if (!Number.isInteger(of) || of < 1 || !Number.isInteger(index) || index < 0 || index >= of) {
    throw new Error(`no part ${index} of ${of} of a day`);
  }
  let bytes = 0;
  const shape: DayShape = { files: 0, directories: 0, nameBytes: 0, dataSectors: 0 };
  const count = (dir: string, entry: Dirent, top: boolean): void => {
    shape.nameBytes += Buffer.byteLength(entry.name);
    if (entry.isDirectory()) {
      shape.directories += 1;
      return;
    }
    shape.files += 1;
    const path = childPath(dir, entry.name);
    if (entry.isFile()) {
      const size = fs.lstatSync(path).size;
      shape.dataSectors += Math.ceil(size / SECTOR_BYTES);
      if (!(top && entry.name.startsWith('cback.'))) bytes += size;
    } else if (entry.isSymbolicLink()) {
      shape.nameBytes += Buffer.byteLength(fs.readlinkSync(path));
    }
  };
  const pending: string[] = [];
  const rootEntries = fs.readdirSync(root, { withFileTypes: true });
  const base = normalize(root);
  // The whole day walks in the listing's order, as it always did; parts must agree on one.
  if (of > 1) rootEntries.sort((a, b) => byCodePoint(a.name, b.name));
  let directoryAt = 0;
  for (const entry of rootEntries) {
    if (index === 0) count(base, entry, true);
    if (entry.isDirectory() && directoryAt++ % of === index) pending.push(childPath(base, entry.name));
  }
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      count(dir, entry, false);
      if (entry.isDirectory()) pending.push(childPath(dir, entry.name));
    }
  }
  return { bytes, shape };
}

/** The mtime of every directory of a tree, in walk order (symlinks are not followed). */
export function directoryTimes(root: string, fs: SyncFileSystem = NODE_FILE_SYSTEM): number[] {
  const times: number[] = [];
  const pending = [normalize(root)];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    times.push(fs.lstatSync(dir).mtimeMs);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) pending.push(childPath(dir, entry.name));
    }
  }
  return times;
}
