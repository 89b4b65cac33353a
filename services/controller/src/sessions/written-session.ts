/**
 * What a session on the disc means for the controller's records, said once for the run that
 * wrote it and for recovery, which learns of the write later from the agent's journal: the
 * media catalog entry that files it under its disc, and the verify verdict and its wording.
 */
import type { DayStamp } from '@cedar-store/domain';
import type { MediaCatalog, VerifyReport } from '@cedar-store/ports';
import { mismatchTotal } from '@cedar-store/ports/words';

export type WrittenSession = {
  device: string;
  /** The label the session carries; a session that starts a disc names the disc too. */
  label: string;
  /** The session starts a disc; otherwise it is appended to the device's current disc. */
  newDisc: boolean;
  days: DayStamp[];
  bytes: number;
  runId: string;
  writtenAt: string;
  /** Read back identical (true), found different (false), or not read back (absent). */
  verified?: boolean;
  /** For a new disc over rewritable media that held a disc: the label that media carried. */
  overwrote?: string;
};

/** Files a session in the catalog: under a disc it starts, or under the device's current disc. */
export async function recordSession(catalog: MediaCatalog, session: WrittenSession): Promise<void> {
  const current = session.newDisc ? null : await catalog.currentDisc(session.device);
  await catalog.recordSession(
    {
      device: session.device,
      discLabel: current?.label ?? session.label,
      sessionLabel: session.label,
      newDisc: session.newDisc,
      days: session.days,
      bytes: session.bytes,
      runId: session.runId,
      writtenAt: session.writtenAt,
      ...(session.verified === undefined ? {} : { verified: session.verified }),
    },
    session.overwrote === undefined ? {} : { overwrote: session.overwrote },
  );
}

/** The disc read back identical to staging. Any difference is a failure, whatever `ok` says. */
export function readBackIdentical(report: VerifyReport): boolean {
  return report.ok && report.mismatches.length === 0;
}

/**
 * What a failed verify found, naming the first ten differences and, when the report names only
 * the first of more (a disc that lost a whole day), how many there were; the run's message goes
 * on from here.
 */
export function differencesFound(report: VerifyReport): string {
  if (report.mismatches.length === 0) {
    return `verify reported a failure without naming a file (method ${report.method})`;
  }
  const total = mismatchTotal(report);
  const shown = report.mismatches.slice(0, 10).map((m) => `${m.path} (${m.kind})`);
  if (total > report.mismatches.length) {
    return (
      `verify found differences between the disc and staging: ${total} files differ; ` +
      `the first ${report.mismatches.length} are named in the run's verify report, beginning with ${shown.join(', ')}`
    );
  }
  const more = total > shown.length ? ` and ${total - shown.length} more` : '';
  return `verify found ${total} difference(s) between the disc and staging: ${shown.join(', ')}${more}`;
}
