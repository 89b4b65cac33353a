import type { DayStamp } from './day.js';
import { NoStagingDirectoryError } from './errors.js';

/** What the deciding rules need to know about one staging day. */
export type StagingDayFacts = {
  day: DayStamp;
  /** The directory `<stagingRoot>/YYYY/MM/DD` exists. */
  exists: boolean;
  /** It holds the stage indicator: staging finished, the day is complete. */
  staged: boolean;
  /** It holds the store indicator: the day is already on a disc. */
  stored: boolean;
  /**
   * The day is a symlink to this directory outside the staging root, which the agent does not
   * follow (agent.yaml `followDaySymlinks` off): its indicators were not read, so `staged` and
   * `stored` say nothing about it. It can never be written until it is followed or moved.
   */
  escapesTo?: string;
};

/** Empty files that mark progress in a staging day; never backup data. */
export const STAGE_INDICATOR = 'cback.stage';
export const STORE_INDICATOR = 'cback.store';

/** Any file named `cback.*` is an indicator, never backup data. */
export function isIndicatorName(name: string): boolean {
  return name.startsWith('cback.');
}

export function factsFor(days: readonly StagingDayFacts[], day: DayStamp): StagingDayFacts {
  return days.find((facts) => facts.day === day) ?? { day, exists: false, staged: false, stored: false };
}

/** A day the reference would read through its link: `exists` is what `os.path.isdir` says of it. */
export function escapesRoot(facts: StagingDayFacts): facts is StagingDayFacts & { escapesTo: string } {
  return facts.exists && facts.escapesTo !== undefined;
}

/**
 * The day(s) to write lie behind symlinks out of the staging root. Cedar Backup follows such a
 * link (`os.path.isdir`); the agent does not unless told to, so the run stops here, nothing written.
 */
export function outsideRootError(days: ReadonlyArray<{ day: DayStamp; escapesTo: string }>): NoStagingDirectoryError {
  const named = days.map(({ day, escapesTo }) => `${day} is a symlink to ${escapesTo}`).join('; ');
  return new NoStagingDirectoryError(
    `${named}, outside the staging root, and the agent does not read days there: this run needs ` +
      `${days.length === 1 ? 'that day' : 'those days'}, so it stops here and nothing was written. Either ` +
      'add `followDaySymlinks: true` to agent.yaml (the agent then reads and marks days where their links ' +
      'point, as Cedar Backup does) and restart the agent, or move the day into the staging root; then run again.',
    { days: days.map(({ day }) => day), targets: days.map(({ escapesTo }) => escapesTo) },
  );
}
