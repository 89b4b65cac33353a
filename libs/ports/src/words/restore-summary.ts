/**
 * The words of a restore's summary (docs/restoring.md): where the day came from and went, how
 * much, and what could be checked against the manifest. Its own module, beside run-summary.ts.
 */
import type { RestoreSummary } from '../run.js';
import { formatBytes } from './format.js';

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** The lines of the `Restore` row: source, target, amounts, and the check's verdict. */
export function describeRestore(restore: RestoreSummary, maxShown: number): string[] {
  const disc = `disc ${restore.disc.id === undefined ? '' : `${restore.disc.id} `}"${restore.disc.label}"`;
  const amounts = [plural(restore.files, 'file', 'files'), formatBytes(restore.bytes)];
  if (restore.symlinks > 0) amounts.push(plural(restore.symlinks, 'symlink', 'symlinks'));
  if (restore.refused > 0) amounts.push(`${plural(restore.refused, 'path', 'paths')} refused (see the warnings)`);
  const lines = [
    `${restore.day} from ${disc}, session ${restore.disc.session}`,
    `into ${restore.target} on the agent's host`,
    amounts.join(', '),
  ];
  if (!restore.manifest) {
    lines.push('nothing could be checked: the catalog holds no manifest of the day (a disc older than manifests)');
    return lines;
  }
  if (restore.mismatchCount === 0) {
    lines.push(`checked: ${plural(restore.checked, 'file matches', 'files match')} the manifest's SHA-256`);
    return lines;
  }
  lines.push(
    `FAILED: ${plural(restore.mismatchCount, 'file', 'files')} of the manifest not reproduced; ` +
      `${restore.checked} checked`,
  );
  for (const mismatch of restore.mismatches.slice(0, maxShown))
    lines.push(`${mismatch.kind.padEnd(8)} ${mismatch.path}`);
  if (restore.mismatchCount > maxShown)
    lines.push(`… and ${restore.mismatchCount - maxShown} more (--json lists the first ${restore.mismatches.length})`);
  return lines;
}
