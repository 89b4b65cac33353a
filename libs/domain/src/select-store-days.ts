/**
 * Which staging day does *store* write? The midnight rule.
 *
 * Collect and stage may run on either side of midnight, or span it, so "today's
 * directory" is not enough: when today has nothing to write, yesterday and then tomorrow
 * are tried, each only when staged and not yet stored. With `full`, only today counts and
 * its store indicator is ignored, because a user who runs a full store twice in a row
 * expects two identical discs, not an error or some other day's data.
 *
 * A candidate that is a symlink out of the staging root (not followed) does not block the
 * days before it in that order; reached first, it stops the run, since it may be the day the
 * rule picks and its indicators were not read.
 */
import { addDays, assertDayStamp, type DayStamp } from './day.js';
import { NoStagingDirectoryError } from './errors.js';
import { escapesRoot, factsFor, outsideRootError, type StagingDayFacts } from './staging.js';

export type StoreSelectionRule = 'today' | 'yesterday' | 'tomorrow' | 'full';

export type StoreSelection = {
  days: DayStamp[];
  rule: StoreSelectionRule;
  crossedMidnight: boolean;
};

/** The days *store* looks at, in the order the rule tries them. */
export function storeCandidateDays(today: DayStamp, full: boolean): DayStamp[] {
  return full ? [today] : [today, addDays(today, -1), addDays(today, 1)];
}

export function selectStoreDays(input: { today: DayStamp; full: boolean; days: StagingDayFacts[] }): StoreSelection {
  const { today, full, days } = input;
  assertDayStamp(today, 'today');

  if (full) {
    const facts = factsFor(days, today);
    if (escapesRoot(facts)) throw outsideRootError([facts]);
    if (facts.exists && facts.staged) return { days: [today], rule: 'full', crossedMidnight: false };
    throw new NoStagingDirectoryError(
      `no staging directory for today (full mode only tries today): ${today} is ` +
        `${facts.exists ? 'not staged yet (no cback.stage)' : 'missing'}. ` +
        'Run the stage action first, or pass --today for another day.',
      { today, full },
    );
  }

  const candidates: Array<[DayStamp, StoreSelectionRule]> = [
    [today, 'today'],
    [addDays(today, -1), 'yesterday'],
    [addDays(today, 1), 'tomorrow'],
  ];
  for (const [day, rule] of candidates) {
    const facts = factsFor(days, day);
    // Cedar Backup store.py _findCorrectDailyDir: `os.path.isdir(todayPath) and os.path.exists(todayStageInd)`
    // follows the link; its indicators are unread here, so if it comes first it may be the day to write.
    if (escapesRoot(facts)) throw outsideRootError([facts]);
    if (facts.exists && facts.staged && !facts.stored) {
      return { days: [day], rule, crossedMidnight: rule !== 'today' };
    }
  }
  // --full writes today only, and only a staged today: advise it when it would succeed.
  const todayFacts = factsFor(days, today);
  const again = todayFacts.exists && todayFacts.staged ? ', or use --full to write today again' : '';
  throw new NoStagingDirectoryError(
    'no unstored staging directory (tried today, yesterday, tomorrow): ' +
      `${candidates.map(([day]) => describe(factsFor(days, day))).join('; ')}. ` +
      `Nothing to write: check that the stage action ran${again}.`,
    { today, full },
  );
}

function describe(facts: StagingDayFacts): string {
  if (!facts.exists) return `${facts.day} missing`;
  if (!facts.staged) return `${facts.day} not staged`;
  return `${facts.day} already stored`;
}
