/**
 * Which requests of the file workers (file-workers.ts) are answered inline on the event loop
 * rather than in a thread: small work, when no thread of its kind is running. A staging day of
 * at most SMALL_DAY_ENTRIES entries walked or summed; one that also holds at most
 * SMALL_HASH_BYTES, walked and hashed. Starting a thread (70–470 ms on two loaded cores) cost a store of one
 * file more than its whole work; the same few system calls take well under a millisecond here.
 * A thread already running answers as quickly as inline, so the work goes to it.
 *
 * A compare is never inline, however few its files: a drive or a mount can hold a read for
 * minutes on a bad sector, and the event loop must keep answering meanwhile.
 */
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Entries (files, directories, links) a staging day may hold to be walked or summed inline when
 * no thread is running: a few hundred microseconds of system calls, its metadata read ahead
 * without blocking (holdsAtMost).
 */
export const SMALL_DAY_ENTRIES = 64;

/** The bytes in all of a small day hashed inline when no comparing thread is running: a few milliseconds at most. */
export const SMALL_HASH_BYTES = 1024 * 1024;

/**
 * Whether work of a kind would start a thread now: the pool runs threads, and none of that kind
 * (listing and summing: 'quick'; comparing and hashing: 'compare') is running, busy or idle.
 * A pool without threads answers false: it runs everything inline anyway.
 */
export type StartsThread = (role: 'quick' | 'compare') => boolean;

/** Whether a day is walked or summed inline: small, and no listing thread is running (none is started for it). */
export async function dayInline(root: string, startsThread: StartsThread): Promise<boolean> {
  return startsThread('quick') && (await holdsAtMost(root, SMALL_DAY_ENTRIES));
}

/**
 * Whether a day is walked and hashed inline (its manifest): small in entries and bytes, and no
 * comparing thread is running (none is started for it).
 */
export async function dayHashedInline(root: string, startsThread: StartsThread): Promise<boolean> {
  return startsThread('compare') && (await holdsAtMost(root, SMALL_DAY_ENTRIES, SMALL_HASH_BYTES));
}

/**
 * Whether the tree under `root` holds at most `limit` entries, and regular files of at most
 * `maxBytes` in all; stops reading at the first entry past the limit. It reads without blocking
 * and lstats the files it found, so an inline walk after it finds their metadata cached.
 * Anything it cannot read answers false: a thread's walk then reports the error as ever.
 */
export async function holdsAtMost(root: string, limit: number, maxBytes = Number.POSITIVE_INFINITY): Promise<boolean> {
  let seen = 0;
  let bytes = 0;
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
      for (const facts of await Promise.all(files.map((path) => lstat(path)))) bytes += facts.size;
    } catch {
      return false;
    }
    if (bytes > maxBytes) return false;
  }
  return true;
}
