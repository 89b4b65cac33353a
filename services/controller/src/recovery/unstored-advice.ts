/**
 * What to tell a user when a run ends with days still unstored. The midnight rule only ever
 * tries today, yesterday and tomorrow, with today first: tomorrow night's store writes
 * tomorrow's day, not a day that failed tonight. So "the next store retries it" would be a
 * promise the tool does not keep; the advice names the runs that do pick the day up.
 */
import type { DayStamp } from '@cedar-store/domain';
import type { RunAction } from '@cedar-store/ports';

export function unstoredAdvice(action: RunAction, days: readonly DayStamp[]): string {
  const clause = unstoredClause(action, days);
  return `${clause.charAt(0).toUpperCase()}${clause.slice(1)}`;
}

/** The same advice as a clause, to follow a semicolon. */
export function unstoredClause(action: RunAction, days: readonly DayStamp[]): string {
  const named = days.length === 0 ? 'these days' : days.join(', ');
  if (action === 'rebuild') {
    return `no store indicator was written, so ${named} still wait in staging: run cedar-store rebuild again.`;
  }
  return (
    `no store indicator was written, so ${named} still ${days.length === 1 ? 'waits' : 'wait'} in staging: ` +
    'run cedar-store store again today (a later night writes only its own day), ' +
    'or cedar-store rebuild to write the week so far on a new disc.'
  );
}
