import { describe, expect, it } from 'vitest';
import { isFinished, RunEventSchema, RunSchema } from './run.js';

describe('run shape', () => {
  const run = {
    id: 'r1',
    action: 'store',
    device: 'burner-1/dvd0',
    status: 'queued',
    requestedAt: '2026-11-26T22:00:00.000Z',
    options: { full: false },
    warnings: [],
  };

  it('accepts a queued run and refuses unknown fields', () => {
    expect(RunSchema.safeParse(run).success).toBe(true);
    expect(RunSchema.safeParse({ ...run, surprise: true }).success).toBe(false);
    expect(RunSchema.safeParse({ ...run, device: 'dvd0' }).success).toBe(false);
  });

  it('knows which statuses are final', () => {
    expect(['queued', 'running'].map((s) => isFinished(s as never))).toEqual([false, false]);
    expect(['succeeded', 'failed', 'cancelled', 'interrupted'].every((s) => isFinished(s as never))).toBe(true);
  });

  it('validates events by type', () => {
    expect(RunEventSchema.safeParse({ type: 'progress', phase: 'write', bytesDone: 1, bytesTotal: 2 }).success).toBe(
      true,
    );
    expect(RunEventSchema.safeParse({ type: 'step', step: 'write', state: 'started' }).success).toBe(true);
    expect(RunEventSchema.safeParse({ type: 'step', step: 'dance', state: 'started' }).success).toBe(false);
  });
});
