/**
 * Which disc, and which session on it, holds a day: what a restore asks the agent to check the
 * drive for (docs/restoring.md#which-disc). Pure: it reads the media catalog's discs.
 */
import type { DayStamp } from '@cedar-store/domain';
import type { CatalogDisc } from '@cedar-store/ports';

export type DayOnDisc = {
  disc: CatalogDisc;
  /** The session that wrote the day (1 = the disc's first). */
  position: number;
  /** The run that wrote that session: the manifest catalog finds the disc's number by it. */
  runId: string;
  /** The label the disc carries now: that of its last session (the agent reads it from the drive). */
  labelNow: string;
};

/**
 * The newest session holding `day` on a disc that still holds its sessions (not blanked for a
 * newer disc): the one written in `device` when there is one, else on any device (a disc may be
 * read in another drive). `discs` are newest first, as MediaCatalog.list() gives them.
 */
export function dayOnDisc(discs: readonly CatalogDisc[], day: DayStamp, device: string): DayOnDisc | null {
  const holding: DayOnDisc[] = [];
  for (const disc of discs) {
    if (disc.supersededAt !== undefined || disc.sessions.length === 0) continue;
    for (let index = disc.sessions.length - 1; index >= 0; index -= 1) {
      const session = disc.sessions[index]!;
      if (!session.days.includes(day)) continue;
      holding.push({ disc, position: index + 1, runId: session.runId, labelNow: disc.sessions.at(-1)!.sessionLabel });
      break;
    }
  }
  return holding.find((found) => found.disc.device === device) ?? holding[0] ?? null;
}

/** Why no disc can be restored from, for the run's error: the day is on none, or only on blanked ones. */
export function noDiscMessage(discs: readonly CatalogDisc[], day: DayStamp): string {
  const blanked = discs.filter((disc) => disc.sessions.some((session) => session.days.includes(day)));
  if (blanked.length > 0) {
    return (
      `${day} was on the disc labelled "${blanked[0]!.label}", but that rewritable media was blanked for a newer ` +
      `disc on ${blanked[0]!.supersededAt}: no disc in the catalog holds it any more. Nothing was written.`
    );
  }
  return (
    `no disc in the catalog holds ${day}: cedar-store media lists the days of every disc, ` +
    'and cedar-store find GLOB --day finds a file. Nothing was written.'
  );
}
