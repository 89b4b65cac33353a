// The midnight rule as cron meets it: collect and stage run on the host before the store, and
// may finish after midnight (only yesterday is staged when the store starts) or early (only
// tomorrow is). The store must write the one staged day, mark only that day, and — with
// `warnMidnite` on — say so in the run and in cron's output. Two virtual DVD+RWs on one agent:
// `dvd0` keeps the default (warnMidnite on), `dvd1` turns it off in controller.yaml.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDisc, discDays, discSessions, expectedDiscFiles } from '../support/e2e/disc-reader.js';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { expectedLabel, nightFiles } from '../support/e2e/nightly-data.js';

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({
    agents: [
      {
        id: 'burner-1',
        devices: [
          { id: 'dvd0', mediaType: 'dvd+rw' },
          { id: 'dvd1', mediaType: 'dvd+rw' },
        ],
      },
    ],
    devicePolicies: { 'burner-1/dvd1': { warnMidnite: false } },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

type Case = { device: string; today: string; staged: string; rule: 'yesterday' | 'tomorrow'; warns: boolean };

async function storeAcrossMidnight({ device, today, staged, rule, warns }: Case) {
  await stack.stage(staged, nightFiles(staged));
  // Tonight's collect is still running: its directory exists, without cback.stage.
  await stack.stage(today, { 'etc/hostname': 'half collected\n' }, { staged: false });

  const result = await stack.cliRun(['store', '--device', device, '--today', today]);
  expect(result.code, result.stderr).toBe(0);
  const recorded = await stack.recordedRun(result.run.id);
  expect(recorded.status).toBe('succeeded');
  expect(recorded.selection).toEqual({ today, days: [staged], rule, crossedMidnight: true });

  const codes = recorded.warnings.map((warning) => warning.code);
  if (warns) {
    expect(codes).toEqual(['MIDNIGHT_CROSSED']);
    expect(recorded.warnings[0]!.message).toContain(staged);
    expect(result.stderr).toContain('MIDNIGHT_CROSSED');
  } else {
    expect(codes).toEqual([]);
    expect(result.stderr).not.toContain('MIDNIGHT_CROSSED');
  }

  // Only the staged day carries its store indicator; tonight's unfinished day is left alone.
  expect(stack.isStored(staged)).toBe(true);
  expect(stack.isStored(today)).toBe(false);
  // The new session carries the label of the night it was written (today), as every label does.
  const image = stack.image(device);
  expect((await discSessions(image)).at(-1)?.volumeId).toBe(expectedLabel(today));
  return image;
}

describe('the midnight rule, driven by cron', { timeout: 180_000 }, () => {
  it('stage finished after midnight: yesterday is written and cron is warned (warnMidnite on)', async () => {
    const image = await storeAcrossMidnight({
      device: 'burner-1/dvd0',
      today: '2026-12-02',
      staged: '2026-12-01',
      rule: 'yesterday',
      warns: true,
    });
    expect(await discDays(image)).toEqual(['2026-12-01']);
  });

  it('stage finished early: tomorrow is written and cron is warned (warnMidnite on)', async () => {
    const image = await storeAcrossMidnight({
      device: 'burner-1/dvd0',
      today: '2026-12-09',
      staged: '2026-12-10',
      rule: 'tomorrow',
      warns: true,
    });
    expect(await discDays(image)).toEqual(['2026-12-01', '2026-12-10']);
    expect(await digestDisc(image)).toEqual(
      await expectedDiscFiles(stack.stagingRoot('burner-1'), ['2026-12-01', '2026-12-10']),
    );
  });

  it('stage finished after midnight with warnMidnite off: yesterday is written silently', async () => {
    const image = await storeAcrossMidnight({
      device: 'burner-1/dvd1',
      today: '2026-12-16',
      staged: '2026-12-15',
      rule: 'yesterday',
      warns: false,
    });
    expect(await discDays(image)).toEqual(['2026-12-15']);
  });

  it('stage finished early with warnMidnite off: tomorrow is written silently', async () => {
    const image = await storeAcrossMidnight({
      device: 'burner-1/dvd1',
      today: '2026-12-23',
      staged: '2026-12-24',
      rule: 'tomorrow',
      warns: false,
    });
    expect(await discDays(image)).toEqual(['2026-12-15', '2026-12-24']);
    expect(await digestDisc(image)).toEqual(
      await expectedDiscFiles(stack.stagingRoot('burner-1'), ['2026-12-15', '2026-12-24']),
    );
  });

  it('a cron line that leaves out --device on a host with two drives exits 2, naming the devices', async () => {
    const result = await stack.cli(['store', '--today', '2026-12-24', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('INVALID_REQUEST');
    expect(result.stderr).toContain('burner-1/dvd0');
    expect(result.stderr).toContain('burner-1/dvd1');
  });

  it('the next night, with nothing new staged, fails with NO_STAGING_DIRECTORY and exit 1, writing nothing', async () => {
    const image = stack.image('burner-1/dvd1');
    const before = await discSessions(image);
    const result = await stack.cliRun(['store', '--device', 'burner-1/dvd1', '--today', '2026-12-24']);

    expect(result.code).toBe(1);
    expect(result.run.error?.code).toBe('NO_STAGING_DIRECTORY');
    expect(result.stderr).toContain('NO_STAGING_DIRECTORY');
    expect(await discSessions(image)).toEqual(before);
  });
});
