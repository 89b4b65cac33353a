/**
 * /actions: the only writes the dashboard makes, each confirmed first: store now (full,
 * dry run), rebuild, verify a day, and cancel a queued run.
 */
import type { Run } from '@cedar-store/ports';
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { ErrorBox, LoadError, usePolled } from './parts.js';
import { navigate } from './router.js';
import type { DevicesAnswer, RunsAnswer } from './types.js';

type Request = {
  action: 'store' | 'rebuild' | 'verify';
  device: string;
  full?: boolean;
  dryRun?: boolean;
  days?: string[];
};

function describe(request: Request): string {
  const options = [request.full ? 'full' : '', request.dryRun ? 'dry run: nothing is written' : ''].filter(Boolean);
  const what = request.action === 'verify' ? `verify ${request.days?.join(', ')}` : request.action;
  return `${what} on ${request.device}${options.length > 0 ? ` (${options.join(', ')})` : ''}`;
}

export function Actions() {
  const devices = usePolled(() => api<DevicesAnswer>('/api/v1/devices'), 15_000);
  const queued = usePolled(() => api<RunsAnswer>('/api/v1/runs?status=queued&limit=100'), 5000);
  const [action, setAction] = useState<Request['action']>('store');
  const [device, setDevice] = useState('');
  const [full, setFull] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  const [day, setDay] = useState('');
  const [pending, setPending] = useState<Request>();
  const [failure, setFailure] = useState<{ code: string; message: string }>();

  const refs = devices.data?.devices.map((one) => one.ref) ?? [];
  const chosen = device || refs[0] || '';

  const ask = (event: Event): void => {
    event.preventDefault();
    setFailure(undefined);
    const request: Request = { action, device: chosen };
    if (action === 'store' && full) request.full = true;
    if (action !== 'verify' && dryRun) request.dryRun = true;
    if (action === 'verify') request.days = [day];
    setPending(request);
  };

  const confirm = async (): Promise<void> => {
    if (!pending) return;
    try {
      const run = await api<Run>('/api/v1/runs', { method: 'POST', body: pending });
      setPending(undefined);
      navigate(`/runs/${run.id}`);
    } catch (error) {
      setPending(undefined);
      const coded = error as Error & { code?: string };
      setFailure({ code: coded.code ?? 'ERROR', message: coded.message });
    }
  };

  return (
    <section aria-labelledby="actions-title">
      <h1 id="actions-title">Actions</h1>
      <LoadError error={devices.error} />
      <form class="action-form" onSubmit={ask}>
        <fieldset disabled={pending !== undefined}>
          <legend>Start a run</legend>
          <label>
            <span id="action-kind">Action</span>
            <select
              aria-labelledby="action-kind"
              value={action}
              onChange={(event) => setAction((event.currentTarget as HTMLSelectElement).value as Request['action'])}
            >
              <option value="store">store now</option>
              <option value="rebuild">rebuild the week on a new disc</option>
              <option value="verify">verify a day</option>
            </select>
          </label>
          <label>
            <span id="action-device">Device</span>
            <select
              aria-labelledby="action-device"
              value={chosen}
              onChange={(event) => setDevice((event.currentTarget as HTMLSelectElement).value)}
            >
              {refs.map((ref) => (
                <option key={ref}>{ref}</option>
              ))}
            </select>
          </label>
          {action === 'store' ? (
            <label class="check">
              <input
                type="checkbox"
                checked={full}
                onChange={(event) => setFull((event.currentTarget as HTMLInputElement).checked)}
              />
              Full: today's staging day on a new disc, whatever its store indicator says
            </label>
          ) : null}
          {action !== 'verify' ? (
            <label class="check">
              <input
                type="checkbox"
                checked={dryRun}
                onChange={(event) => setDryRun((event.currentTarget as HTMLInputElement).checked)}
              />
              Dry run: plan only, nothing blanked, written or marked
            </label>
          ) : (
            <label>
              Day (YYYY-MM-DD)
              <input
                type="date"
                required
                value={day}
                onInput={(event) => setDay((event.currentTarget as HTMLInputElement).value)}
              />
            </label>
          )}
          <button type="submit" disabled={!chosen}>
            Continue…
          </button>
        </fieldset>
      </form>
      {pending ? (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">Start {describe(pending)}?</p>
          <button type="button" onClick={confirm} autoFocus>
            Yes, start it
          </button>{' '}
          <button type="button" onClick={() => setPending(undefined)}>
            No
          </button>
        </div>
      ) : null}
      {failure ? <ErrorBox error={failure} title="Refused:" /> : null}
      <h2>Queued runs</h2>
      {(queued.data?.runs ?? []).length === 0 ? <p class="muted">No run is waiting.</p> : null}
      <ul>
        {(queued.data?.runs ?? []).map((run) => (
          <li key={run.id}>
            {run.action} on {run.device} (<code>{run.id}</code>) <CancelRun run={run} onDone={queued.reload} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Cancel with a confirmation: at once when queued, at the next step boundary when running. */
export function CancelRun({ run, onDone }: { run: Run; onDone: () => void }) {
  const [asking, setAsking] = useState(false);
  const [failure, setFailure] = useState<Error>();
  const cancel = async (): Promise<void> => {
    try {
      await api(`/api/v1/runs/${encodeURIComponent(run.id)}/cancel`, { method: 'POST' });
      setAsking(false);
      onDone();
    } catch (error) {
      setFailure(error instanceof Error ? error : new Error(String(error)));
    }
  };
  if (!asking)
    return (
      <button type="button" onClick={() => setAsking(true)}>
        Cancel run…
      </button>
    );
  return (
    <span class="confirm" role="alertdialog" aria-label={`Cancel run ${run.id}`}>
      {run.status === 'running' ? 'Stop it at the next step boundary?' : 'Cancel it before it starts?'}{' '}
      <button type="button" onClick={cancel} autoFocus>
        Yes, cancel {run.id}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        No
      </button>
      <LoadError error={failure} />
    </span>
  );
}
