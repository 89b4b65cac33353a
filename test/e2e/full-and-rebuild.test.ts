// The two ways a user starts a disc over. `store --full` writes only today on a new disc,
// whatever its store indicator says, so running it twice gives two identical discs (compared
// as trees: the xorriso -find listing and the sha256 of every file through fuseiso; the image
// bytes differ only by their timestamps). `rebuild` after media trouble mid-week writes every
// staged day since the starting day on a new disc.
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  digestDisc,
  discDays,
  discPaths,
  discSessions,
  discVolumeId,
  expectedDiscFiles,
} from '../support/e2e/disc-reader.js';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { expectedLabel, nightFiles } from '../support/e2e/nightly-data.js';

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({
    agents: [
      {
        id: 'burner-1',
        devices: [
          { id: 'full', mediaType: 'dvd+rw' },
          { id: 'week', mediaType: 'dvd+rw' },
        ],
      },
    ],
    policy: { startingDay: 'monday' },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('store --full twice in a row', { timeout: 180_000 }, () => {
  const TODAY = '2026-11-18';
  const YESTERDAY = '2026-11-17';
  const FULL = 'burner-1/full';

  it('gives two identical discs holding only today, the second although today is already stored', async () => {
    await stack.stage(YESTERDAY, nightFiles(YESTERDAY));
    await stack.stage(TODAY, nightFiles(TODAY));
    const image = stack.image(FULL);

    const first = await stack.cliRun(['store', '--device', FULL, '--full', '--today', TODAY]);
    expect(first.code, first.stderr).toBe(0);
    expect(stack.isStored(TODAY)).toBe(true);
    const firstCopy = join(stack.base, 'first-full.iso');
    await copyFile(image, firstCopy);

    const second = await stack.cliRun(['store', '--device', FULL, '--full', '--today', TODAY]);
    expect(second.code, second.stderr).toBe(0);

    for (const { run } of [first, second]) {
      const recorded = await stack.recordedRun(run.id);
      expect(recorded.selection).toEqual({ today: TODAY, days: [TODAY], rule: 'full', crossedMidnight: false });
      expect(recorded.blanking).toMatchObject({ newDisc: true, rule: 'rebuild' });
      expect(recorded.verify).toMatchObject({ ok: true, mismatches: [] });
    }
    for (const disc of [firstCopy, image]) {
      expect(await discSessions(disc)).toHaveLength(1);
      expect(await discVolumeId(disc)).toBe(expectedLabel(TODAY));
      expect(await discDays(disc)).toEqual([TODAY]);
    }
    expect(await discPaths(image)).toEqual(await discPaths(firstCopy));
    // The store indicator the first run left is not data: it never goes on a disc.
    expect(await discPaths(image)).not.toContain(`${TODAY.replace(/-/g, '/')}/cback.store`);
    const secondTree = await digestDisc(image);
    expect(secondTree).toEqual(await digestDisc(firstCopy));
    expect(secondTree).toEqual(await expectedDiscFiles(stack.stagingRoot('burner-1'), [TODAY]));
    // Full mode never looks at yesterday.
    expect(stack.isStored(YESTERDAY)).toBe(false);
  });
});

describe('rebuild mid-week', { timeout: 180_000 }, () => {
  const LAST_SUNDAY = '2026-11-29';
  const MONDAY = '2026-11-30';
  const TUESDAY = '2026-12-01';
  const WEDNESDAY = '2026-12-02';
  const THURSDAY = '2026-12-03';
  const WEEK = 'burner-1/week';

  it('Sunday to Wednesday as usual: Monday starts a new disc, then one session a night', async () => {
    for (const day of [LAST_SUNDAY, MONDAY, TUESDAY, WEDNESDAY]) {
      await stack.stage(day, nightFiles(day));
      const result = await stack.cliRun(['store', '--device', WEEK, '--today', day]);
      expect(result.code, result.stderr).toBe(0);
      const expected = day === MONDAY ? { newDisc: true, rule: 'startOfWeek' } : { newDisc: false, rule: 'append' };
      expect(result.run.blanking).toMatchObject(expected);
    }
    expect(await discDays(stack.image(WEEK))).toEqual([MONDAY, TUESDAY, WEDNESDAY]);
    expect(await discSessions(stack.image(WEEK))).toHaveLength(3);
  });

  it('after the disc is lost, rebuild writes Monday to Wednesday on a new disc in one session', async () => {
    // The drive ate the disc; a blank one is inserted.
    await rm(stack.image(WEEK));
    const result = await stack.cliRun(['rebuild', '--device', WEEK, '--today', WEDNESDAY]);
    expect(result.code, result.stderr).toBe(0);

    const recorded = await stack.recordedRun(result.run.id);
    expect(recorded.action).toBe('rebuild');
    expect(recorded.selection).toMatchObject({ days: [MONDAY, TUESDAY, WEDNESDAY], rule: 'rebuild' });
    expect(recorded.blanking).toMatchObject({ newDisc: true, rule: 'rebuild' });
    expect(recorded.write?.sessions).toBe(1);
    expect(recorded.verify).toMatchObject({ ok: true, mismatches: [] });

    const image = stack.image(WEEK);
    expect(await discSessions(image)).toHaveLength(1);
    expect(await discVolumeId(image)).toBe(expectedLabel(WEDNESDAY));
    expect(await discDays(image)).toEqual([MONDAY, TUESDAY, WEDNESDAY]);
    expect(await digestDisc(image)).toEqual(
      await expectedDiscFiles(stack.stagingRoot('burner-1'), [MONDAY, TUESDAY, WEDNESDAY]),
    );
    for (const day of [MONDAY, TUESDAY, WEDNESDAY]) expect(stack.isStored(day)).toBe(true);
  });

  it('Thursday appends to the rebuilt disc as if nothing had happened', async () => {
    await stack.stage(THURSDAY, nightFiles(THURSDAY));
    const result = await stack.cliRun(['store', '--device', WEEK, '--today', THURSDAY]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.run.blanking).toMatchObject({ newDisc: false, rule: 'append' });

    const image = stack.image(WEEK);
    expect(await discSessions(image)).toHaveLength(2);
    expect(await discDays(image)).toEqual([MONDAY, TUESDAY, WEDNESDAY, THURSDAY]);
    expect(await digestDisc(image)).toEqual(
      await expectedDiscFiles(stack.stagingRoot('burner-1'), [MONDAY, TUESDAY, WEDNESDAY, THURSDAY]),
    );
  });
});
