/**
 * The rules of a restore that guard what it may write (docs/restoring.md): the target's name, the
 * names a disc may hold, and whether the disc in the drive is the one the catalog names.
 */

/** Longest restore target name: one directory name, short enough for any file system. */
export const MAX_RESTORE_TARGET_LENGTH = 100;

const TARGET_CHARACTERS = /^[A-Za-z0-9._-]+$/;

/**
 * Why `name` cannot be a restore target, or undefined when it can. A target is one path component
 * of letters, digits, `.`, `_` and `-` under the agent's restoreRoot: no `/`, never `.` nor
 * anything holding `..`, so it can never name a directory outside restoreRoot.
 */
export function restoreTargetProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_RESTORE_TARGET_LENGTH) return `is longer than ${MAX_RESTORE_TARGET_LENGTH} characters`;
  if (name.includes('/')) return 'holds "/": it must be one directory name';
  if (!TARGET_CHARACTERS.test(name)) return 'may hold only letters, digits, ".", "_" and "-"';
  if (name === '.' || name.includes('..')) return 'may not be "." nor hold ".."';
  return undefined;
}

/**
 * Why a path read from a disc may not be restored, or undefined when it may. A restore writes
 * each file at its path below the target, so a path that is absolute, empty, or holds an empty,
 * `.` or `..` component (which no honest image has) could reach outside the target.
 */
export function discPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.includes('\0')) return 'holds a NUL character';
  if (path.startsWith('/')) return 'is absolute';
  for (const component of path.split('/')) {
    if (component === '') return 'holds an empty component';
    if (component === '.' || component === '..') return `holds a "${component}" component`;
  }
  return undefined;
}

/** The disc the catalog says holds a day: its label and the session (1 = the first) the day is in. */
export type ExpectedDisc = { label: string; session: number; discId?: number };
/** What the drive reports of the disc it holds. */
export type DiscInDrive = { label: string | null; sessions: number };

/**
 * Why the disc in the drive is not the one to restore from, or undefined when it is: its label
 * must be the catalog's and it must hold at least the session the day was written in. The
 * message names the disc to insert, for the run's WRONG_DISC error.
 */
export function wrongDiscProblem(day: string, expected: ExpectedDisc, found: DiscInDrive): string | undefined {
  const wanted = `disc ${expected.discId === undefined ? '' : `${expected.discId} `}labelled "${expected.label}"`;
  const insert = `insert the ${wanted} (session ${expected.session} holds ${day}) and run the restore again`;
  if (found.label === null)
    return `The drive holds a disc without a label, not the ${wanted}: ${insert}. Nothing was written.`;
  if (found.label !== expected.label)
    return `The drive holds the disc labelled "${found.label}", not the ${wanted}: ${insert}. Nothing was written.`;
  if (found.sessions < expected.session)
    return (
      `The disc in the drive is labelled "${found.label}" but holds ${found.sessions} session(s), where the catalog ` +
      `has ${day} in session ${expected.session}: it is another disc of the same label; ${insert}. Nothing was written.`
    );
  return undefined;
}
