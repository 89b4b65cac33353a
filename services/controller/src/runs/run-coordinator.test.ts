import {
  InMemoryDeviceDirectory,
  InMemoryMediaCatalog,
  InMemoryMediaDrive,
  InMemoryRunRepository,
  InMemoryStagingArea,
  FixedClock,
} from '@cedar-store/ports/memory';
import type { Run } from '@cedar-store/ports';
import { describe, expect, it } from 'vitest';
import { createControllerContainer } from '../container.js';
import { StaticPolicySource } from '../policy/device-policy.js';
import { RunCoordinator } from './run-coordinator.js';

const THURSDAY = '2026-11-26';

/** Moves one millisecond each time it is read, so the order of recorded instants is the order of events. */
class TickingClock extends FixedClock {
  private ticks = 0;

  constructor(private readonly start: Date) {
    super(start);
  }

  override now(): Date {
    this.ticks += 1;
    return new Date(this.start.getTime() + this.ticks);
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function setup(refs: string[] = ['burner-1/dvd0']) {
  const runs = new InMemoryRunRepository();
  const devices = refs.map((ref) => {
    const staging = new InMemoryStagingArea().addDay(THURSDAY, { 'notes.txt': 'thursday\n' });
    return {
      ref,
      staging,
      drive: new InMemoryMediaDrive(staging, { mediaType: 'dvd+rw' }),
      mediaType: 'dvd+rw' as const,
    };
  });
  const container = createControllerContainer({
    deviceDirectory: new InMemoryDeviceDirectory(devices),
    runRepository: runs,
    mediaCatalog: new InMemoryMediaCatalog(),
    clock: new TickingClock(new Date('2026-11-26T22:00:00Z')),
    policySource: new StaticPolicySource({ timeZone: 'UTC' }),
  });
  const coordinator = container.get(RunCoordinator);
  const finished = async (run: Run): Promise<Run> => {
    await coordinator.drain();
    return (await runs.get(run.id))!;
  };
  return { runs, devices, coordinator, finished };
}

describe('RunCoordinator', () => {
  it('uses the only device when none is named, and runs the request to its end', async () => {
    const { coordinator, finished, devices } = setup();
    const queued = await coordinator.submit({ action: 'store', today: THURSDAY });
    expect(queued).toMatchObject({ status: 'queued', device: 'burner-1/dvd0', options: { today: THURSDAY } });
    const run = await finished(queued);
    expect(run.status).toBe('succeeded');
    expect(devices[0]!.staging.isStored(THURSDAY)).toBe(true);
  });

  it('refuses, creating no run, a missing device among several, an unknown device, and options the action cannot use', async () => {
    const { coordinator, runs } = setup(['burner-1/dvd0', 'burner-1/cd0']);
    await expect(coordinator.submit({ action: 'store' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('burner-1/dvd0, burner-1/cd0'),
    });
    await expect(coordinator.submit({ action: 'store', device: 'burner-9/dvd0' })).rejects.toMatchObject({
      code: 'DEVICE_UNKNOWN',
    });
    await expect(coordinator.submit({ action: 'verify', device: 'burner-1/dvd0' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^days:/),
    });
    await expect(
      coordinator.submit({ action: 'initialize', device: 'burner-1/dvd0', full: true }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/^full:/) });
    await expect(
      coordinator.submit({ action: 'store', device: 'burner-1/dvd0', days: [THURSDAY] }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/^days:/) });
    for (const action of ['verify', 'initialize'] as const) {
      await expect(
        coordinator.submit({ action, device: 'burner-1/dvd0', dryRun: true, days: [THURSDAY] }),
      ).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
        message: expect.stringMatching(/^dryRun: only store and rebuild/),
      });
    }
    expect(await runs.list()).toEqual([]);
  });

  it("queues a dry run behind its device's running store, and keeps it in history as a dry run", async () => {
    const { coordinator, devices, finished } = setup();
    const held = gate();
    devices[0]!.drive.holdNext('write', held.promise);
    const store = await coordinator.submit({ action: 'store', today: THURSDAY, full: true });
    const plan = await coordinator.submit({ action: 'rebuild', today: THURSDAY, dryRun: true });
    expect(plan.options).toEqual({ today: THURSDAY, dryRun: true });
    await expect.poll(() => devices[0]!.drive.operations.includes('write')).toBe(true);
    expect(coordinator.activity('burner-1/dvd0')).toEqual({ activeRun: store.id, queuedRuns: [plan.id] });
    held.open();
    expect((await finished(store)).status).toBe('succeeded');
    const planned = await finished(plan);
    expect(planned).toMatchObject({ status: 'succeeded', options: { dryRun: true }, blanking: { newDisc: true } });
    expect(planned.write).toBeUndefined();
    expect(devices[0]!.drive.operations.filter((op) => op === 'write')).toHaveLength(1);
  });

  it('runs one device one run at a time in order, and other devices alongside', async () => {
    const { coordinator, devices, runs, finished } = setup(['burner-1/dvd0', 'burner-2/dvd0']);
    const held = gate();
    devices[0]!.drive.holdNext('write', held.promise);
    const first = await coordinator.submit({ action: 'store', device: 'burner-1/dvd0', today: THURSDAY });
    const second = await coordinator.submit({ action: 'verify', device: 'burner-1/dvd0', days: [THURSDAY] });
    const third = await coordinator.submit({ action: 'initialize', device: 'burner-1/dvd0' });
    const other = await coordinator.submit({ action: 'store', device: 'burner-2/dvd0', today: THURSDAY });

    // The other device finishes while the first device is still held in its write.
    await expect.poll(async () => (await runs.get(other.id))?.status).toBe('succeeded');
    expect(coordinator.activity('burner-1/dvd0')).toEqual({ activeRun: first.id, queuedRuns: [second.id, third.id] });
    held.open();
    const done = [await finished(first), await finished(second), await finished(third)];
    expect(done.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // Each started only after the one before it on the device had finished, in the order asked.
    for (let i = 1; i < done.length; i += 1) {
      expect(Date.parse(done[i]!.startedAt!)).toBeGreaterThan(Date.parse(done[i - 1]!.finishedAt!));
    }
    expect(Date.parse((await runs.get(other.id))!.finishedAt!)).toBeLessThan(Date.parse(done[0]!.finishedAt!));
    expect(coordinator.activity('burner-1/dvd0')).toEqual({ queuedRuns: [] });
  });

  it('cancels a queued run outright: it never runs and its events end with cancelled', async () => {
    const { coordinator, devices, runs, finished } = setup();
    const held = gate();
    devices[0]!.drive.holdNext('write', held.promise);
    const first = await coordinator.submit({ action: 'store', today: THURSDAY });
    const second = await coordinator.submit({ action: 'verify', days: [THURSDAY] });
    const outcome = await coordinator.cancel(second.id);
    expect(outcome).toMatchObject({ outcome: 'cancelled', run: { status: 'cancelled' } });
    held.open();
    expect((await finished(first)).status).toBe('succeeded');
    const cancelled = (await runs.get(second.id))!;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.startedAt).toBeUndefined();
    expect(await runs.events(second.id)).toEqual([expect.objectContaining({ type: 'finished', status: 'cancelled' })]);
    expect(await coordinator.cancel(second.id)).toMatchObject({ outcome: 'finished' });
    expect(await coordinator.cancel('no-such-run')).toEqual({ outcome: 'unknown' });
  });

  it('never stops a write that began: a cancel during it is recorded and the run finishes', async () => {
    const { coordinator, devices, finished } = setup();
    const held = gate();
    devices[0]!.drive.holdNext('write', held.promise);
    const run = await coordinator.submit({ action: 'store', today: THURSDAY });
    // Cancel once the write has begun: from then on the run must finish.
    await expect.poll(() => devices[0]!.drive.operations.includes('write')).toBe(true);
    expect(await coordinator.cancel(run.id)).toMatchObject({ outcome: 'requested' });
    held.open();
    const done = await finished(run);
    expect(done.status).toBe('succeeded');
    expect(done.warnings.map((warning) => warning.code)).toContain('CANCEL_IGNORED');
    expect(devices[0]!.staging.isStored(THURSDAY)).toBe(true);
  });

  it('on shutdown cancels what waits, lets the running run finish, and takes no new runs', async () => {
    const { coordinator, devices, runs } = setup();
    const held = gate();
    devices[0]!.drive.holdNext('write', held.promise);
    const first = await coordinator.submit({ action: 'store', today: THURSDAY });
    const second = await coordinator.submit({ action: 'verify', days: [THURSDAY] });
    await expect.poll(() => coordinator.activity('burner-1/dvd0').activeRun).toBe(first.id);
    const stopping = coordinator.shutdown();
    await expect(coordinator.submit({ action: 'verify', days: [THURSDAY] })).rejects.toMatchObject({
      message: expect.stringContaining('stopping'),
    });
    held.open();
    await stopping;
    expect((await runs.get(first.id))!.status).toBe('succeeded');
    expect((await runs.get(second.id))!.status).toBe('cancelled');
  });
});
