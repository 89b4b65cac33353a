import type { Run } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { describeBlanking, describePlan, describeSelection, describeVerify, formatRunSummary } from './summary.js';

const MiB = 1024 ** 2;

const run: Run = {
  id: 'run-9',
  action: 'store',
  device: 'burner-1/dvd0',
  status: 'failed',
  requestedAt: '2025-02-05T01:30:00.000Z',
  startedAt: '2025-02-05T01:30:00.000Z',
  finishedAt: '2025-02-05T01:31:05.000Z',
  options: {},
  selection: { today: '2025-02-05', days: ['2025-02-05'], rule: 'today', crossedMidnight: false },
  blanking: { newDisc: false, rule: 'append', todayIsStart: false },
  image: { label: 'CEDAR BACKUP 03-FEB-2025', estimatedBytes: 300 * MiB, availableBytes: 200 * MiB },
  warnings: [
    { code: 'A', message: 'first' },
    { code: 'B', message: 'second' },
  ],
  error: { code: 'MEDIA_FULL', message: 'the image needs 300 MiB, 200 MiB left: run cedar-store rebuild' },
};

describe('formatRunSummary', () => {
  it('says what the run did, why, and how it ended', () => {
    expect(formatRunSummary(run, { maxMismatchesShown: 10 }).split('\n').slice(2)).toEqual([
      '  Days        2025-02-05',
      "              rule today: today's staging day is staged and not yet stored",
      '  Disc        append a session',
      "              rule append: today is not the week's starting day",
      '  Image       label "CEDAR BACKUP 03-FEB-2025", estimated 300 MiB, 200 MiB available on the media',
      '  Warnings    A: first',
      '              B: second',
      '  Error       MEDIA_FULL: the image needs 300 MiB, 200 MiB left: run cedar-store rebuild',
    ]);
    expect(formatRunSummary(run, { maxMismatchesShown: 10 })).toMatch(
      /^Run run-9: store on burner-1\/dvd0, failed\n {2}When {8}requested .*, took 1m 05s$/m,
    );
  });

  it('shows the requested days of a run that has not selected yet', () => {
    const queued: Run = {
      id: 'run-1',
      action: 'verify',
      device: 'burner-1/dvd0',
      status: 'queued',
      requestedAt: '2025-02-05T01:30:00.000Z',
      options: { days: ['2025-02-03', '2025-02-04'] },
      warnings: [],
    };
    expect(formatRunSummary(queued, { maxMismatchesShown: 10 })).toContain(
      '  Days        2025-02-03, 2025-02-04 (requested)',
    );
  });
});

describe('decisions', () => {
  it('names the midnight rule and the day it called today', () => {
    expect(
      describeSelection({ today: '2025-02-05', days: ['2025-02-06'], rule: 'tomorrow', crossedMidnight: true }),
    ).toEqual([
      '2025-02-06 (today is 2025-02-05, midnight crossed)',
      "rule tomorrow: neither today's nor yesterday's staging day was ready, tomorrow's is staged (the midnight rule)",
    ]);
  });

  it('shows the blank factor comparison both ways, with the measurements', () => {
    const measured = { rule: 'factor' as const, factor: 1.3, mode: 'weekly' as const, availableBytes: 2 * 1024 * MiB };
    expect(describeBlanking({ ...measured, newDisc: false, ratio: 1.9876, requiredBytes: 1024 * MiB })).toEqual([
      'append a session',
      'rule factor: available / (1 + required) = 1.99 > blank factor 1.3 (weekly blank behaviour)',
      'available 2.00 GiB, required 1.00 GiB',
    ]);
    expect(describeBlanking({ ...measured, newDisc: true, ratio: 1.1 })[1]).toBe(
      'rule factor: available / (1 + required) = 1.10 <= blank factor 1.3 (weekly blank behaviour)',
    );
    expect(describeBlanking({ newDisc: true, rule: 'rebuild' })).toEqual([
      'new disc',
      'rule rebuild: a rebuild or a --full store always starts a new disc',
    ]);
    expect(describeBlanking({ newDisc: true, rule: 'startOfWeek', todayIsStart: true })[1]).toBe(
      "rule startOfWeek: today is the week's starting day",
    );
  });

  it('names the action that always starts a new disc: initialize, rebuild or store --full', () => {
    const rebuild = { newDisc: true, rule: 'rebuild' as const };
    expect(describeBlanking(rebuild, { action: 'initialize', options: {} })[1]).toBe(
      'initialize: blanks the media and labels it, so always a new disc',
    );
    expect(describeBlanking(rebuild, { action: 'rebuild', options: {} })[1]).toBe(
      'rule rebuild: a rebuild always starts a new disc',
    );
    expect(describeBlanking(rebuild, { action: 'store', options: { full: true } })[1]).toBe(
      'rule rebuild: a --full store always starts a new disc',
    );
  });

  it('calls a first session on blank media a new disc, with the rule that said append', () => {
    expect(describeBlanking({ newDisc: false, rule: 'append', todayIsStart: false, mediaBlank: true })).toEqual([
      'new disc: the media was blank, so this first session starts it',
      "rule append: today is not the week's starting day (there was no disc to append to)",
    ]);
  });

  describe('a dry run', () => {
    const planned: Run = {
      ...run,
      status: 'succeeded',
      options: { dryRun: true },
      blanking: { newDisc: true, rule: 'factor', todayIsStart: true, ratio: 1.1, factor: 1.3, mode: 'weekly' },
      image: { label: 'CEDAR BACKUP 03-FEB-2025', estimatedBytes: 200 * MiB, availableBytes: 4096 * MiB },
      warnings: [],
    };
    delete planned.error;

    it('says it was one, with the decision, the estimate against the space and that it fits', () => {
      const text = formatRunSummary(planned, { maxMismatchesShown: 10 });
      expect(text).toMatch(/^Run run-9: store on burner-1\/dvd0, succeeded \(dry run\)\n/);
      expect(text.split('\n').slice(4)).toEqual([
        '  Disc        new disc',
        '              rule factor: available / (1 + required) = 1.10 <= blank factor 1.3 (weekly blank behaviour)',
        '  Image       label "CEDAR BACKUP 03-FEB-2025", estimated 200 MiB, 4.00 GiB available on the media',
        '  Plan        fits: 200 MiB estimated, 4.00 GiB available; a real store would write it',
        '              dry run: nothing was blanked, written or marked',
      ]);
    });

    it('names what a real run would fail with, and whether the image fits', () => {
      expect(describePlan(run)).toEqual([
        'does not fit: 300 MiB estimated, 200 MiB available; a real store would fail with MEDIA_FULL',
        'dry run: nothing was blanked, written or marked',
      ]);
      const nothingStaged = { code: 'NO_STAGING_DIRECTORY', message: 'nothing staged' };
      expect(describePlan({ action: 'rebuild', status: 'failed', error: nothingStaged })).toEqual([
        'a real rebuild would fail with NO_STAGING_DIRECTORY',
        'dry run: nothing was blanked, written or marked',
      ]);
      expect(formatRunSummary(run, { maxMismatchesShown: 10 })).not.toContain('Plan');
    });
  });

  it('lists verify mismatches up to the limit', () => {
    const mismatches = [
      { path: '2025/02/05/a.tar', kind: 'content' as const },
      { path: '2025/02/05/b.tar', kind: 'missing' as const },
      { path: '2025/02/05/c.tar', kind: 'extra' as const },
    ];
    expect(
      describeVerify({ ok: false, method: 'mount', filesCompared: 40, bytesCompared: 5 * MiB, mismatches }, 2),
    ).toEqual([
      'FAILED: 3 mismatches; 40 files, 5.00 MiB compared (mount)',
      'content  2025/02/05/a.tar',
      'missing  2025/02/05/b.tar',
      '… and 1 more (--json lists them all)',
    ]);
    expect(
      describeVerify({ ok: true, method: 'fuseiso', filesCompared: 1, bytesCompared: 10, mismatches: [] }, 2),
    ).toEqual(['ok: 1 files, 10 B compared (fuseiso)']);
  });
});
