// Properties that must hold for every input, not only the worked examples.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  buildMediaLabel,
  calculateCapacity,
  CedarStoreError,
  MEDIA_TYPES,
  mediaDefinition,
  rebuildWindowLength,
  selectRebuildDays,
  selectStoreDays,
  WEEKDAYS,
  type StagingDayFacts,
} from './index.js';

const dayArb = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

/** Facts for the days around `today` (−8 … +2), each at random. */
const stagingArb = dayArb.chain((today) =>
  fc
    .array(fc.record({ exists: fc.boolean(), staged: fc.boolean(), stored: fc.boolean() }), {
      minLength: 11,
      maxLength: 11,
    })
    .map((flags) => ({
      today,
      days: flags.map<StagingDayFacts>((f, i) => ({
        day: addDays(today, i - 8),
        exists: f.exists,
        staged: f.exists && f.staged,
        stored: f.exists && f.stored,
      })),
    })),
);

function attempt<T>(run: () => T): T | null {
  try {
    return run();
  } catch (error) {
    expect(error).toBeInstanceOf(CedarStoreError);
    expect((error as CedarStoreError).code).toBe('NO_STAGING_DIRECTORY');
    return null;
  }
}

describe('domain properties', () => {
  it('store selection never returns a stored day unless full, and only days within a day of today', () => {
    fc.assert(
      fc.property(stagingArb, fc.boolean(), ({ today, days }, full) => {
        const result = attempt(() => selectStoreDays({ today, full, days }));
        if (!result) return;
        expect(result.days).toHaveLength(1);
        const facts = days.find((d) => d.day === result.days[0]);
        expect(facts?.exists && facts.staged).toBe(true);
        if (!full) expect(facts?.stored).toBe(false);
        else expect(result.days[0]).toBe(today);
        expect([addDays(today, -1), today, addDays(today, 1)]).toContain(result.days[0]);
        expect(result.crossedMidnight).toBe(result.days[0] !== today);
      }),
      { numRuns: 500 },
    );
  });

  it('rebuild days are inside the 1–7 day window, staged and sorted', () => {
    fc.assert(
      fc.property(stagingArb, fc.constantFrom(...WEEKDAYS), ({ today, days }, startingDay) => {
        const length = rebuildWindowLength(today, startingDay);
        expect(length).toBeGreaterThanOrEqual(1);
        expect(length).toBeLessThanOrEqual(7);
        const result = attempt(() => selectRebuildDays({ today, startingDay, days }));
        if (!result) return;
        const first = addDays(today, 1 - length);
        expect(result.length).toBeGreaterThan(0);
        expect([...result].sort()).toEqual(result);
        for (const day of result) {
          expect(day >= first && day <= today).toBe(true);
          expect(days.find((d) => d.day === day)?.staged).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('capacity is never negative and utilisation stays within 0–100', () => {
    const usageArb = fc.oneof(
      fc.record({ sectorsUsed: fc.nat({ max: 20_000_000 }) }),
      fc.record({
        boundaries: fc.option(fc.tuple(fc.nat({ max: 500_000 }), fc.nat({ max: 500_000 })), { nil: null }),
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...MEDIA_TYPES), usageArb, (type, usage) => {
        const capacity = calculateCapacity(mediaDefinition(type), usage);
        expect(capacity.bytesAvailable).toBeGreaterThanOrEqual(0);
        expect(capacity.bytesUsed).toBeGreaterThanOrEqual(0);
        expect(capacity.utilizedPercent).toBeGreaterThanOrEqual(0);
        expect(capacity.utilizedPercent).toBeLessThanOrEqual(100);
      }),
      { numRuns: 1000 },
    );
  });

  it('a label always matches CEDAR BACKUP DD-MON-YYYY', () => {
    fc.assert(
      fc.property(dayArb, (day) => {
        const label = buildMediaLabel(day);
        expect(label).toMatch(
          /^CEDAR BACKUP (0[1-9]|[12]\d|3[01])-(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)-\d{4}$/,
        );
        expect(label.slice(13, 15)).toBe(day.slice(8, 10));
        expect(label.slice(-4)).toBe(day.slice(0, 4));
      }),
      { numRuns: 1000 },
    );
  });
});
