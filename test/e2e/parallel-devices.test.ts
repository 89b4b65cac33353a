// Two burner hosts with two drives each behind one controller. Runs go in parallel across
// devices and one at a time per device: eight stores are queued with `--no-wait` (two per
// device); every write is held at its start by the test-only xorriso until all four devices are
// writing at once, which proves the overlap without timing anything; then the start and finish
// times the runs and their events record show each device's second run began only after its
// first had finished.
import type { Run } from '@cedar-store/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBurnerWrapper, type BurnerWrapper } from '../support/e2e/burner-wrapper.js';
import { digestDisc, discDays, discSessions, expectedDiscFiles } from '../support/e2e/disc-reader.js';
import { startE2eStack, type E2eStack } from '../support/e2e/e2e-stack.js';
import { nightFiles } from '../support/e2e/nightly-data.js';

const AGENTS = ['burner-1', 'burner-2'];
const DRIVES = ['dvd0', 'dvd1'];
const DEVICES = AGENTS.flatMap((agent) => DRIVES.map((drive) => `${agent}/${drive}`));
/** Each drive's two nights; the two drives of a host share its staging area, so their days differ. */
const NIGHTS: Record<string, [string, string]> = {
  dvd0: ['2026-12-01', '2026-12-04'],
  dvd1: ['2026-12-08', '2026-12-11'],
};

let wrapper: BurnerWrapper;
let stack: E2eStack;

beforeAll(async () => {
  wrapper = await createBurnerWrapper();
  stack = await startE2eStack({
    agents: AGENTS.map((id) => ({ id, devices: DRIVES.map((drive) => ({ id: drive, mediaType: 'dvd+rw' })) })),
    agentPathPrefix: [wrapper.dir],
  });
}, 180_000);

afterAll(async () => {
  await wrapper?.releaseWrites();
  await stack?.stop();
  await wrapper?.remove();
});

const nightsOf = (device: string): [string, string] => NIGHTS[device.split('/')[1]!]!;
const agentOf = (device: string): string => device.split('/')[0]!;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('two agents, two devices each, one controller', { timeout: 240_000 }, () => {
  const queued = new Map<string, [Run, Run]>();

  it('queues two stores per device with --no-wait, and all four devices write at the same time', async () => {
    for (const device of DEVICES) {
      for (const day of nightsOf(device)) await stack.stage(day, nightFiles(`${device} ${day}`), {}, agentOf(device));
    }
    await wrapper.holdWrites();
    for (const device of DEVICES) {
      const runs: Run[] = [];
      for (const day of nightsOf(device)) {
        const result = await stack.cliRun(['store', '--device', device, '--today', day, '--no-wait']);
        expect(result.code, result.stderr).toBe(0);
        expect(result.run).toMatchObject({ action: 'store', device, options: { today: day } });
        runs.push(result.run);
      }
      queued.set(device, runs as [Run, Run]);
    }

    // One write per device is waiting at the burner at once: four in parallel.
    await until('four writes are held', async () => (await wrapper.heldWrites()) === 4);
    const listing = await stack.cli(['runs', '--json']);
    const runs = (JSON.parse(listing.stdout) as { runs: Run[] }).runs;
    const statusOf = (id: string) => runs.find((run) => run.id === id)?.status;
    for (const [first, second] of queued.values()) {
      expect(statusOf(first.id)).toBe('running');
      expect(statusOf(second.id)).toBe('queued');
    }
    await wrapper.releaseWrites();
  });

  it('every run succeeds, and each device ran its second store only after its first had finished', async () => {
    // `cedar-store runs ID --follow` waits like the action commands, and exits 0 only on success.
    const follows = await Promise.all(
      [...queued.values()].flat().map((run) => stack.cli(['runs', run.id, '--follow', '--quiet'])),
    );
    for (const follow of follows) expect(follow.code, follow.stderr).toBe(0);
    const finished = new Map<string, Run[]>();
    for (const [device, runs] of queued) {
      finished.set(device, await Promise.all(runs.map((run) => stack.recordedRun(run.id))));
    }

    for (const [device, [first, second]] of finished) {
      expect(first!.status).toBe('succeeded');
      expect(second!.status).toBe('succeeded');
      expect(Date.parse(second!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(first!.finishedAt!));
      // The events say the same: the second run's first step came after the first run's end.
      const firstEnd = (await stack.events(first!.id)).find((event) => event.type === 'finished')!;
      const secondStart = (await stack.events(second!.id)).find((event) => event.type === 'step')!;
      expect(Date.parse(secondStart.at), device).toBeGreaterThanOrEqual(Date.parse(firstEnd.at));
    }

    // Across devices the first runs overlapped: each started before any of them finished.
    const firsts = [...finished.values()].map(([first]) => first!);
    const lastStart = Math.max(...firsts.map((run) => Date.parse(run.startedAt!)));
    const firstFinish = Math.min(...firsts.map((run) => Date.parse(run.finishedAt!)));
    expect(lastStart).toBeLessThan(firstFinish);
  });

  it('each disc holds its own two nights in two sessions, identical to its host staging', async () => {
    for (const device of DEVICES) {
      const image = stack.image(device);
      expect(await discSessions(image)).toHaveLength(2);
      expect(await discDays(image)).toEqual(nightsOf(device));
      expect(await digestDisc(image)).toEqual(
        await expectedDiscFiles(stack.stagingRoot(agentOf(device)), nightsOf(device)),
      );
      for (const day of nightsOf(device)) expect(stack.isStored(day, agentOf(device))).toBe(true);
    }
  });
});
