/**
 * The consistency check of one or more staging days against the mounted media
 * (REFERENCE.md §8): list both trees, compare the bytes of every file present on both sides
 * with the same size — several files at once, to keep the disks and both cores busy — and let
 * the domain decide what differs.
 */
import { compareTrees, dayToGraftPoint, type DayStamp, type Mismatch } from '@cedar-store/domain';
import { join } from 'node:path';
import { access } from 'node:fs/promises';
import { sameBytes } from './compare-files.js';
import { walkTree, type WalkedFile } from './walk-tree.js';

export type DayToCompare = { day: DayStamp; stagingPath: string };

export type ComparisonResult = { filesCompared: number; bytesCompared: number; mismatches: Mismatch[] };

export type CompareOptions = {
  /** Files compared at the same time. */
  concurrency?: number;
  onBytes?: (bytesDone: number, bytesTotal: number) => void;
};

export const DEFAULT_COMPARE_CONCURRENCY = 4;

export async function compareDays(
  days: readonly DayToCompare[],
  mountPoint: string,
  options: CompareOptions = {},
): Promise<ComparisonResult> {
  const expected: WalkedFile[] = [];
  const actual: WalkedFile[] = [];
  for (const { day, stagingPath } of days) {
    const graft = dayToGraftPoint(day);
    expected.push(...(await walkTree(stagingPath, graft)));
    const onMedia = join(mountPoint, graft);
    if (await exists(onMedia)) actual.push(...(await walkTree(onMedia, graft)));
  }

  const actualByPath = new Map(actual.map((file) => [file.path, file]));
  const pairs = expected
    .filter((file) => file.kind === 'file' && !isStoreIndicatorPath(file.path))
    .map((file) => ({ file, twin: actualByPath.get(file.path) }))
    .filter((pair): pair is { file: WalkedFile; twin: WalkedFile } => pair.twin?.kind === 'file');
  const comparable = pairs.filter(({ file, twin }) => file.size === twin.size);
  const bytesTotal = comparable.reduce((sum, { file }) => sum + file.size, 0);

  let bytesDone = 0;
  const onBytes = (bytes: number): void => {
    bytesDone += bytes;
    options.onBytes?.(bytesDone, bytesTotal);
  };
  await runPool(comparable, options.concurrency ?? DEFAULT_COMPARE_CONCURRENCY, async ({ file, twin }) => {
    if (!(await sameBytes(file.absolutePath, twin.absolutePath, onBytes))) twin.contentDiffers = true;
  });

  return {
    filesCompared: pairs.length,
    bytesCompared: bytesDone,
    mismatches: compareTrees(expected, actual),
  };
}

function isStoreIndicatorPath(path: string): boolean {
  return path.endsWith('/cback.store');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
