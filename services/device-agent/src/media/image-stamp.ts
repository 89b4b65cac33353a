/**
 * What an image measurement depends on that can be read back without walking the days' trees:
 * each day directory and its stage indicator (kind, inode, size, modification and change
 * times), and what the backend adds of the media (mediaStamp). A write carrying the
 * controller's estimate reuses it while the stamp is unchanged
 * (docs/decisions/0009-the-estimate-travels-with-the-write.md).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { STAGE_INDICATOR } from '@cedar-store/domain';
import type { ResolvedDay } from '../staging/fs-staging-area.js';

export async function imageStamp(days: readonly ResolvedDay[], media: unknown): Promise<string> {
  const trees = await Promise.all(
    days.map(async ({ day, path }) => [day, path, await facts(path), await facts(join(path, STAGE_INDICATOR))]),
  );
  return createHash('sha256').update(JSON.stringify({ trees, media })).digest('hex');
}

/** A file's identity and times, or null when it is not there; nanoseconds, as strings. */
export async function facts(path: string): Promise<string[] | null> {
  return stat(path, { bigint: true }).then(
    (s) => [s.ino, s.size, s.mtimeNs, s.ctimeNs].map(String),
    () => null,
  );
}
