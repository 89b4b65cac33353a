/**
 * Checks what a restore wrote against the catalog's manifest of the day (docs/restoring.md#what-is-checked):
 * two lists sorted in the same order (comparePaths), the agent's hashes of the files it restored and
 * the manifest's files, read page by page and merged in order, so neither is ever held whole.
 */
import { comparePaths, InternalError } from '@cedar-store/domain';
import { LIMITS, type ManifestFile, type RestoreMismatch } from '@cedar-store/ports';

export type RestoreCheck = {
  /** Files of the manifest found restored, their hashes compared. */
  checked: number;
  /** The first mismatches (content differs, or not restored), in path order. */
  mismatches: RestoreMismatch[];
  mismatchCount: number;
  /** The first files restored that the manifest does not list; `unlistedCount` counts all. */
  unlisted: string[];
  unlistedCount: number;
};

/** How many unlisted files a check names. */
const UNLISTED_NAMED = 20;

/**
 * Merges `restored` (the agent's records) with `expected` (the manifest, only the files `wanted`
 * keeps: those the restore's globs match). Both must come in comparePaths order; one that does
 * not is an internal error rather than a false verdict.
 */
export async function checkRestored(
  restored: AsyncIterable<ManifestFile>,
  expected: AsyncIterable<ManifestFile>,
  wanted: (file: ManifestFile) => boolean = () => true,
): Promise<RestoreCheck> {
  const check: RestoreCheck = { checked: 0, mismatches: [], mismatchCount: 0, unlisted: [], unlistedCount: 0 };
  const mismatch = (path: string, kind: RestoreMismatch['kind']): void => {
    check.mismatchCount += 1;
    if (check.mismatches.length < LIMITS.maxMismatchesReported) check.mismatches.push({ path, kind });
  };
  const left = inOrder(restored, 'the files the agent restored');
  const right = inOrder(filtered(expected, wanted), "the catalog's manifest");
  let a = await left.next();
  let b = await right.next();
  while (!a.done || !b.done) {
    const order = a.done ? 1 : b.done ? -1 : comparePaths(a.value.path, b.value.path);
    if (order === 0 && !a.done && !b.done) {
      check.checked += 1;
      if (a.value.sha256 !== b.value.sha256 || a.value.size !== b.value.size) mismatch(b.value.path, 'content');
      [a, b] = await Promise.all([left.next(), right.next()]);
    } else if (order < 0 && !a.done) {
      check.unlistedCount += 1;
      if (check.unlisted.length < UNLISTED_NAMED) check.unlisted.push(a.value.path);
      a = await left.next();
    } else if (!b.done) {
      mismatch(b.value.path, 'missing');
      b = await right.next();
    }
  }
  return check;
}

async function* filtered(
  files: AsyncIterable<ManifestFile>,
  wanted: (file: ManifestFile) => boolean,
): AsyncGenerator<ManifestFile> {
  for await (const file of files) if (wanted(file)) yield file;
}

/** The files as they come, refusing a path that is not after the one before it. */
async function* inOrder(files: AsyncIterable<ManifestFile>, what: string): AsyncGenerator<ManifestFile> {
  let previous: string | undefined;
  for await (const file of files) {
    if (previous !== undefined && comparePaths(previous, file.path) >= 0) {
      throw new InternalError(
        `${what} are not in path order (${file.path} after ${previous}): nothing could be checked`,
      );
    }
    previous = file.path;
    yield file;
  }
}
