// A week in the life of a backup host: one `cedar-store store --today D --json` per night, as
// cron runs it, against a virtual 650 MB CD-RW, with `blankBehavior: { mode: weekly, factor:
// 200 }`. On the starting day (Monday) the controller measures the ratio of what is left on the
// disc to what the night needs; the same configuration blanks the disc when Monday's night is
// big and appends when it is small, so both branches are decided by real numbers. Every disc
// is read back by xorriso and a fuseiso mount, never by cedar-store's own code.
import type { Run } from '@cedar-store/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  digestDisc,
  discDays,
  discNextWritableAddress,
  discSessions,
  discVolumeId,
  expectedDiscFiles,
} from '../support/e2e/disc-reader.js';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { expectedLabel, KIB, MIB, nightFiles } from '../support/e2e/nightly-data.js';

const FACTOR = 200;
const LAST_SUNDAY = '2026-11-22';
const MONDAY = '2026-11-23';
const REST_OF_WEEK = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'];

// cdrw-74 as Cedar Backup defines it (docs/configuration.md#media-types): the figures the ratio must be computed from.
const CD_SECTORS = 332800;
const CD_FIRST_LEAD_IN = 11400;
const CD_SESSION_LEAD_IN = 6900;
const SECTOR = 2048;

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({
    agents: [
      { id: 'big-monday', devices: [{ id: 'cd0', mediaType: 'cdrw-74' }] },
      { id: 'small-monday', devices: [{ id: 'cd0', mediaType: 'cdrw-74' }] },
    ],
    policy: { startingDay: 'monday', blankBehavior: { mode: 'weekly', factor: FACTOR } },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/**
 * What the CD has left for one more session, worked out from `xorriso -toc` alone: a real CD
 * holding this image would report its next writable address plus the lead-ins of its sessions.
 */
async function availableOnCd(image: string): Promise<number> {
  const sessions = (await discSessions(image)).length;
  const upper = (await discNextWritableAddress(image)) + CD_FIRST_LEAD_IN + CD_SESSION_LEAD_IN * (sessions - 1);
  return (CD_SECTORS - upper - CD_SESSION_LEAD_IN) * SECTOR;
}

function nightlyWeek(agent: string, mondayBulk: number, mondayBlanks: boolean) {
  const device = `${agent}/cd0`;
  const image = () => stack.image(device);

  async function storeNight(day: string) {
    const result = await stack.cliRun(['store', '--device', device, '--today', day]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.run.status).toBe('succeeded');
    expect(result.run.selection).toMatchObject({ days: [day], rule: 'today', crossedMidnight: false });
    expect(result.run.verify).toMatchObject({ ok: true, mismatches: [] });
    expect(stack.isStored(day, agent)).toBe(true);
    // The disc's newest session carries the night's label, whatever cedar-store reported.
    expect(await discVolumeId(image())).toBe(expectedLabel(day));
    return result.run;
  }

  /** What cron printed is what the controller keeps (`cedar-store runs ID --json`). */
  async function expectRecorded(run: Run): Promise<void> {
    expect(await stack.recordedRun(run.id)).toEqual(run);
  }

  it('last Sunday: the first night on an empty disc writes one session, without measuring', async () => {
    await stack.stage(LAST_SUNDAY, nightFiles(LAST_SUNDAY), {}, agent);
    const run = await storeNight(LAST_SUNDAY);
    await expectRecorded(run);

    // Away from the starting day, weekly mode neither measures nor blanks; the empty disc gets its first session.
    expect(run.blanking).toEqual({ newDisc: false, rule: 'append', todayIsStart: false, mediaBlank: true });
    expect(await discSessions(image())).toHaveLength(1);
    expect(await discDays(image())).toEqual([LAST_SUNDAY]);
  });

  it(
    mondayBlanks
      ? 'Monday, the starting day, with a big night: the ratio is at or below the factor, so the disc is blanked'
      : 'Monday, the starting day, with a small night: the ratio is above the factor, so a session is appended',
    async () => {
      await stack.stage(MONDAY, nightFiles(MONDAY, mondayBulk), {}, agent);
      const available = await availableOnCd(image());
      const run = await storeNight(MONDAY);
      await expectRecorded(run);

      expect(run.blanking).toMatchObject({
        newDisc: mondayBlanks,
        rule: 'factor',
        mode: 'weekly',
        factor: FACTOR,
        todayIsStart: true,
        availableBytes: available,
      });
      const { ratio, requiredBytes } = run.blanking as { ratio: number; requiredBytes: number };
      // The image holds at least the night's data; the ratio is the reference's formula.
      expect(requiredBytes).toBeGreaterThan(mondayBulk);
      expect(ratio).toBeCloseTo(available / (1 + requiredBytes), 9);
      if (mondayBlanks) expect(ratio).toBeLessThanOrEqual(FACTOR);
      else expect(ratio).toBeGreaterThan(FACTOR);

      expect(await discSessions(image())).toHaveLength(mondayBlanks ? 1 : 2);
      expect(await discDays(image())).toEqual(mondayBlanks ? [MONDAY] : [LAST_SUNDAY, MONDAY]);
    },
  );

  it('Tuesday to Sunday: one session appended per night, no measuring, no blanking', async () => {
    for (const [index, day] of REST_OF_WEEK.entries()) {
      await stack.stage(day, nightFiles(day), {}, agent);
      const run = await storeNight(day);
      expect(run.blanking).toEqual({ newDisc: false, rule: 'append', todayIsStart: false });
      expect(run.write?.sessions).toBe((mondayBlanks ? 2 : 3) + index);
    }
    const sessions = await discSessions(image());
    expect(sessions.map((session) => session.volumeId)).toEqual(
      [...(mondayBlanks ? [] : [LAST_SUNDAY]), MONDAY, ...REST_OF_WEEK].map(expectedLabel),
    );
  });

  it('on Sunday night the disc reads back through fuseiso identical to the staged week', async () => {
    const week = [...(mondayBlanks ? [] : [LAST_SUNDAY]), MONDAY, ...REST_OF_WEEK];
    expect(await discDays(image())).toEqual(week);
    expect(await digestDisc(image())).toEqual(await expectedDiscFiles(stack.stagingRoot(agent), week));
    // Every night of the week carries its store indicator, last Sunday's too.
    for (const day of [LAST_SUNDAY, MONDAY, ...REST_OF_WEEK]) expect(stack.isStored(day, agent)).toBe(true);

    // `cedar-store media` files the sessions under the disc they are really on.
    const media = await stack.cli(['media', '--json']);
    expect(media.code, media.stderr).toBe(0);
    const discs = (
      JSON.parse(media.stdout) as { discs: Array<{ device: string; sessions: Array<{ days: string[] }> }> }
    ).discs;
    const current = discs.find((disc) => disc.device === device)!;
    expect(current.sessions.map((session) => session.days)).toEqual(week.map((day) => [day]));
  });
}

describe('a week of nightly stores, weekly blanking with factor 200', { timeout: 240_000 }, () => {
  describe('Monday stages 4 MiB: the disc is blanked on the starting day', () => {
    nightlyWeek('big-monday', 4 * MIB, true);
  });

  describe('Monday stages 256 KiB: sessions keep accumulating across the starting day', () => {
    nightlyWeek('small-monday', 256 * KIB, false);
  });
});
