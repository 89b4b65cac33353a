import { dayInTimeZone, type DayStamp } from '@cedar-store/domain';
import type { Clock } from '@cedar-store/ports';

/** The host's clock; "today" is the calendar date in the configured zone (host local time when none). */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }

  today(timeZone?: string): DayStamp {
    return dayInTimeZone(new Date(), timeZone);
  }
}
