// The plan before the night: `cedar-store store --dry-run` as a user runs it against the built
// services and a virtual DVD+RW measured with the blanking factor. It prints the days and their
// rule, the append-or-new-disc decision with the measured ratio, the estimate against the space
// and that it fits, and exits 0; the image (sha256) and the day's indicators stay as they were,
// and the history keeps the run as a dry run. A night too large for the disc exits 1 with
// MEDIA_FULL and changes nothing either. The real store that follows decides the same.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Run } from '@cedar-store/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discDays, sha256File } from '../support/e2e/disc-reader.js';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { MIB, nightFiles } from '../support/e2e/nightly-data.js';

const DEVICE = 'burner-1/dvd0';
const MONDAY = '2027-02-01';
const TUESDAY = '2027-02-02';
const WEDNESDAY = '2027-02-03';

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({
    agents: [{ id: 'burner-1', devices: [{ id: 'dvd0', mediaType: 'dvd+rw' }] }],
    // Every night measures the disc: the dry run must measure too, reading only.
    devicePolicies: { [DEVICE]: { blankBehavior: { mode: 'daily', factor: 1.3 } } },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** The day's indicator files (cback.*) with their size and modification time. */
async function indicators(day: string): Promise<string[]> {
  const dir = stack.dayDir(day);
  const names = (await readdir(dir)).filter((name) => name.startsWith('cback.')).sort();
  return Promise.all(
    names.map(async (name) => {
      const info = await stat(join(dir, name));
      return `${name} ${info.size} ${info.mtimeMs}`;
    }),
  );
}

describe('a dry run', { timeout: 180_000 }, () => {
  it('prints the plan, exits 0, and leaves the disc, the indicators and the staging day as they were', async () => {
    await stack.stage(MONDAY, nightFiles(MONDAY));
    expect((await stack.cliRun(['store', '--device', DEVICE, '--today', MONDAY])).code).toBe(0);
    const image = stack.image(DEVICE);
    const before = await sha256File(image);
    await stack.stage(TUESDAY, nightFiles(TUESDAY));
    const indicatorsBefore = await indicators(TUESDAY);
    expect(indicatorsBefore).toEqual([expect.stringMatching(/^cback\.stage /)]);

    const result = await stack.cli(['store', '--device', DEVICE, '--today', TUESDAY, '--dry-run', '--quiet']);

    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Run \S+: store on burner-1\/dvd0, succeeded \(dry run\)$/m);
    expect(out).toMatch(/Days {8}2027-02-02$/m);
    expect(out).toContain("rule today: today's staging day is staged and not yet stored");
    expect(out).toContain('append a session');
    expect(out).toMatch(/rule factor: available \/ \(1 \+ required\) = [\d.]+ > blank factor 1\.3 \(daily blank/);
    expect(out).toMatch(/Image {7}label "CEDAR BACKUP 02-FEB-2027", estimated .+, .+ available on the media$/m);
    expect(out).toMatch(/Plan {8}fits: .+ estimated, .+ available; a real store would write it$/m);
    expect(out).toContain('dry run: nothing was blanked, written or marked');

    expect(await sha256File(image)).toBe(before);
    expect(await indicators(TUESDAY)).toEqual(indicatorsBefore);
    expect(stack.isStored(TUESDAY)).toBe(false);

    // The history keeps it, as a dry run, in the list and in its record.
    const listed = await stack.cli(['runs', '--device', DEVICE, '--json']);
    const [latest] = (JSON.parse(listed.stdout) as { runs: Run[] }).runs;
    expect(latest).toMatchObject({ status: 'succeeded', options: { today: TUESDAY, dryRun: true } });
    expect(latest!.write).toBeUndefined();
    expect((await stack.cli(['runs', '--device', DEVICE])).stdout).toContain('dry run: fits');
    const steps = (await stack.events(latest!.id)).flatMap((e) => (e.type === 'step' ? [`${e.step} ${e.state}`] : []));
    expect(steps).toContain('write skipped');
    expect(steps.filter((step) => /^(write|verify|storeIndicator|catalog) (started|finished)/.test(step))).toEqual([]);

    // The real store that follows takes the decision the plan showed.
    const real = await stack.cliRun(['store', '--device', DEVICE, '--today', TUESDAY]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.run.blanking).toMatchObject({ newDisc: false, rule: 'factor' });
    expect(real.run.blanking!.ratio).toBeCloseTo(latest!.blanking!.ratio!, 3);
    expect(await discDays(image)).toEqual([MONDAY, TUESDAY]);
    expect(stack.isStored(TUESDAY)).toBe(true);
  });

  it('exits 1 with MEDIA_FULL when the night would not fit, changing nothing', async () => {
    const image = stack.image(DEVICE);
    const before = await sha256File(image);
    // 5 GiB (sparse: no disk used) against what is left on a 4.38 GiB DVD+RW.
    await stack.stage(WEDNESDAY, { ...nightFiles(WEDNESDAY), 'var/backup.tar': { size: 5 * 1024 * MIB } });
    const indicatorsBefore = await indicators(WEDNESDAY);

    const result = await stack.cliRun(['store', '--device', DEVICE, '--today', WEDNESDAY, '--dry-run']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MEDIA_FULL');
    const recorded = await stack.recordedRun(result.run.id);
    expect(recorded).toMatchObject({ status: 'failed', options: { dryRun: true }, error: { code: 'MEDIA_FULL' } });
    expect(recorded.image!.estimatedBytes).toBeGreaterThan(recorded.image!.availableBytes!);
    expect(await sha256File(image)).toBe(before);
    expect(await indicators(WEDNESDAY)).toEqual(indicatorsBefore);
    expect(stack.isStored(WEDNESDAY)).toBe(false);
    expect(await discDays(image)).toEqual([MONDAY, TUESDAY]);
  });
});
