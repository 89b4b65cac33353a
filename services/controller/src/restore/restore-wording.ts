/** What a restore run says about its outcome: errors and warnings, one place for their words. */
import type { RestoreResult } from '@cedar-store/ports';
import type { RestoreCheck } from './check-restored.js';

/** How many files an error or warning names before it counts the rest. */
const NAMED = 10;

function named(paths: readonly string[], total: number): string {
  const shown = paths.slice(0, NAMED).join(', ');
  return total > NAMED ? `${shown} and ${total - NAMED} more` : shown;
}

export function mismatchMessage(day: string, target: string, check: RestoreCheck): string {
  const content = check.mismatches.filter((m) => m.kind === 'content').map((m) => m.path);
  const missing = check.mismatches.filter((m) => m.kind === 'missing').map((m) => m.path);
  const parts = [
    content.length > 0 ? `differ from the manifest: ${named(content, content.length)}` : '',
    missing.length > 0 ? `were not restored: ${named(missing, missing.length)}` : '',
  ].filter(Boolean);
  return (
    `${check.mismatchCount} file(s) of ${day} ${parts.join('; and ')}. What was restored is left in ${target}; ` +
    'the disc may be failing: restore the day from another disc holding it (cedar-store find shows them) ' +
    'or from a still-good copy, and check this disc with cedar-store verify.'
  );
}

export function refusedWarning(result: RestoreResult): string {
  const paths = result.refused.map((entry) => `${entry.path} (${entry.reason})`);
  return `the agent did not restore ${result.refusedCount} path(s) of the disc: ${named(paths, result.refusedCount)}`;
}

export function unlistedWarning(check: RestoreCheck): string {
  return (
    `${check.unlistedCount} restored file(s) are not in the manifest of the day (they were not checked): ` +
    named(check.unlisted, check.unlistedCount)
  );
}

export function nothingMatched(day: string, globs: readonly string[]): string {
  return (
    `no file or symlink of ${day} matches ${globs.map((glob) => `"${glob}"`).join(', ')}, so none was restored: ` +
    `globs match the path within the day (cedar-store find GLOB --day ${day} shows what they match)`
  );
}
