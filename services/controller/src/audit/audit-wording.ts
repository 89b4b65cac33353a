/** What an audit run says about its outcome: errors, one place for their words (docs/auditing.md). */
import type { AuditProblem, DiscAuditRecord } from '@cedar-store/ports';

/** How many files an error names before it counts the rest. */
const NAMED = 10;

const WORDS: Record<AuditProblem['kind'], string> = {
  missing: 'missing from the disc',
  extra: 'on the disc but not in the manifest',
  differing: 'differing from the manifest',
  unreadable: 'unreadable',
};

export function noDiscMessage(label: string | null): string {
  return label === null
    ? 'the disc in the drive carries no label, so the catalog cannot say which disc it is: nothing could be checked'
    : `the catalog holds no disc labelled "${label}" (cedar-store media lists the discs it knows): ` +
        'nothing could be checked';
}

export function noManifestMessage(discId: number, label: string): string {
  return (
    `the catalog holds no manifest of disc ${discId} "${label}" (it was written before manifests were recorded): ` +
    'nothing could be checked. cedar-store verify compares a disc with days still in staging'
  );
}

/** VERIFY_FAILED's words: what is wrong, by kind and name, and what to do. */
export function failedMessage(record: DiscAuditRecord, label: string): string {
  const parts: string[] = [];
  for (const kind of ['differing', 'missing', 'unreadable', 'extra'] as const) {
    const count = record.counts[kind];
    if (count === 0) continue;
    const paths = record.problems.filter((problem) => problem.kind === kind).map((problem) => problem.path);
    const shown = paths.slice(0, NAMED).join(', ');
    parts.push(
      `${count} file(s) ${WORDS[kind]}${shown ? `: ${shown}` : ''}${count > Math.min(paths.length, NAMED) ? ' …' : ''}`,
    );
  }
  if (record.md5 === 'mismatch') parts.push("xorriso's MD5 check of the sessions found a mismatch");
  return (
    `the audit of disc ${record.discId} "${label}" failed: ${parts.join('; ')}. ` +
    'Re-burn those days from a still-good copy (another disc holding them: cedar-store find shows them), ' +
    'or replace the disc.'
  );
}
