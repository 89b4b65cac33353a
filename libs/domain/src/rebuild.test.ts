import { describe, expect, it } from 'vitest';
import { isStartOfWeek, rebuildWindow, selectRebuildDays } from './rebuild.js';
import type { StagingDayFacts } from './staging.js';

const staged = (day: string, stored = true): StagingDayFacts => ({ day, exists: true, staged: true, stored });

describe('rebuild window and start of week', () => {
  // 2026-11-23 is a Monday.
  it('is one day when today is the starting day', () => {
    expect(rebuildWindow('2026-11-23', 'monday')).toEqual(['2026-11-23']);
    expect(isStartOfWeek('2026-11-23', 'monday')).toBe(true);
    expect(isStartOfWeek('2026-11-24', 'monday')).toBe(false);
  });

  it('walks back to the starting day, inclusive', () => {
    expect(rebuildWindow('2026-11-26', 'monday')).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
  });

  it('wraps around the week when the starting day is later in the week than today', () => {
    // Thursday with a Friday start: the week began last Friday, seven days.
    expect(rebuildWindow('2026-11-26', 'friday')).toHaveLength(7);
    expect(rebuildWindow('2026-11-26', 'friday')[0]).toBe('2026-11-20');
    // Monday with a Friday start: Friday, Saturday, Sunday, Monday.
    expect(rebuildWindow('2026-11-23', 'friday')).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23']);
  });

  it('selects staged days in the window whatever their store indicators, sorted', () => {
    const days = [
      staged('2026-11-26', false),
      staged('2026-11-24'),
      { day: '2026-11-25', exists: true, staged: false, stored: false },
      staged('2026-11-22'),
      staged('2026-11-23'),
    ];
    expect(selectRebuildDays({ today: '2026-11-26', startingDay: 'monday', days })).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-26',
    ]);
  });

  it('rebuilds only today when today is the starting day', () => {
    const days = [staged('2026-11-22'), staged('2026-11-23')];
    expect(selectRebuildDays({ today: '2026-11-23', startingDay: 'monday', days })).toEqual(['2026-11-23']);
  });

  it('fails with NO_STAGING_DIRECTORY when the window holds nothing staged', () => {
    expect(() =>
      selectRebuildDays({ today: '2026-11-23', startingDay: 'monday', days: [staged('2026-11-22')] }),
    ).toThrow(expect.objectContaining({ code: 'NO_STAGING_DIRECTORY' }));
  });

  it('refuses an unknown starting day', () => {
    expect(() => isStartOfWeek('2026-11-23', 'funday' as never)).toThrow(/starting day must be one of/);
  });
});
