import { dayInTimeZone, type DayStamp } from '@cedar-store/domain';
import type { Clock } from '../clock.js';

/** A clock that stands still until told to move. For unit tests only. */
export class FixedClock implements Clock {
  constructor(private instant: Date) {}

  set(instant: Date): void {
    this.instant = instant;
  }

  now(): Date {
    return new Date(this.instant);
  }

  today(timeZone?: string): DayStamp {
    return dayInTimeZone(this.instant, timeZone);
  }
}
