/**
 * / : every device, connected or not, idle or busy (with the active run's progress), and its
 * last store; a banner when an agent is disconnected or no store succeeded in 26 hours.
 */
import type { Run } from '@cedar-store/ports';
import { isFinished } from '@cedar-store/ports/constants';
import { formatBytes } from '@cedar-store/ports/words';
import { api } from './api.js';
import { ProgressBar, useRunEvents } from './live-progress.js';
import { ErrorBox, Link, LoadError, Status, When, usePolled } from './parts.js';
import type { DeviceView, DevicesAnswer, RunsAnswer } from './types.js';

const STALE_AFTER_MS = 26 * 3600 * 1000;

async function loadOverview(): Promise<{ devices: DevicesAnswer; runs: Run[] }> {
  const [devices, runs] = await Promise.all([
    api<DevicesAnswer>('/api/v1/devices'),
    api<RunsAnswer>('/api/v1/runs?limit=200'),
  ]);
  return { devices, runs: runs.runs };
}

/** A real (not dry-run) store that ended: what "the last store" of a device means. */
function isStoreOutcome(run: Run): boolean {
  return run.action === 'store' && run.options?.dryRun !== true && isFinished(run.status);
}

export function Overview() {
  const { data, error } = usePolled(loadOverview, 5000);
  if (!data) return error ? <LoadError error={error} /> : <p aria-busy="true">Reading the devices…</p>;
  const { devices, runs } = data;
  const disconnected = devices.agents.filter((agent) => agent.state !== 'connected');
  const lastSuccess = runs.find((run) => isStoreOutcome(run) && run.status === 'succeeded');
  const stale =
    !lastSuccess || Date.now() - Date.parse(lastSuccess.finishedAt ?? lastSuccess.requestedAt) > STALE_AFTER_MS;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <LoadError error={error} />
      {disconnected.map((agent) => (
        <p class="banner" role="status" key={agent.id}>
          Agent <strong>{agent.id}</strong> is {agent.state}
          {agent.lastError ? `: ${agent.lastError}` : ''}. Its devices cannot store until it connects.
        </p>
      ))}
      {stale ? (
        <p class="banner" role="status">
          No store succeeded in the last 26 hours
          {lastSuccess ? (
            <>
              {' '}
              (the last one finished <When iso={lastSuccess.finishedAt} />)
            </>
          ) : null}
          .
        </p>
      ) : null}
      <div class="cards">
        {devices.devices.map((device) => (
          <DeviceCard
            key={device.ref}
            device={device}
            lastStore={runs.find((run) => run.device === device.ref && isStoreOutcome(run))}
          />
        ))}
      </div>
      {devices.devices.length === 0 ? <p>No device is configured.</p> : null}
    </section>
  );
}

function DeviceCard({ device, lastStore }: { device: DeviceView; lastStore: Run | undefined }) {
  return (
    <article class="card" aria-labelledby={`device-${device.ref}`} data-device={device.ref}>
      <h2 id={`device-${device.ref}`}>{device.ref}</h2>
      <p>
        {device.backend}, {device.mediaType};{' '}
        <span class={device.connected ? 'ok' : 'bad'}>{device.connected ? 'connected' : 'not connected'}</span>,{' '}
        {device.activity}
        {device.queued > 0 ? `, ${device.queued} queued` : ''}
      </p>
      {device.activeRun ? <ActiveRun runId={device.activeRun} /> : null}
      <h3>Last store</h3>
      {lastStore ? <LastStore run={lastStore} /> : <p class="muted">No store has run on this device yet.</p>}
    </article>
  );
}

function ActiveRun({ runId }: { runId: string }) {
  const live = useRunEvents(runId);
  const current = live.steps.at(-1);
  return (
    <div class="active">
      <p>
        Running <Link href={`/runs/${runId}`}>{runId}</Link>
        {current ? `: ${current.step} ${current.state}` : ''}
      </p>
      <ProgressBar live={live} />
    </div>
  );
}

function LastStore({ run }: { run: Run }) {
  const verify = run.verify ? (run.verify.ok ? 'verified ok' : 'verify FAILED') : 'not verified';
  return (
    <div class={`last-store last-${run.status}`}>
      <p>
        <Status status={run.status} /> <When iso={run.finishedAt ?? run.requestedAt} />{' '}
        <Link href={`/runs/${run.id}`} label={`run ${run.id}`}>
          details
        </Link>
      </p>
      <ul class="facts">
        {run.selection ? <li>days {run.selection.days.join(', ') || 'none'}</li> : null}
        {run.blanking ? <li>{run.blanking.newDisc || run.blanking.mediaBlank ? 'new disc' : 'append'}</li> : null}
        {run.write ? <li>{formatBytes(run.write.bytesWritten)} written</li> : null}
        {run.status === 'succeeded' || run.verify ? <li>{verify}</li> : null}
      </ul>
      {run.error ? <ErrorBox error={run.error} /> : null}
    </div>
  );
}
