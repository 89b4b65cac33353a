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
