import { describe, expect, it } from 'vitest';
import { addDays, dayInTimeZone, dayToGraftPoint, graftPointToDay, isDayStamp, weekdayOf } from './day.js';

describe('staging days', () => {
  it('accepts real calendar dates only', () => {
    expect(isDayStamp('2024-02-29')).toBe(true);
    expect(isDayStamp('2025-02-29')).toBe(false);
    expect(isDayStamp('2025-04-31')).toBe(false);
    expect(isDayStamp('2025-13-01')).toBe(false);
    expect(isDayStamp('2025-1-01')).toBe(false);
    expect(isDayStamp('../../etc')).toBe(false);
    expect(isDayStamp('2025-01-01T00:00')).toBe(false);
    expect(isDayStamp(20250101)).toBe(false);
  });

  it('agrees with Date on every day of century and leap years, and at the ends of the range', () => {
    const byDate = (year: number, month: number, day: number) => {
      const date = new Date(Date.UTC(year, month - 1, day));
      date.setUTCFullYear(year);
      return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    let checked = 0;
    for (const year of [1, 4, 100, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 31; day++) {
          const stamp = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          expect(isDayStamp(stamp), stamp).toBe(byDate(year, month, day));
          checked += 1;
        }
      }
    }
    expect(checked).toBe(12 * 12 * 31);
    expect(isDayStamp('0000-01-01')).toBe(false);
    expect(isDayStamp('2024-02-00')).toBe(false);
    expect(isDayStamp('2024-00-10')).toBe(false);
    expect(isDayStamp('1900-02-29')).toBe(false);
    expect(isDayStamp('2000-02-29')).toBe(true);
  });

  it('walks across month, year and leap-day boundaries', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
  });

  it('names weekdays the reference way', () => {
    expect(weekdayOf('2005-02-10')).toBe('thursday');
    expect(weekdayOf('2026-11-23')).toBe('monday');
    expect(weekdayOf('2026-11-29')).toBe('sunday');
  });

  it('maps days to graft points and back', () => {
    expect(dayToGraftPoint('2005-02-10')).toBe('2005/02/10');
    expect(graftPointToDay('2005/02/10')).toBe('2005-02-10');
    expect(graftPointToDay('2005/02/30')).toBeNull();
    expect(() => dayToGraftPoint('2005-02-30')).toThrow(/real calendar date/);
  });

  it('decides today in the configured time zone', () => {
    const instant = new Date('2026-11-25T23:30:00Z');
    expect(dayInTimeZone(instant, 'UTC')).toBe('2026-11-25');
    expect(dayInTimeZone(instant, 'Europe/Paris')).toBe('2026-11-26');
    expect(dayInTimeZone(instant, 'America/New_York')).toBe('2026-11-25');
  });

  it('refuses an unknown time zone with advice', () => {
    expect(() => dayInTimeZone(new Date(), 'Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringMatching(/IANA name/) }),
    );
  });
});
