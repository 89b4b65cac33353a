/**
 * Which days does *rebuild* write, and when does a week start?
 *
 * Rebuild recreates "this week's" disc after media or hardware trouble: every staged day
 * from the most recent starting day of the week up to today, whatever their store
 * indicators say, always on a new disc. A day of the window that is a symlink out of the
 * staging root (not followed) stops the run: the week would hold it if it is staged, and its
 * indicators were not read.
 */
import { addDays, assertDayStamp, WEEKDAYS, weekdayIndex, type DayStamp, type Weekday } from './day.js';
import { InvalidRequestError, NoStagingDirectoryError } from './errors.js';
import { escapesRoot, factsFor, outsideRootError, type StagingDayFacts } from './staging.js';

function startingIndex(startingDay: Weekday): number {
  const index = WEEKDAYS.indexOf(startingDay);
  if (index < 0) {
    throw new InvalidRequestError(
      `starting day must be one of ${WEEKDAYS.join(', ')}, got ${JSON.stringify(startingDay)}`,
    );
  }
  return index;
}

export function isStartOfWeek(today: DayStamp, startingDay: Weekday): boolean {
  return weekdayIndex(today) === startingIndex(startingDay);
}

/** How many days back from today (inclusive) to the week's starting day (inclusive): 1–7. */
export function rebuildWindowLength(today: DayStamp, startingDay: Weekday): number {
  const todayIndex = weekdayIndex(today);
  const startIndex = startingIndex(startingDay);
  return todayIndex >= startIndex ? todayIndex - startIndex + 1 : 7 - (startIndex - todayIndex) + 1;
}

/** The days of the rebuild window, oldest first. */
export function rebuildWindow(today: DayStamp, startingDay: Weekday): DayStamp[] {
  assertDayStamp(today, 'today');
  const length = rebuildWindowLength(today, startingDay);
  return Array.from({ length }, (_, offset) => addDays(today, offset - length + 1));
}

export function selectRebuildDays(input: {
  today: DayStamp;
  startingDay: Weekday;
  days: StagingDayFacts[];
}): DayStamp[] {
  const window = rebuildWindow(input.today, input.startingDay);
  // Cedar Backup rebuild.py _findRebuildDirs: `if os.path.isdir(stageDir) and os.path.exists(indicator):`
  // follows a symlinked day, so the week holds it whenever it is staged; unread here, it stops the run.
  const escaping = window.map((day) => factsFor(input.days, day)).filter(escapesRoot);
  if (escaping.length > 0) throw outsideRootError(escaping);
  const selected = window.filter((day) => {
    const facts = factsFor(input.days, day);
    return facts.exists && facts.staged;
  });
  if (selected.length === 0) {
    throw new NoStagingDirectoryError(
      `no staged directory to rebuild between ${window[0]} and ${input.today} ` +
        `(the week starts on ${input.startingDay}). Check the staging root and that the stage action ran.`,
      { today: input.today, startingDay: input.startingDay },
    );
  }
  return selected;
}
