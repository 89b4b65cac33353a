import { describe, expect, it } from 'vitest';
import { createHarness } from '../testing/harness.js';

const TODAY = '2026-11-26';

function deferred(): { promise: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

describe('running a run', () => {
  it('records times and streams steps, progress and the end as events, in order', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'x' });
    const run = await h.run('store');

    expect(run.startedAt).toBeDefined();
    expect(run.finishedAt).toBeDefined();
    const events = await h.runs.events(run.id);
    const steps = events
      .filter((e) => e.type === 'step' && e.state === 'finished')
      .map((e) => e.type === 'step' && e.step);
    expect(steps).toEqual([
      'select',
      'checkMedia',
      'blankDecision',
      'estimate',
      'write',
      'verify',
      'storeIndicator',
      'catalog',
    ]);
    expect(events.some((e) => e.type === 'progress' && e.phase === 'write')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'succeeded' });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('fails a run on an unknown device with DEVICE_UNKNOWN instead of throwing', async () => {
    const h = createHarness();
    const run = await h.run('store', {}, 'burner-9/dvd9');

    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'DEVICE_UNKNOWN', message: expect.stringMatching(/burner-1\/dvd0/) });
  });

  it('turns an unexpected crash into INTERNAL with its message', async () => {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'x' });
    h.drive.failNext('status', new Error('socket hang up'));
    const run = await h.run('store');

    expect(run.error).toEqual({ code: 'INTERNAL', message: 'socket hang up' });
    const events = await h.runs.events(run.id);
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'failed', error: { code: 'INTERNAL' } });
  });

  /** Starts a store, holds it inside `operation`, asks to cancel there, then lets it go on. */
  async function storeCancelledDuring(operation: 'status' | 'estimate' | 'write') {
    const h = createHarness();
    h.staging.addDay(TODAY, { a: 'x' });
    const gate = deferred();
    h.drive.holdNext(operation, gate.promise);
    const queued = await h.queue('store');
    const finished = h.executor.execute(queued);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const accepted = h.executor.cancel(queued.id);
    gate.release();
    const run = await finished;
    return { h, run, accepted, cancelAfterwards: () => h.executor.cancel(queued.id) };
  }

  it('cancels between steps before the write, leaving the media untouched', async () => {
    const { h, run, accepted, cancelAfterwards } = await storeCancelledDuring('status');

    expect(accepted).toBe(true);
    expect(run.status).toBe('cancelled');
    expect(h.drive.operations).not.toContain('write');
    expect(h.staging.isStored(TODAY)).toBe(false);
    expect(cancelAfterwards()).toBe(false);
  });

  it('stops at the write boundary when the cancel came during the estimate', async () => {
    const { h, run } = await storeCancelledDuring('estimate');

    expect(run.status).toBe('cancelled');
    expect(run.image).toBeDefined();
    expect(h.drive.operations).not.toContain('write');
  });

  it('never stops mid-write: a cancel during the write lets the run finish with a warning', async () => {
    const { h, run } = await storeCancelledDuring('write');

    expect(run.status).toBe('succeeded');
    expect(run.warnings.map((w) => w.code)).toEqual(['CANCEL_IGNORED']);
    expect(h.staging.isStored(TODAY)).toBe(true);
  });
});
