/**
 * The consistency check's verdict: the same set of files, each with the same content.
 *
 * Some drives produce an unreadable multisession disc without reporting an error, so what
 * was written is read back and compared. The adapters gather the facts (streaming the
 * bytes); this decides what differs. The store indicator is written after the disc, so it
 * is never part of the comparison.
 */
import { STORE_INDICATOR } from './staging.js';

export type FileKind = 'file' | 'directory' | 'symlink';

export type FileFacts = {
  /** Relative path with `/` separators, e.g. `2005/02/10/etc/hosts`. */
  path: string;
  kind: FileKind;
  size: number;
  /** A content digest, when the adapter computed one. */
  digest?: string;
  /** Set by adapters that compared the bytes themselves and found them different. */
  contentDiffers?: boolean;
  /** Symlink target (symlinks are compared, never followed). */
  target?: string;
};

export type MismatchKind = 'missing' | 'extra' | 'content';
export type Mismatch = { path: string; kind: MismatchKind };

/** The indicator sits at the top of a day (`YYYY/MM/DD/cback.store`); a deeper file of that name is data. */
export function isStoreIndicatorPath(path: string): boolean {
  return path === STORE_INDICATOR || /^\d{4}\/\d{2}\/\d{2}\/cback\.store$/.test(path);
}

function sameContent(expected: FileFacts, actual: FileFacts): boolean {
  if (expected.kind !== actual.kind) return false;
  if (expected.contentDiffers || actual.contentDiffers) return false;
  if (expected.kind === 'directory') return true;
  if (expected.kind === 'symlink') return expected.target === actual.target;
  if (expected.size !== actual.size) return false;
  if (expected.digest !== undefined && actual.digest !== undefined) return expected.digest === actual.digest;
  return true;
}

export function compareTrees(expected: FileFacts[], actual: FileFacts[]): Mismatch[] {
  const actualByPath = new Map(actual.map((facts) => [facts.path, facts]));
  const expectedPaths = new Set<string>();
  const mismatches: Mismatch[] = [];
  for (const facts of expected) {
    if (isStoreIndicatorPath(facts.path)) continue;
    expectedPaths.add(facts.path);
    const found = actualByPath.get(facts.path);
    if (!found) mismatches.push({ path: facts.path, kind: 'missing' });
    else if (!sameContent(facts, found)) mismatches.push({ path: facts.path, kind: 'content' });
  }
  for (const facts of actual) {
    if (!isStoreIndicatorPath(facts.path) && !expectedPaths.has(facts.path)) {
      mismatches.push({ path: facts.path, kind: 'extra' });
    }
  }
  return mismatches.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
