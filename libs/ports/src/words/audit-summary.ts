/**
 * The words of an audit's summary (docs/auditing.md): which disc was read, how much, and how it
 * compared with the catalog's manifest; and a disc's last audit as the media listings show it.
 * Its own module, beside run-summary.ts.
 */
import type { ListedAudit } from '../media-catalog.js';
import type { AuditSummary } from '../run.js';
import { formatBytes, formatLocalTime } from './format.js';

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

const MD5_WORDS: Record<AuditSummary['md5'], string> = {
  ok: "xorriso's MD5 check of the sessions: ok",
  mismatch: "xorriso's MD5 check of the sessions: MISMATCH",
  absent: 'the disc carries no MD5s (not checked by xorriso)',
};

/** The lines of the `Audit` row: the disc, the amounts read, the verdict and the first problems. */
export function describeAudit(audit: AuditSummary, maxShown: number): string[] {
  const lines = [
    `disc ${audit.disc.id} "${audit.disc.label}": ${plural(audit.files, 'file', 'files')}, ${formatBytes(audit.bytes)} read`,
    MD5_WORDS[audit.md5],
  ];
  const { missing, extra, differing, unreadable } = audit.counts;
  const total = missing + extra + differing + unreadable;
  if (audit.ok) {
    lines.push(`ok: every file matches the catalog's manifest`);
    return lines;
  }
  lines.push(
    `FAILED: ${differing} differing, ${missing} missing, ${unreadable} unreadable, ${extra} extra` +
      (total > 0 ? '' : ' (the MD5 check failed)'),
  );
  for (const problem of audit.problems.slice(0, maxShown)) lines.push(`${problem.kind.padEnd(10)} ${problem.path}`);
  if (total > Math.min(maxShown, audit.problems.length))
    lines.push(
      `… and ${total - Math.min(maxShown, audit.problems.length)} more (--json lists the first ${audit.problems.length})`,
    );
  return lines;
}

/**
 * A disc's last audit in a few words, as `cedar-store media` and the dashboard's Media page say
 * it: `never audited`, `last audited 2027-05-01 10:00:00, passed` or `…, FAILED: 2 problems`.
 * Times in `timeZone` (an IANA name) when given, else the host's.
 */
export function lastAuditLine(audit: ListedAudit | null, timeZone?: string): string {
  if (audit === null) return 'never audited';
  const when = `last audited ${formatLocalTime(audit.at, timeZone)}`;
  if (audit.ok) return `${when}, passed`;
  return `${when}, FAILED: ${audit.problems > 0 ? plural(audit.problems, 'problem', 'problems') : "xorriso's MD5 check found a mismatch"}`;
}
