// A staging day that is a symlink out of the staging root, not followed by the agent: the
// selection rules pick among the other days exactly as the reference would, and stop only when
// the linked day may be the one to write (its indicators were not read).
import { describe, expect, it } from 'vitest';
import { selectRebuildDays } from './rebuild.js';
import { selectStoreDays } from './select-store-days.js';
import type { StagingDayFacts } from './staging.js';

const staged = (day: string, stored = false): StagingDayFacts => ({ day, exists: true, staged: true, stored });
const unstaged = (day: string): StagingDayFacts => ({ day, exists: true, staged: false, stored: false });
const linkedOut = (day: string, escapesTo = `/srv/elsewhere/${day}`): StagingDayFacts => ({
  day,
  exists: true,
  staged: false,
  stored: false,
  escapesTo,
});

const outsideRoot = (day: string, target: string) =>
  expect.objectContaining({
    code: 'NO_STAGING_DIRECTORY',
    message: expect.stringMatching(
      new RegExp(`${day} is a symlink to ${target}.*followDaySymlinks: true.*move the day into the staging root`),
    ),
  });

describe('store: a candidate day symlinked out of the staging root', () => {
  // Cedar Backup store.py _findCorrectDailyDir: today is tried first
  // (`if os.path.isdir(todayPath) and os.path.exists(todayStageInd) and not os.path.exists(todayStoreInd)`),
  // so a staged today is written whatever tomorrow is.
  it('does not keep today from being written when tomorrow is the linked day', () => {
    const days = [staged('2025-07-26'), linkedOut('2025-07-27')];
    expect(selectStoreDays({ today: '2025-07-26', full: false, days })).toEqual({
      days: ['2025-07-26'],
      rule: 'today',
      crossedMidnight: false,
    });
  });

  // Cedar Backup store.py: `elif os.path.isdir(yesterdayPath) and ...` comes before tomorrow.
  it('does not keep yesterday from being written when tomorrow is the linked day', () => {
    const days = [unstaged('2025-07-26'), staged('2025-07-25'), linkedOut('2025-07-27')];
    expect(selectStoreDays({ today: '2025-07-26', full: false, days })).toMatchObject({
      days: ['2025-07-25'],
      rule: 'yesterday',
    });
  });

  it('stops, naming the day and where it points, when the linked day comes first', () => {
    const days = [linkedOut('2025-07-26', '/mnt/old/26'), staged('2025-07-25')];
    expect(() => selectStoreDays({ today: '2025-07-26', full: false, days })).toThrow(
      outsideRoot('2025-07-26', '/mnt/old/26'),
    );
  });

  it('stops when the linked day is the only one left to try', () => {
    const days = [staged('2025-07-26', true), unstaged('2025-07-25'), linkedOut('2025-07-27', '/mnt/new/27')];
    expect(() => selectStoreDays({ today: '2025-07-26', full: false, days })).toThrow(
      outsideRoot('2025-07-27', '/mnt/new/27'),
    );
  });

  // Cedar Backup store.py, full: `if os.path.isdir(todayPath) and os.path.exists(todayStageInd):`
  it('stops in full mode when today is the linked day', () => {
    expect(() =>
      selectStoreDays({ today: '2025-07-26', full: true, days: [linkedOut('2025-07-26', '/mnt/x')] }),
    ).toThrow(outsideRoot('2025-07-26', '/mnt/x'));
  });

  // `os.path.isdir` is false for a link to a file: the reference skips it like a missing day.
  it('treats a link out of the root that is not a directory as missing', () => {
    const file = { ...linkedOut('2025-07-26'), exists: false };
    expect(selectStoreDays({ today: '2025-07-26', full: false, days: [file, staged('2025-07-25')] })).toMatchObject({
      days: ['2025-07-25'],
    });
  });
});

describe('rebuild: a day of the week symlinked out of the staging root', () => {
  // Cedar Backup rebuild.py _findRebuildDirs: `if os.path.isdir(stageDir) and os.path.exists(indicator):`
  // includes a linked day whenever it is staged, so the week cannot be written without it.
  it('stops, naming every linked day of the window and where each points', () => {
    const days = [staged('2025-07-21'), linkedOut('2025-07-22', '/mnt/a'), linkedOut('2025-07-23', '/mnt/b')];
    expect(() => selectRebuildDays({ today: '2025-07-23', startingDay: 'monday', days })).toThrow(
      expect.objectContaining({
        code: 'NO_STAGING_DIRECTORY',
        message: expect.stringMatching(/2025-07-22 is a symlink to \/mnt\/a; 2025-07-23 is a symlink to \/mnt\/b/),
      }),
    );
  });

  it('ignores a linked day outside the window', () => {
    const days = [linkedOut('2025-07-20'), staged('2025-07-21'), staged('2025-07-22')];
    expect(selectRebuildDays({ today: '2025-07-22', startingDay: 'monday', days })).toEqual([
      '2025-07-21',
      '2025-07-22',
    ]);
  });
});
