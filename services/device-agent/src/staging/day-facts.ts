/**
 * A staging day's bytes and shape for the staging inspect (file-work.ts `dayFacts`). A large
 * day is walked in a file-worker thread, so the event loop stays free; a small one is walked
 * here. The pool's threads end when idle, so a nightly store finds none running, and starting
 * one (89–326 ms on two loaded cores) cost a store of a few files more than its whole walk. A
 * bounded look first counts the entries without blocking and reads their metadata, so the
 * walk after it finds that metadata cached.
 */
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { dayFacts, type DayShape } from '../files/file-work.js';
import type { FileWorkers } from '../files/file-workers.js';

/** Entries (files, directories, links) a day may hold to be walked on the event loop: well under a millisecond. */
export const SMALL_DAY_ENTRIES = 64;

export type StagingDayFacts = { bytes: number; shape: DayShape; walkedInline: boolean };

export async function stagingDayFacts(root: string, workers: FileWorkers): Promise<StagingDayFacts> {
  // A pool without threads already walks inline, with the file system it was given.
  if (workers.threaded && (await holdsAtMost(root, SMALL_DAY_ENTRIES))) {
    return { ...dayFacts(root), walkedInline: true };
  }
  return { ...(await workers.dayFacts(root)), walkedInline: false };
}

/**
 * Whether the tree under `root` holds at most `limit` entries; stops reading at the first one
 * past it. Anything it cannot read answers false: the worker's walk reports the error as ever.
 */
export async function holdsAtMost(root: string, limit: number): Promise<boolean> {
  let seen = 0;
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const files: string[] = [];
    try {
      for await (const entry of await opendir(dir)) {
        seen += 1;
        if (seen > limit) return false;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) pending.push(path);
        else if (entry.isFile()) files.push(path);
      }
      await Promise.all(files.map((path) => lstat(path)));
    } catch {
      return false;
    }
  }
  return true;
}
