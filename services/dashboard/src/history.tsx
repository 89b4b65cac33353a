/** /runs: every run, newest first, filtered by device, action and status, a page at a time. */
import { RUN_ACTIONS, RUN_STATUSES } from '@cedar-store/ports/constants';
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { Link, LoadError, Status, When, usePolled } from './parts.js';
import type { DevicesAnswer, RunsAnswer } from './types.js';

const PAGE = 20;
/** GET /api/v1/runs answers at most this many, newest first. */
const MOST = 1000;

export function History() {
  const [device, setDevice] = useState('');
  const [action, setAction] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(0);
  const devices = usePolled(() => api<DevicesAnswer>('/api/v1/devices'), 60_000);
  // The API filters by device and status; the action filter reads a larger window of runs.
  const want = action ? MOST : Math.min(MOST, (page + 1) * PAGE + 1);
  const query = new URLSearchParams({ limit: String(want) });
  if (device) query.set('device', device);
  if (status) query.set('status', status);
  const runs = usePolled(() => api<RunsAnswer>(`/api/v1/runs?${query.toString()}`), 10_000, [query.toString()]);
  const matching = (runs.data?.runs ?? []).filter((run) => !action || run.action === action);
  const shown = matching.slice(page * PAGE, (page + 1) * PAGE);
  const more = matching.length > (page + 1) * PAGE;
  const filter = (set: (value: string) => void) => (event: Event) => {
    set((event.currentTarget as HTMLSelectElement).value);
    setPage(0);
  };
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          <span id="filter-device">Device</span>
          <select value={device} onChange={filter(setDevice)} aria-labelledby="filter-device">
            <option value="">all</option>
            {(devices.data?.devices ?? []).map((one) => (
              <option key={one.ref} value={one.ref}>
                {one.ref}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span id="filter-action">Action</span>
          <select value={action} onChange={filter(setAction)} aria-labelledby="filter-action">
            <option value="">all</option>
            {RUN_ACTIONS.map((one) => (
              <option key={one}>{one}</option>
            ))}
          </select>
        </label>
        <label>
          <span id="filter-status">Status</span>
          <select value={status} onChange={filter(setStatus)} aria-labelledby="filter-status">
            <option value="">all</option>
            {RUN_STATUSES.map((one) => (
              <option key={one}>{one}</option>
            ))}
          </select>
        </label>
      </form>
      <LoadError error={runs.error} />
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Action</th>
              <th scope="col">Device</th>
              <th scope="col">Status</th>
              <th scope="col">Requested</th>
              <th scope="col">Days</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((run) => (
              <tr key={run.id}>
                <td>
                  <Link href={`/runs/${run.id}`}>{run.id}</Link>
                </td>
                <td>
                  {run.action}
                  {run.options?.dryRun ? ' (dry run)' : ''}
                  {run.options?.full ? ' --full' : ''}
                </td>
                <td>{run.device}</td>
                <td>
                  <Status status={run.status} />
                  {run.error ? <code> {run.error.code}</code> : null}
                </td>
                <td>
                  <When iso={run.requestedAt} />
                </td>
                <td>{(run.selection?.days ?? run.options?.days ?? []).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {runs.data && shown.length === 0 ? <p>No run matches.</p> : null}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Newer
        </button>
        <span>Page {page + 1}</span>
        <button type="button" disabled={!more} onClick={() => setPage(page + 1)}>
          Older
        </button>
      </nav>
    </section>
  );
}
