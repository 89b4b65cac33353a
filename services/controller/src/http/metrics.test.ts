import type { Run } from '@cedar-store/ports';
import { InMemoryDeviceDirectory, InMemoryRunRepository } from '@cedar-store/ports/memory';
import { describe, expect, it } from 'vitest';
import { ObservableRunRepository } from '../runs/run-events.js';
import { ControllerMetrics } from './metrics.js';

const queued: Run = {
  id: 'run-1',
  action: 'store',
  device: 'burner-1/dvd0',
  status: 'queued',
  requestedAt: '2026-11-26T22:00:00.000Z',
  options: {},
  warnings: [],
};

function setup() {
  const runs = new ObservableRunRepository(new InMemoryRunRepository());
  const metrics = new ControllerMetrics(runs, new InMemoryDeviceDirectory([]), { defaultMetrics: false });
  return { runs, metrics };
}

describe('ControllerMetrics', () => {
  it('counts a run once when it finishes, however often it is saved', async () => {
    const { runs, metrics } = setup();
    await runs.create(queued);
    await runs.save({ ...queued, status: 'running' });
    const failed: Run = {
      ...queued,
      status: 'failed',
      write: { bytesWritten: 2048, sessions: 1, durationMs: 5 },
      error: { code: 'VERIFY_FAILED', message: 'the disc differs' },
    };
    await runs.save(failed);
    await runs.save(failed);

    const text = await metrics.render();
    expect(text).toContain('cedar_store_runs_total{action="store",status="failed"} 1');
    expect(text).not.toContain('status="running"} 1');
    // The bytes reached the disc even though verify failed the run.
    expect(text).toContain('cedar_store_bytes_written_total{device="burner-1/dvd0"} 2048');
  });

  it('counts queued and running runs at scrape time', async () => {
    const { runs, metrics } = setup();
    await runs.create(queued);
    await runs.create({ ...queued, id: 'run-2', status: 'running' });
    const text = await metrics.render();
    expect(text).toContain('cedar_store_runs_active{status="queued"} 1');
    expect(text).toContain('cedar_store_runs_active{status="running"} 1');
  });

  it('stops counting after close', async () => {
    const { runs, metrics } = setup();
    metrics.close();
    await runs.create({ ...queued, status: 'succeeded' });
    expect(await metrics.render()).not.toContain('cedar_store_runs_total{');
  });

  it('uses a registry of its own, with process metrics unless told otherwise', async () => {
    const runs = new ObservableRunRepository(new InMemoryRunRepository());
    const directory = new InMemoryDeviceDirectory([]);
    const first = new ControllerMetrics(runs, directory);
    const second = new ControllerMetrics(runs, directory);
    expect(await first.render()).toContain('cedar_store_process_resident_memory_bytes');
    expect(first.registry).not.toBe(second.registry);
    first.close();
    second.close();
  });
});
