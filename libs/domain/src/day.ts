import { InvalidRequestError } from './errors.js';

/** A staging day as the API speaks it: `YYYY-MM-DD`. On disk and on disc it is `YYYY/MM/DD`. */
export type DayStamp = string;

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export type Weekday = (typeof WEEKDAYS)[number];

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True for a well-formed `YYYY-MM-DD` that names a real calendar date (no 2025-02-30), in the
 * proleptic Gregorian calendar as `Date` counts it. Every record of a manifest page is checked
 * with it, so it counts the month's days rather than building a Date.
 */
export function isDayStamp(value: unknown): value is DayStamp {
  if (typeof value !== 'string') return false;
  const match = DAY_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

export function assertDayStamp(value: unknown, what = 'day'): asserts value is DayStamp {
  if (!isDayStamp(value)) {
    throw new InvalidRequestError(
      `${what} must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}`,
    );
  }
}

function toEpochDay(day: DayStamp): number {
  assertDayStamp(day);
  const date = new Date(0);
  date.setUTCFullYear(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
  return Math.round(date.getTime() / MS_PER_DAY);
}

function fromEpochDay(epochDay: number): DayStamp {
  const date = new Date(epochDay * MS_PER_DAY);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

export function addDays(day: DayStamp, count: number): DayStamp {
  return fromEpochDay(toEpochDay(day) + count);
}

/** Index of the weekday the reference way: Monday = 0 … Sunday = 6. */
export function weekdayIndex(day: DayStamp): number {
  // 1970-01-01 was a Thursday (index 3).
  return (((toEpochDay(day) + 3) % 7) + 7) % 7;
}

export function weekdayOf(day: DayStamp): Weekday {
  return WEEKDAYS[weekdayIndex(day)] as Weekday;
}

/** The graft point of a staging day, which is also its directory below the staging root. */
export function dayToGraftPoint(day: DayStamp): string {
  assertDayStamp(day);
  return day.replaceAll('-', '/');
}

/** `YYYY/MM/DD` back to a day; null when the path is not a real date. */
export function graftPointToDay(path: string): DayStamp | null {
  const match = /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(path);
  if (!match) return null;
  const day = `${match[1]}-${match[2]}-${match[3]}`;
  return isDayStamp(day) ? day : null;
}

/** The calendar date of an instant in an IANA time zone (host local time when omitted). */
export function dayInTimeZone(instant: Date, timeZone?: string): DayStamp {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    throw new InvalidRequestError(
      `unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as Europe/Paris, or leave it out for host local time`,
    );
  }
  const parts = format.formatToParts(instant);
  const get = (type: string): string => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}
