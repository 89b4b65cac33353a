import { describe, expect, it } from 'vitest';
import { selectStoreDays } from './select-store-days.js';
import type { StagingDayFacts } from './staging.js';

const staged = (day: string, stored = false): StagingDayFacts => ({ day, exists: true, staged: true, stored });
const unstaged = (day: string): StagingDayFacts => ({ day, exists: true, staged: false, stored: false });

describe('selectStoreDays (the midnight rule)', () => {
  const today = '2026-11-26';

  it('takes today when it is staged and not stored', () => {
    expect(selectStoreDays({ today, full: false, days: [staged('2026-11-25'), staged(today)] })).toEqual({
      days: [today],
      rule: 'today',
      crossedMidnight: false,
    });
  });

  it('falls back to yesterday when stage finished after midnight', () => {
    const result = selectStoreDays({ today, full: false, days: [staged('2026-11-25'), unstaged(today)] });
    expect(result).toEqual({ days: ['2026-11-25'], rule: 'yesterday', crossedMidnight: true });
  });

  it('falls back to tomorrow when stage ran early, after yesterday', () => {
    const result = selectStoreDays({ today, full: false, days: [staged('2026-11-25', true), staged('2026-11-27')] });
    expect(result).toEqual({ days: ['2026-11-27'], rule: 'tomorrow', crossedMidnight: true });
  });

  it('prefers yesterday over tomorrow when both qualify', () => {
    const result = selectStoreDays({ today, full: false, days: [staged('2026-11-25'), staged('2026-11-27')] });
    expect(result.rule).toBe('yesterday');
  });

  it('never picks a day two days away', () => {
    expect(() => selectStoreDays({ today, full: false, days: [staged('2026-11-24'), staged('2026-11-28')] })).toThrow(
      expect.objectContaining({ code: 'NO_STAGING_DIRECTORY' }),
    );
  });

  it('explains what it tried when nothing qualifies', () => {
    expect(() => selectStoreDays({ today, full: false, days: [staged(today, true)] })).toThrow(
      /no unstored staging directory \(tried today, yesterday, tomorrow\).*2026-11-26 already stored.*2026-11-25 missing/,
    );
  });

  it('in full mode takes today even when already stored', () => {
    expect(selectStoreDays({ today, full: true, days: [staged(today, true)] })).toEqual({
      days: [today],
      rule: 'full',
      crossedMidnight: false,
    });
  });

  it('in full mode ignores yesterday and tomorrow', () => {
    expect(() => selectStoreDays({ today, full: true, days: [staged('2026-11-25'), staged('2026-11-27')] })).toThrow(
      /full mode only tries today/,
    );
  });

  it('in full mode refuses a day that exists but is not staged', () => {
    expect(() => selectStoreDays({ today, full: true, days: [unstaged(today)] })).toThrow(/not staged yet/);
  });

  it('refuses an impossible date for today', () => {
    expect(() => selectStoreDays({ today: '2026-02-30', full: false, days: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });
});
