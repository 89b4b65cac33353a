import { describe, expect, it } from 'vitest';
import { blankingNeedsMeasurement, decideNewDisc } from './blanking.js';

const weekly = { mode: 'weekly', factor: 1.3 } as const;
const daily = { mode: 'daily', factor: 1.3 } as const;

describe('blanking decision', () => {
  it('always starts a new disc when rebuilding, without measuring', () => {
    expect(blankingNeedsMeasurement({ rebuildMedia: true, todayIsStart: false, blankBehavior: daily })).toBe(false);
    expect(decideNewDisc({ rebuildMedia: true, todayIsStart: false, blankBehavior: daily })).toEqual({
      newDisc: true,
      rule: 'rebuild',
    });
  });

  it('without a blank behaviour starts a new disc exactly on the start of the week', () => {
    expect(decideNewDisc({ rebuildMedia: false, todayIsStart: true })).toEqual({ newDisc: true, rule: 'startOfWeek' });
    expect(decideNewDisc({ rebuildMedia: false, todayIsStart: false })).toEqual({ newDisc: false, rule: 'append' });
    expect(blankingNeedsMeasurement({ rebuildMedia: false, todayIsStart: true })).toBe(false);
  });

  it('measures only in daily mode, or in weekly mode on the start of the week', () => {
    expect(blankingNeedsMeasurement({ rebuildMedia: false, todayIsStart: false, blankBehavior: daily })).toBe(true);
    expect(blankingNeedsMeasurement({ rebuildMedia: false, todayIsStart: true, blankBehavior: weekly })).toBe(true);
    expect(blankingNeedsMeasurement({ rebuildMedia: false, todayIsStart: false, blankBehavior: weekly })).toBe(false);
  });

  it('appends in weekly mode off the start of the week, even on a full disc', () => {
    expect(
      decideNewDisc({
        rebuildMedia: false,
        todayIsStart: false,
        blankBehavior: weekly,
        availableBytes: 0,
        requiredBytes: 9e9,
      }),
    ).toEqual({ newDisc: false, rule: 'append' });
  });

  it('starts a new disc when the ratio is exactly the factor', () => {
    // 1300 / (1 + 999) = 1.3
    const decision = decideNewDisc({
      rebuildMedia: false,
      todayIsStart: true,
      blankBehavior: weekly,
      availableBytes: 1300,
      requiredBytes: 999,
    });
    expect(decision).toEqual({ newDisc: true, rule: 'factor', ratio: 1.3 });
  });

  it('appends when the ratio is above the factor', () => {
    const decision = decideNewDisc({
      rebuildMedia: false,
      todayIsStart: true,
      blankBehavior: weekly,
      availableBytes: 1301,
      requiredBytes: 999,
    });
    expect(decision.newDisc).toBe(false);
    expect(decision.rule).toBe('factor');
    expect(decision.ratio).toBeCloseTo(1.301, 12);
  });

  it('refuses to guess when the measurement is missing', () => {
    expect(() => decideNewDisc({ rebuildMedia: false, todayIsStart: true, blankBehavior: weekly })).toThrow(
      /needs the bytes available/,
    );
  });

  it('refuses a negative factor or an unknown mode', () => {
    const input = { rebuildMedia: false, todayIsStart: true, availableBytes: 1, requiredBytes: 1 };
    expect(() => decideNewDisc({ ...input, blankBehavior: { mode: 'daily', factor: -1 } })).toThrow(/factor must be/);
    expect(() => decideNewDisc({ ...input, blankBehavior: { mode: 'hourly' as never, factor: 1 } })).toThrow(/mode/);
  });
});
