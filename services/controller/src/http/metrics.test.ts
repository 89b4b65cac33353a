import type { Run } from '@cedar-store/ports';
import {
  InMemoryAuditCatalog,
  InMemoryDeviceDirectory,
  InMemoryMediaCatalog,
  InMemoryMediaDrive,
  InMemoryRunRepository,
  InMemoryStagingArea,
} from '@cedar-store/ports/memory';
import { describe, expect, it } from 'vitest';
import { ObservableRunRepository } from '../runs/run-events.js';
import { firstSession } from '../testing/catalog-records.js';
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

  it('does not count a dry run among the finished runs', async () => {
    const { runs, metrics } = setup();
    const plan: Run = { ...queued, id: 'plan-1', options: { dryRun: true } };
    await runs.create(plan);
    await runs.save({ ...plan, status: 'failed', error: { code: 'MEDIA_FULL', message: 'would not fit' } });
    expect(await metrics.render()).toContain('cedar_store_runs_total{action="store",status="failed"} 0');
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
    expect(await metrics.render()).not.toContain('cedar_store_runs_total{action="store",status="succeeded"} 1');
  });

  it('uses a registry of its own, with process metrics unless told otherwise', async () => {
    const runs = new ObservableRunRepository(new InMemoryRunRepository());
    const directory = new InMemoryDeviceDirectory([]);
    const first = new ControllerMetrics(runs, directory);
    const second = new ControllerMetrics(runs, directory);
    // Standard names, so standard Node dashboards work.
    const text = await first.render();
    expect(text).toContain('\nprocess_resident_memory_bytes ');
    expect(text).toContain('\nnodejs_heap_size_used_bytes ');
    expect(text).not.toContain('cedar_store_process_');
    expect(text).not.toContain('cedar_store_nodejs_');
    expect(first.registry).not.toBe(second.registry);
    first.close();
    second.close();
  });

  it('starts every series of each known device and notify target at 0, before any run', async () => {
    const runs = new ObservableRunRepository(new InMemoryRunRepository());
    const metrics = new ControllerMetrics(runs, directoryOf(DVD, CD), {
      defaultMetrics: false,
      notifyTargets: ['ops-hook'],
    });
    const text = await metrics.render();
    for (const device of [DVD, CD]) {
      for (const action of ['store', 'rebuild', 'initialize', 'verify']) {
        expect(text).toContain(`cedar_store_last_success_timestamp_seconds{device="${device}",action="${action}"} 0`);
        expect(text).toContain(`cedar_store_last_run_status{device="${device}",action="${action}"} 0`);
      }
      expect(text).toContain(`cedar_store_capacity_limit_exceeded{device="${device}"} 0`);
      expect(text).toContain(`cedar_store_bytes_written_total{device="${device}"} 0`);
      expect(text).toContain(`cedar_store_bytes_verified_total{device="${device}"} 0`);
    }
    expect(text).toContain('cedar_store_runs_total{action="store",status="failed"} 0');
    for (const outcome of ['delivered', 'error', 'gave_up']) {
      expect(text).toContain(`cedar_store_notifications_total{target="ops-hook",outcome="${outcome}"} 0`);
    }
    metrics.close();
  });

  it('records when each action last succeeded on a device and whether its last run failed', async () => {
    const runs = new ObservableRunRepository(new InMemoryRunRepository());
    const metrics = new ControllerMetrics(runs, directoryOf(DVD), { defaultMetrics: false });
    await runs.create(finished('s1', 'succeeded', '2026-11-26T22:10:00.000Z'));
    let text = await metrics.render();
    expect(text).toContain(`cedar_store_last_success_timestamp_seconds{device="${DVD}",action="store"} 1795731000`);
    expect(text).toContain(`cedar_store_last_run_status{device="${DVD}",action="store"} 0`);

    await runs.create(finished('s2', 'failed', '2026-11-27T22:10:00.000Z'));
    text = await metrics.render();
    expect(text).toContain(`cedar_store_last_run_status{device="${DVD}",action="store"} 1`);
    // A failure leaves the last success where it was.
    expect(text).toContain(`cedar_store_last_success_timestamp_seconds{device="${DVD}",action="store"} 1795731000`);
    // Other actions of the device are untouched.
    expect(text).toContain(`cedar_store_last_run_status{device="${DVD}",action="verify"} 0`);
    metrics.close();
  });

  it('leaves the last success and the last status alone for dry runs: a plan is not a night stored', async () => {
    const runs = new ObservableRunRepository(new InMemoryRunRepository());
    const metrics = new ControllerMetrics(runs, directoryOf(DVD), { defaultMetrics: false });
    await runs.create(finished('s1', 'succeeded', '2026-11-26T22:10:00.000Z'));
    const dry = (id: string, status: 'succeeded' | 'failed', at: string): Run => ({
      ...finished(id, status, at),
      options: { dryRun: true },
    });
    await runs.create(dry('d1', 'succeeded', '2026-11-27T22:10:00.000Z'));
    await runs.create(dry('d2', 'failed', '2026-11-28T22:10:00.000Z'));
    const text = await metrics.render();
    expect(text).toContain(`cedar_store_last_success_timestamp_seconds{device="${DVD}",action="store"} 1795731000`);
    expect(text).toContain(`cedar_store_last_run_status{device="${DVD}",action="store"} 0`);
    metrics.close();
  });

  it('after a restart, takes the last success and the last status from the run history', async () => {
    const repository = new InMemoryRunRepository();
    await repository.create(finished('s1', 'succeeded', '2026-11-26T22:10:00.000Z'));
    await repository.create(finished('s2', 'failed', '2026-11-27T22:10:00.000Z'));
    const metrics = new ControllerMetrics(new ObservableRunRepository(repository), directoryOf(DVD), {
      defaultMetrics: false,
    });
    const text = await metrics.render();
    expect(text).toContain(`cedar_store_last_success_timestamp_seconds{device="${DVD}",action="store"} 1795731000`);
    expect(text).toContain(`cedar_store_last_run_status{device="${DVD}",action="store"} 1`);
    metrics.close();
  });

  it('says whether the last write left the disc beyond the capacity limit', async () => {
    const runs = new ObservableRunRepository(new InMemoryRunRepository());
    const metrics = new ControllerMetrics(runs, directoryOf(DVD), { defaultMetrics: false });
    const write = { bytesWritten: 1000, sessions: 3, durationMs: 10 };
    const limit = { code: 'CAPACITY_LIMIT', message: 'media utilization is 93.00%, above the limit of 90%' };
    await runs.create({ ...finished('s1', 'succeeded', '2026-11-26T22:10:00.000Z'), write, warnings: [limit] });
    expect(await metrics.render()).toContain(`cedar_store_capacity_limit_exceeded{device="${DVD}"} 1`);
    // A failed run measured nothing; a new disc's write clears it.
    await runs.create(finished('s2', 'failed', '2026-11-27T22:10:00.000Z'));
    expect(await metrics.render()).toContain(`cedar_store_capacity_limit_exceeded{device="${DVD}"} 1`);
    await runs.create({ ...finished('s3', 'succeeded', '2026-11-28T22:10:00.000Z'), write });
    expect(await metrics.render()).toContain(`cedar_store_capacity_limit_exceeded{device="${DVD}"} 0`);
    metrics.close();
  });

  it('counts notification attempts by target and outcome', async () => {
    const { metrics } = setup();
    metrics.countNotification('ops-hook', 'error');
    metrics.countNotification('ops-hook', 'error');
    metrics.countNotification('ops-hook', 'delivered');
    const text = await metrics.render();
    expect(text).toContain('cedar_store_notifications_total{target="ops-hook",outcome="error"} 2');
    expect(text).toContain('cedar_store_notifications_total{target="ops-hook",outcome="delivered"} 1');
    metrics.close();
  });
});

const DVD = 'burner-1/dvd0';
const CD = 'burner-1/cd0';

function directoryOf(...refs: string[]): InMemoryDeviceDirectory {
  return new InMemoryDeviceDirectory(
    refs.map((ref) => {
      const staging = new InMemoryStagingArea();
      return { ref, mediaType: 'dvd+rw', staging, drive: new InMemoryMediaDrive(staging, { mediaType: 'dvd+rw' }) };
    }),
  );
}

function finished(id: string, status: 'succeeded' | 'failed', finishedAt: string): Run {
  return { ...queued, id, status, startedAt: finishedAt, finishedAt };
}

describe('ControllerMetrics: audits', () => {
  it('shows when each disc still held was last checked, and the audits by outcome, read at scrape time', async () => {
    const media = new InMemoryMediaCatalog();
    const audits = new InMemoryAuditCatalog(media);
    const session = firstSession({ verified: true });
    await media.recordSession(session);
    await media.recordSession({
      ...session,
      device: 'burner-1/bd0',
      discLabel: 'CEDAR BACKUP 24-NOV-2026',
      runId: 'w2',
      verified: undefined,
      writtenAt: '2026-11-24T21:00:00.000Z',
    });
    await media.recordSession({
      ...session,
      device: 'burner-1/cd0',
      discLabel: 'CEDAR BACKUP 25-NOV-2026',
      runId: 'w3',
      writtenAt: '2026-11-25T21:00:00.000Z',
    });
    const metrics = new ControllerMetrics(
      new ObservableRunRepository(new InMemoryRunRepository()),
      new InMemoryDeviceDirectory([]),
      { defaultMetrics: false, audits },
    );
    const audit = {
      runId: 'a1',
      files: 3,
      counts: { missing: 0, extra: 0, differing: 0, unreadable: 0 },
      md5: 'absent' as const,
      problems: [],
    };
    await audits.recordAudit({ ...audit, discId: 3, auditedAt: '2027-05-01T00:00:00.000Z', ok: true });
    await audits.recordAudit({ ...audit, runId: 'a2', discId: 3, auditedAt: '2027-06-01T00:00:00.000Z', ok: false });

    const text = await metrics.render();
    const seconds = (iso: string) => String(Date.parse(iso) / 1000);
    // Audited: the newest audit. Never audited: the night's verify, else when the disc was started.
    expect(text).toContain(
      `cedar_store_disc_last_audit_timestamp_seconds{disc="3",label="CEDAR BACKUP 25-NOV-2026"} ${seconds('2027-06-01T00:00:00.000Z')}`,
    );
    expect(text).toContain(
      `cedar_store_disc_last_audit_timestamp_seconds{disc="1",label="CEDAR BACKUP 23-NOV-2026"} ${seconds('2026-11-23T21:00:00.000Z')}`,
    );
    expect(text).toContain(
      `cedar_store_disc_last_audit_timestamp_seconds{disc="2",label="CEDAR BACKUP 24-NOV-2026"} ${seconds('2026-11-24T21:00:00.000Z')}`,
    );
    expect(text).toContain('cedar_store_audits_total{outcome="passed"} 1');
    expect(text).toContain('cedar_store_audits_total{outcome="failed"} 1');

    await audits.recordAudit({ ...audit, runId: 'a3', discId: 1, auditedAt: '2027-07-01T00:00:00.000Z', ok: true });
    expect(await metrics.render()).toContain('cedar_store_audits_total{outcome="passed"} 2');
    metrics.close();
  });

  it('starts both outcomes at 0 without a catalog of audits', async () => {
    const { metrics } = setup();
    const text = await metrics.render();
    expect(text).toContain('cedar_store_audits_total{outcome="passed"} 0');
    expect(text).toContain('# TYPE cedar_store_disc_last_audit_timestamp_seconds gauge');
  });
});
