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

/**
 * The one rule of what differs at a path: what staging holds there (`expected`) against what
 * the media holds (`actual`), either absent. Null when nothing differs or the path is the store
 * indicator. compareTrees and the agent's streaming merge of two sorted listings both use it.
 */
export function classifyEntry(path: string, expected?: FileFacts, actual?: FileFacts): MismatchKind | null {
  if (isStoreIndicatorPath(path)) return null;
  if (!expected) return actual ? 'extra' : null;
  if (!actual) return 'missing';
  return sameContent(expected, actual) ? null : 'content';
}

/** Whether the bytes at a path must be read to decide: a file on both sides, of the same size, not yet found different. */
export function needsByteCompare(path: string, expected: FileFacts, actual: FileFacts): boolean {
  return (
    !isStoreIndicatorPath(path) &&
    expected.kind === 'file' &&
    actual.kind === 'file' &&
    expected.size === actual.size &&
    actual.contentDiffers !== true
  );
}

export function compareTrees(expected: FileFacts[], actual: FileFacts[]): Mismatch[] {
  const actualByPath = new Map(actual.map((facts) => [facts.path, facts]));
  const expectedPaths = new Set<string>();
  const mismatches: Mismatch[] = [];
  for (const facts of expected) {
    if (isStoreIndicatorPath(facts.path)) continue;
    expectedPaths.add(facts.path);
    const kind = classifyEntry(facts.path, facts, actualByPath.get(facts.path));
    if (kind) mismatches.push({ path: facts.path, kind });
  }
  for (const facts of actual) {
    if (expectedPaths.has(facts.path)) continue;
    const kind = classifyEntry(facts.path, undefined, facts);
    if (kind) mismatches.push({ path: facts.path, kind });
  }
  return mismatches.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The mismatches of a check that may find millions (a disc that lost a whole day): the first
 * `limit` named in the order they were found, all of them counted.
 */
export class MismatchTally {
  readonly named: Mismatch[] = [];
  count = 0;

  /** `limit`: how many a report may name (the wire's `LIMITS.maxMismatchesReported`). */
  constructor(private readonly limit: number) {}

  add(mismatch: Mismatch): void {
    this.count += 1;
    if (this.named.length < this.limit) this.named.push(mismatch);
  }

  /** How many were counted but not named. */
  get unnamed(): number {
    return this.count - this.named.length;
  }
}
