import type { DayStamp } from './day.js';

/** What the deciding rules need to know about one staging day. */
export type StagingDayFacts = {
  day: DayStamp;
  /** The directory `<stagingRoot>/YYYY/MM/DD` exists. */
  exists: boolean;
  /** It holds the stage indicator: staging finished, the day is complete. */
  staged: boolean;
  /** It holds the store indicator: the day is already on a disc. */
  stored: boolean;
};

/** Empty files that mark progress in a staging day; never backup data. */
export const STAGE_INDICATOR = 'cback.stage';
export const STORE_INDICATOR = 'cback.store';
export const COLLECT_INDICATOR = 'cback.collect';

/** Any file named `cback.*` is an indicator, never backup data. */
export function isIndicatorName(name: string): boolean {
  return name.startsWith('cback.');
}

export function factsFor(days: readonly StagingDayFacts[], day: DayStamp): StagingDayFacts {
  return days.find((facts) => facts.day === day) ?? { day, exists: false, staged: false, stored: false };
}
