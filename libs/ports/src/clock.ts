import type { DayStamp } from '@cedar-store/domain';

export interface Clock {
  now(): Date;
  /** The calendar date now in an IANA time zone; host local time when omitted. */
  today(timeZone?: string): DayStamp;
}
